import { useRef } from 'react';
import { api } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { Link } from '../router.tsx';
import { EmptyState, ErrorState, Spinner } from '../ui/states.tsx';
import { useAsync, type AsyncState } from '../ui/use-async.ts';
import { ToursShelf } from '../tours/tour-card.tsx';
import { CardGrid, ContentCard, type CardContent } from './content-card.tsx';

function Shelf({
  title,
  more,
  state,
  notes,
  first = false,
}: {
  title: string;
  more?: string;
  state: AsyncState<CardContent[]> & { reload: () => void };
  notes?: Map<string, string>;
  first?: boolean;
}) {
  return (
    <section className="shelf">
      <header className="shelf-header">
        <h2>{title}</h2>
        {more ? <Link to={more}>See all</Link> : null}
      </header>
      {state.status === 'error' && !state.data ? <ErrorState error={state.error} onRetry={state.reload} title={`Could not load “${title}”`} /> : null}
      {state.status === 'loading' && !state.data ? <Spinner /> : null}
      {state.data && state.data.length === 0 ? <EmptyState title="Nothing here yet">New 360° videos show up here as creators publish them.</EmptyState> : null}
      {state.data && state.data.length > 0 ? (
        <CardGrid>
          {state.data.map((c, i) => {
            const note = notes?.get(c.id);
            return <ContentCard key={c.id} content={c} priority={first && i === 0} {...(note ? { note } : {})} />;
          })}
        </CardGrid>
      ) : null}
    </section>
  );
}

export function HomePage() {
  const { me } = useSession();
  const recommended = useAsync(async () => {
    try {
      return await api.recommendations.list.query({ limit: 8 });
    } catch {
      // Recommendations are a nice-to-have; the other shelves still fill the page.
      return { basis: 'popular' as const, items: [] };
    }
  }, [me?.id]);
  const recent = useAsync(async () => (await api.search.query({ sort: 'newest', limit: 12 })).items, []);
  const popular = useAsync(async () => (await api.search.query({ sort: 'popular', limit: 12 })).items, []);
  // Broadcasts on air (a broadcast stays kind `live` after it ends, as its recording: keep those out).
  const liveNow = useAsync(async () => (await api.search.query({ kind: 'live', sort: 'newest', limit: 8 })).items.filter((c) => c.status === 'live'), []);
  const following = useAsync(async () => (me ? (await api.profiles.feed.query({ limit: 8 })).items : []), [me?.id]);
  const notes = new Map((recommended.data?.items ?? []).map((r) => [r.id, r.reason]));
  const recommendedItems = { ...recommended, data: recommended.data?.items } as AsyncState<CardContent[]> & { reload: () => void };

  // The shelves appear together, once the session and every shelf are known: a shelf that filled in
  // later would push the ones below it down while the viewer looks at them (layout shift).
  const settledOnce = useRef(false);
  settledOnce.current ||= me !== undefined && [recommended, recent, popular, following, liveNow].every((s) => s.status !== 'loading');
  if (!settledOnce.current) {
    return (
      <div className="home">
        <Spinner label="Loading videos…" />
      </div>
    );
  }
  const personal = recommended.data?.basis === 'personal' && recommended.data.items.length > 0;
  const followed = (following.data?.length ?? 0) > 0;
  const onAir = (liveNow.data?.length ?? 0) > 0;
  return (
    <div className="home">
      {/* Without a history the origin recommends what is popular, which the Popular shelf already shows. */}
      {onAir ? <Shelf title="Live now" more="/search?kind=live" state={liveNow} first /> : null}
      {personal ? <Shelf title="Recommended for you" state={recommendedItems} notes={notes} first={!onAir} /> : null}
      {followed ? <Shelf title="From creators you follow" state={following} first={!personal && !onAir} /> : null}
      <Shelf title="Recently published" more="/search?sort=newest" state={recent} first={!personal && !followed && !onAir} />
      <Shelf title="Popular" more="/search?sort=popular" state={popular} />
      {/* Last: it fills in on its own, so it pushes nothing the viewer is looking at. */}
      <ToursShelf title="Guided tours" />
    </div>
  );
}
