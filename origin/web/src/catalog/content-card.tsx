import type { RouterOutputs } from '../api/client.ts';

type CardData = RouterOutputs['content']['listByCreator']['items'][number];
import { Link } from '../router.tsx';
import { formatDuration } from '@spherecast/shared/format';
import { formatCount, timeAgo, PROJECTION_LABELS } from '../ui/format.ts';

/** The fields a card shows; search results, recommendations, history and likes all carry them. */
export type CardContent = Pick<
  CardData,
  'id' | 'kind' | 'title' | 'projection' | 'durationSeconds' | 'posterUrl' | 'viewCount' | 'publishedAt' | 'createdAt' | 'location' | 'owner'
>;

export function ContentCard({ content, note, progress }: { content: CardContent; note?: string; progress?: number }) {
  const href = `/watch/${content.id}`;
  return (
    <article className="card">
      <Link to={href} className="card-poster" aria-label={`Watch ${content.title}`}>
        {content.posterUrl ? <img src={content.posterUrl} alt="" loading="lazy" /> : <span className="card-poster-fallback" aria-hidden="true" />}
        <span className="badge badge-corner">{content.kind === 'photo' ? 'Photo' : formatDuration(content.durationSeconds)}</span>
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
