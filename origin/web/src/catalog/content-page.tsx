import { Poster } from './content-card.tsx';
import { useEffect } from 'react';
import { api, errorStatus } from '../api/client.ts';
import { ContentEngagement, ContentHeader } from '../engagement/content-engagement.tsx';
import { Link } from '../router.tsx';
import { EmptyState, ErrorState, Spinner } from '../ui/states.tsx';
import { useAsync } from '../ui/use-async.ts';
import { PlayIcon } from '../ui/icons.tsx';

export function ContentPage({ id }: { id: string }) {
  const state = useAsync(() => api.content.get.query({ id }), [id]);
  const content = state.data;
  useEffect(() => {
    if (content) document.title = `${content.title} · Spherecast`;
  }, [content]);

  if (state.status === 'error' && !content) {
    return errorStatus(state.error) === 404 ? (
      <EmptyState title="Not found">
        This content does not exist or is private. <Link to="/">Back to the home page</Link>.
      </EmptyState>
    ) : (
      <ErrorState error={state.error} onRetry={state.reload} />
    );
  }
  if (!content) return <Spinner />;
  const playable = content.status === 'ready' || content.status === 'live';

  return (
    <div className="content-page">
      <Link to={`/watch/${content.id}`} className="hero">
        <Poster content={content} sizes="(max-width: 1000px) 100vw, 1000px" priority />
        {playable ? (
          <span className="hero-play">
            <PlayIcon /> {content.kind === 'photo' ? 'View in 360°' : 'Watch in 360°'}
          </span>
        ) : null}
        <span className="visually-hidden">
          {playable ? ': ' : 'Open '}
          {content.title}
        </span>
      </Link>
      {!playable ? <p className="notice">{content.status === 'failed' ? 'Processing this upload failed.' : 'This upload is still being processed.'}</p> : null}
      <ContentHeader content={content} linkTitle={false} />
      <ContentEngagement content={content} />
    </div>
  );
}
