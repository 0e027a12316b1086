// The watch page as the main bundle renders it: the title, description, likes and comments appear as
// soon as the content's details arrive (prefetched with the playback payload when the route was
// entered, see watch-prefetch.ts); right after they are painted the stage (three.js, hls.js, the P2P
// engine: the big watch chunk) loads and takes its place. The largest paint of the page no longer
// waits for that chunk to download and run.
import { lazy, Suspense, useEffect, useState } from 'react';
import { api, errorStatus } from '../api/client.ts';
import { ContentEngagement, ContentHeader } from '../engagement/content-engagement.tsx';
import { Link } from '../router.tsx';
import { EmptyState, ErrorState, Spinner } from '../ui/states.tsx';
import { useAsync } from '../ui/use-async.ts';
import { takePrefetched } from './watch-prefetch.ts';
import { WatchRealtime } from './watch-realtime.tsx';
import { WatchShareBar } from '../destinations/destination-widgets.tsx';

const PlaybackStage = lazy(async () => ({ default: (await import('./watch-page.tsx')).PlaybackStage }));

/**
 * True once the page has painted what it has (two animation frames later). Running the watch chunk
 * (about 1.3 MB of JavaScript) before that would hold the title and description off the screen
 * for as long as it takes a phone to evaluate it.
 */
function useAfterPaint(ready: boolean): boolean {
  const [painted, setPainted] = useState(false);
  useEffect(() => {
    if (!ready || painted) return;
    let second = 0;
    const first = requestAnimationFrame(() => {
      second = requestAnimationFrame(() => setPainted(true));
    });
    return () => {
      cancelAnimationFrame(first);
      cancelAnimationFrame(second);
    };
  }, [ready, painted]);
  return painted;
}

function StagePlaceholder({ label }: { label: string }) {
  return (
    <div className="stage stage-placeholder">
      <span className="stage-spinner spinner" role="status" aria-label={label} />
    </div>
  );
}

export function WatchShell({ id, startAt }: { id: string; startAt: number | null }) {
  const detail = useAsync(() => takePrefetched(id, 'detail') ?? api.content.get.query({ id }), [id]);
  const content = detail.data;
  const painted = useAfterPaint(content !== undefined);

  useEffect(() => {
    if (content) document.title = `${content.title} · Spherecast`;
    return () => {
      document.title = 'Spherecast';
    };
  }, [content]);

  if (detail.status === 'error' && !content) {
    return errorStatus(detail.error) === 404 ? (
      <EmptyState title="This video is not available">
        It may have been removed or made private. <Link to="/">Find something else to watch</Link>.
      </EmptyState>
    ) : (
      <ErrorState error={detail.error} onRetry={detail.reload} title="Could not load this video" />
    );
  }
  if (!content) {
    // The stage's box is there from the start, so nothing moves when the details arrive.
    return (
      <div className="watch">
        <StagePlaceholder label="Loading the player" />
        <Spinner />
      </div>
    );
  }

  let stage;
  if (content.status !== 'ready' && content.status !== 'live') {
    stage = (
      <div className="stage stage-placeholder">
        <p>{content.status === 'failed' ? 'Processing this upload failed.' : 'This upload is still being processed. Check back soon.'}</p>
      </div>
    );
  } else if (!painted) {
    stage = <StagePlaceholder label="Loading the player" />;
  } else {
    stage = (
      <Suspense fallback={<StagePlaceholder label="Loading the player" />}>
        <PlaybackStage contentId={content.id} startAt={startAt} />
      </Suspense>
    );
  }

  return (
    <div className="watch">
      {stage}
      <WatchRealtime content={content} />
      <div className="watch-details">
        <ContentHeader content={content} />
        <WatchShareBar content={content} />
        <ContentEngagement content={content} />
      </div>
    </div>
  );
}
