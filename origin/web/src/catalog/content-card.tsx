import type { RouterOutputs } from '../api/client.ts';

type CardData = RouterOutputs['content']['listByCreator']['items'][number];
import { Link } from '../router.tsx';
import { formatDuration } from '@spherecast/shared/format';
import { formatCount, timeAgo, PROJECTION_LABELS } from '../ui/format.ts';

/** The fields a card shows; search results, recommendations, history and likes all carry them. */
export type CardContent = Pick<
  CardData,
  'id' | 'kind' | 'title' | 'projection' | 'durationSeconds' | 'posterUrl' | 'posters' | 'viewCount' | 'publishedAt' | 'createdAt' | 'location' | 'owner'
>;

/**
 * How wide a card's poster is drawn, for the browser to pick a rung from `srcset` before layout:
 * one column on phones, two on tablets, 240-300 px columns on wider screens (see .grid).
 */
export const CARD_POSTER_SIZES = '(max-width: 560px) calc(100vw - 24px), (max-width: 1000px) calc(50vw - 32px), 300px';

/** The poster in the best format the browser takes (WebP, else JPEG), at the width it needs. */
export function Poster({ content, sizes, priority = false }: { content: Pick<CardContent, 'posterUrl' | 'posters'>; sizes: string; priority?: boolean }) {
  if (!content.posterUrl) return <span className="card-poster-fallback" aria-hidden="true" />;
  const srcset = (type: string) =>
    content.posters
      .filter((p) => p.type === type)
      .map((p) => `${p.url} ${p.width}w`)
      .join(', ');
  const webp = srcset('image/webp');
  const jpeg = srcset('image/jpeg');
  return (
    <picture>
      {webp ? <source type="image/webp" srcSet={webp} sizes={sizes} /> : null}
      <img
        src={content.posterUrl}
        {...(jpeg ? { srcSet: jpeg, sizes } : {})}
        alt=""
        width={640}
        height={320}
        decoding="async"
        // The first poster on screen is the page's largest paint: fetched first, not lazily.
        loading={priority ? 'eager' : 'lazy'}
        fetchPriority={priority ? 'high' : 'auto'}
      />
    </picture>
  );
}

export function ContentCard({ content, note, progress, priority = false }: { content: CardContent; note?: string; progress?: number; priority?: boolean }) {
  const href = `/watch/${content.id}`;
  const badge = content.kind === 'photo' ? 'Photo' : formatDuration(content.durationSeconds);
  return (
    <article className="card">
      {/* The link's name starts with what it does and keeps the visible badge (WCAG 2.5.3 label in name). */}
      <Link to={href} className="card-poster">
        <Poster content={content} sizes={CARD_POSTER_SIZES} priority={priority} />
        <span className="visually-hidden">Watch {content.title}, </span>
        <span className="badge badge-corner">{badge}</span>
        {content.projection !== 'equirectangular-mono' ? <span className="badge badge-left">3D</span> : null}
        {progress !== undefined && progress > 0 ? (
          <span className="card-progress" aria-hidden="true">
            <span style={{ width: `${Math.min(100, progress * 100)}%` }} />
          </span>
        ) : null}
      </Link>
      <div className="card-body">
        <h3 className="card-title">
          <Link to={`/content/${content.id}`}>{content.title}</Link>
        </h3>
        <p className="card-meta">
          <Link to={`/u/${encodeURIComponent(content.owner.username)}`}>{content.owner.displayName}</Link>
        </p>
        <p className="card-meta muted">
          {formatCount(content.viewCount, 'view')} · {timeAgo(content.publishedAt ?? content.createdAt)}
          {content.location ? ` · ${content.location.placeName}` : ''}
        </p>
        {note ? <p className="card-note">{note}</p> : null}
        <span className="visually-hidden">{PROJECTION_LABELS[content.projection]}</span>
      </div>
    </article>
  );
}

export function CardGrid({ children }: { children: React.ReactNode }) {
  return <div className="grid">{children}</div>;
}
