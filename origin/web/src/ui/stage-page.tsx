// What the watch page and the tour page share around their stage (three.js, hls.js, the P2P engine:
// a big lazy chunk): the stage's box from the start, the stage itself only once the details are
// painted, the document title, and the not-found and error states.
import { useEffect, useState } from 'react';
import { errorStatus } from '../api/client.ts';
import { Link } from '../router.tsx';
import { EmptyState, ErrorState, Spinner } from './states.tsx';
import type { AsyncState } from './use-async.ts';

/**
 * True once the page has painted what it has (two animation frames later). Running the stage's chunk
 * (about 1.3 MB of JavaScript) before that would hold the title and description off the screen
 * for as long as it takes a phone to evaluate it.
 */
export function useAfterPaint(ready: boolean): boolean {
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

/** `<title> · Spherecast` while the page shows it (once known), `Spherecast` after. */
export function usePageTitle(title: string | undefined): void {
  useEffect(() => {
    if (title !== undefined) document.title = `${title} · Spherecast`;
    return () => {
      document.title = 'Spherecast';
    };
  }, [title]);
}

/** The stage's box with a spinner, so nothing moves when the stage arrives. */
export function StagePlaceholder({ label }: { label: string }) {
  return (
    <div className="stage stage-placeholder">
      <span className="stage-spinner spinner" role="status" aria-label={label} />
    </div>
  );
}

/** The page while its details have not arrived: loading (the stage's box already in place), not found, or an error with a retry. */
export function PendingStagePage({ detail, noun, loadingLabel }: { detail: AsyncState<unknown> & { reload: () => void }; noun: string; loadingLabel: string }) {
  if (detail.status === 'error') {
    return errorStatus(detail.error) === 404 ? (
      <EmptyState title={`This ${noun} is not available`}>
        It may have been removed or made private. <Link to="/">Find something else to watch</Link>.
      </EmptyState>
    ) : (
      <ErrorState error={detail.error} onRetry={detail.reload} title={`Could not load this ${noun}`} />
    );
  }
  return (
    <div className="watch">
      <StagePlaceholder label={loadingLabel} />
      <Spinner />
    </div>
  );
}
