// Tours in the app (#15): a tour's card (poster of its first scene, title, mode, scene count) and a
// shelf of them, on home ("Guided tours": the newest public ones) and on a creator's profile (theirs;
// the creator also sees their drafts and private ones).
import { api, type RouterOutputs } from '../api/client.ts';
import { Link } from '../router.tsx';
import { useAsync } from '../ui/use-async.ts';

type TourSummary = RouterOutputs['tours']['list']['items'][number];

export function TourCard({ tour }: { tour: TourSummary }) {
  return (
    <article className="card tour-card" data-testid="tour-card" data-tour-id={tour.id}>
      <Link to={`/tours/${tour.id}`} className="card-poster">
        {tour.posterUrl ? (
          <img src={tour.posterUrl} alt="" width={640} height={320} loading="lazy" decoding="async" />
        ) : (
          <span className="card-poster-fallback" aria-hidden="true" />
        )}
        <span className="visually-hidden">Take the tour {tour.title}</span>
        <span className="badge badge-corner">{tour.mode === 'guided' ? 'Guided tour' : 'Tour'}</span>
      </Link>
      <div className="card-body">
        <h3 className="card-title">
          <Link to={`/tours/${tour.id}`}>{tour.title}</Link>
        </h3>
        <p className="card-meta muted">
          {tour.owner.displayName} · {tour.sceneCount} {tour.sceneCount === 1 ? 'scene' : 'scenes'}
          {tour.status === 'draft' ? ' · draft' : tour.visibility !== 'public' ? ` · ${tour.visibility}` : ''}
        </p>
      </div>
    </article>
  );
}

/** A row of tours; nothing at all while loading, on error or when there are none (it is an extra, not the page). */
export function ToursShelf({ title, ownerId }: { title: string; ownerId?: string }) {
  const tours = useAsync(async () => (await api.tours.list.query({ limit: 12, ...(ownerId ? { ownerId } : {}) })).items, [ownerId]);
  const items = tours.data ?? [];
  if (items.length === 0) return null;
  return (
    <section className="shelf" aria-label={title} data-testid="tours-shelf">
      <header className="shelf-header">
        <h2>{title}</h2>
      </header>
      <div className="grid">
        {items.map((tour) => (
          <TourCard key={tour.id} tour={tour} />
        ))}
      </div>
    </section>
  );
}
