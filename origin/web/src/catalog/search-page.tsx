import { useEffect, useState, type FormEvent } from 'react';
import { PROJECTIONS, SEARCH_SORTS, type Projection } from '@spherecast/shared';
import { api, errorMessage, type RouterInputs, type RouterOutputs } from '../api/client.ts';
import { navigate } from '../router.tsx';
import { PROJECTION_LABELS } from '../ui/format.ts';
import { EmptyState, ErrorState, Spinner } from '../ui/states.tsx';
import { useAsync } from '../ui/use-async.ts';
import { CardGrid, ContentCard } from './content-card.tsx';
import { DestinationResults } from '../destinations/destination-widgets.tsx';

type SearchInput = RouterInputs['search'];
type Item = RouterOutputs['search']['items'][number];
type Sort = (typeof SEARCH_SORTS)[number];

const SORT_LABELS: Record<Sort, string> = { relevance: 'Best match', popular: 'Most viewed', newest: 'Newest' };

/** Reads the filters from the URL, dropping values the origin would refuse. */
export function searchInputFromParams(params: URLSearchParams): SearchInput {
  const input: SearchInput = { limit: 24 };
  const q = params.get('q')?.trim();
  if (q) input.q = q;
  const tags = params
    .get('tags')
    ?.split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
  if (tags && tags.length > 0) input.tags = tags;
  const genre = params.get('genre')?.trim();
  if (genre) input.genre = genre;
  const projection = params.get('projection');
  if (projection && (PROJECTIONS as readonly string[]).includes(projection)) input.projection = projection as Projection;
  const kind = params.get('kind');
  if (kind === 'video' || kind === 'photo') input.kind = kind;
  const near = params.get('near');
  if (near && /^\s*-?\d{1,3}(\.\d+)?\s*,\s*-?\d{1,3}(\.\d+)?\s*$/.test(near)) {
    input.near = near;
    const radius = Number(params.get('radiusKm'));
    if (radius > 0) input.radiusKm = radius;
  }
  const sort = params.get('sort');
  if (sort && (SEARCH_SORTS as readonly string[]).includes(sort)) input.sort = sort as Sort;
  return input;
}

export function SearchPage({ params }: { params: URLSearchParams }) {
  const key = params.toString();
  const input = searchInputFromParams(params);
  const first = useAsync(() => api.search.query(input), [key]);
  const [more, setMore] = useState<{ items: Item[]; nextCursor: string | null; loading: boolean; error: unknown }>({
    items: [],
    nextCursor: null,
    loading: false,
    error: null,
  });

  useEffect(() => {
    setMore({ items: [], nextCursor: first.data?.nextCursor ?? null, loading: false, error: null });
  }, [first.data]);

  const loadMore = (): void => {
    if (!more.nextCursor) return;
    setMore((m) => ({ ...m, loading: true, error: null }));
    api.search.query({ ...input, cursor: more.nextCursor }).then(
      (page) => setMore((m) => ({ items: [...m.items, ...page.items], nextCursor: page.nextCursor, loading: false, error: null })),
      (error: unknown) => setMore((m) => ({ ...m, loading: false, error })),
    );
  };

  const items = [...(first.data?.items ?? []), ...more.items];
  const heading = input.q
    ? `Results for “${input.q}”`
    : input.near
      ? 'Nearby'
      : input.sort === 'popular'
        ? 'Popular'
        : input.sort === 'newest'
          ? 'Newest'
          : 'Browse';

  return (
    <div className="search-page">
      <h1>{heading}</h1>
      <Filters params={params} />
      <DestinationResults q={input.q ?? null} />
      {first.status === 'error' && !first.data ? <ErrorState error={first.error} onRetry={first.reload} title="Search failed" /> : null}
      {first.status === 'loading' && !first.data ? <Spinner label="Searching…" /> : null}
      {first.data && items.length === 0 ? <EmptyState title="No matches">Try fewer words, other tags, or clear the filters.</EmptyState> : null}
      {items.length > 0 ? (
        <CardGrid>
          {items.map((item, i) => (
            <ContentCard key={item.id} content={item} priority={i === 0} {...(item.distanceKm !== null ? { note: `${item.distanceKm} km away` } : {})} />
          ))}
        </CardGrid>
      ) : null}
      {more.error ? <p className="form-error">{errorMessage(more.error)}</p> : null}
      {more.nextCursor ? (
        <div className="center">
          <button type="button" className="button" onClick={loadMore} disabled={more.loading}>
            {more.loading ? 'Loading…' : 'Show more'}
          </button>
        </div>
      ) : null}
    </div>
  );
}

function Filters({ params }: { params: URLSearchParams }) {
  const [draft, setDraft] = useState(() => ({
    q: params.get('q') ?? '',
    tags: params.get('tags') ?? '',
    genre: params.get('genre') ?? '',
    projection: params.get('projection') ?? '',
    kind: params.get('kind') ?? '',
    sort: params.get('sort') ?? '',
  }));
  const key = params.toString();
  useEffect(() => {
    setDraft({
      q: params.get('q') ?? '',
      tags: params.get('tags') ?? '',
      genre: params.get('genre') ?? '',
      projection: params.get('projection') ?? '',
      kind: params.get('kind') ?? '',
      sort: params.get('sort') ?? '',
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const apply = (next: typeof draft): void => {
    const out = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) if (v.trim()) out.set(k, v.trim());
    navigate(`/search?${out}`, { replace: true });
  };
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    apply(draft);
  };
  const change = (field: keyof typeof draft, value: string, immediate = false): void => {
    const next = { ...draft, [field]: value };
    setDraft(next);
    if (immediate) apply(next);
  };

  return (
    <form className="filters" onSubmit={submit} aria-label="Search filters">
      <label>
        <span>Words</span>
        <input type="search" value={draft.q} onChange={(e) => change('q', e.target.value)} placeholder="e.g. surf, aurora" />
      </label>
      <label>
        <span>Tags</span>
        <input value={draft.tags} onChange={(e) => change('tags', e.target.value)} placeholder="comma, separated" />
      </label>
      <label>
        <span>Genre</span>
        <input value={draft.genre} onChange={(e) => change('genre', e.target.value)} placeholder="e.g. travel" />
      </label>
      <label>
        <span>Format</span>
        <select value={draft.projection} onChange={(e) => change('projection', e.target.value, true)}>
          <option value="">Any</option>
          {PROJECTIONS.map((p) => (
            <option key={p} value={p}>
              {PROJECTION_LABELS[p]}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Type</span>
        <select value={draft.kind} onChange={(e) => change('kind', e.target.value, true)}>
          <option value="">Videos and photos</option>
          <option value="video">Videos</option>
          <option value="photo">Photos</option>
        </select>
      </label>
      <label>
        <span>Sort</span>
        <select value={draft.sort} onChange={(e) => change('sort', e.target.value, true)}>
          {/* The origin's default: best match for a text query, else most viewed (catalog/search.ts). */}
          <option value="">{draft.q ? SORT_LABELS.relevance : SORT_LABELS.popular}</option>
          {SEARCH_SORTS.map((s) => (
            <option key={s} value={s}>
              {SORT_LABELS[s]}
            </option>
          ))}
        </select>
      </label>
      <div className="filters-actions">
        <button type="submit" className="button">
          Apply
        </button>
        <button type="button" className="button button-ghost" onClick={() => apply({ q: '', tags: '', genre: '', projection: '', kind: '', sort: '' })}>
          Clear
        </button>
      </div>
    </form>
  );
}
