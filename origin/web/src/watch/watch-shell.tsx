// The watch page as the main bundle renders it: the title, description, likes and comments appear as
// soon as the content's details arrive (prefetched with the playback payload when the route was
// entered, see watch-prefetch.ts); right after they are painted the stage (three.js, hls.js, the P2P
// engine: the big watch chunk) loads and takes its place. The largest paint of the page no longer
// waits for that chunk to download and run.
import { lazy, Suspense } from 'react';
import { api } from '../api/client.ts';
import { ContentEngagement, ContentHeader } from '../engagement/content-engagement.tsx';
import { PendingStagePage, StagePlaceholder, useAfterPaint, usePageTitle } from '../ui/stage-page.tsx';
import { useAsync } from '../ui/use-async.ts';
import { takePrefetched } from './watch-prefetch.ts';
import { WatchRealtime } from './watch-realtime.tsx';
import { WatchShareBar } from '../destinations/destination-widgets.tsx';

const PlaybackStage = lazy(async () => ({ default: (await import('./watch-page.tsx')).PlaybackStage }));

export function WatchShell({ id, startAt }: { id: string; startAt: number | null }) {
  const detail = useAsync(() => takePrefetched(id, 'detail') ?? api.content.get.query({ id }), [id]);
  const content = detail.data;
  const painted = useAfterPaint(content !== undefined);

  usePageTitle(content?.title);

  if (!content) return <PendingStagePage detail={detail} noun="video" loadingLabel="Loading the player" />;

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
