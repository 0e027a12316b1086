// The tour page (/tours/{id}, #15) as the main bundle renders it: title, description and the scene list
// as soon as the tour arrives; the stage (three.js, hls.js, the P2P engine, the tour player) loads
// after that first paint, as the watch page does.
import { lazy, Suspense, useState } from 'react';
import { api } from '../api/client.ts';
import { Link } from '../router.tsx';
import { PendingStagePage, StagePlaceholder, useAfterPaint, usePageTitle } from '../ui/stage-page.tsx';
import { useAsync } from '../ui/use-async.ts';
import { ShareButton } from '../ui/share-button.tsx';
import { TourComments, TourRating } from './tour-engagement.tsx';

const TourStage = lazy(async () => ({ default: (await import('./tour-stage.tsx')).TourStage }));

/** Same as tour-stage.tsx's tourMomentKey (kept here so the main bundle does not load the stage's). */
const momentKey = (tourId: string): string => `tour:${tourId}`;
const STAGE_LABEL = 'Loading the tour';

export function TourShell({ id, sceneId }: { id: string; sceneId: string | null }) {
  const detail = useAsync(() => api.tours.get.query({ id }), [id]);
  const tour = detail.data;
  const painted = useAfterPaint(tour !== undefined);
  const [sceneOnScreen, setSceneOnScreen] = useState<string | null>(sceneId);

  usePageTitle(tour?.title);

  if (!tour) return <PendingStagePage detail={detail} noun="tour" loadingLabel={STAGE_LABEL} />;
  return (
    <div className="watch tour">
      {painted ? (
        <Suspense fallback={<StagePlaceholder label={STAGE_LABEL} />}>
          <TourStage tour={tour} startSceneId={sceneId} onSceneChange={setSceneOnScreen} />
        </Suspense>
      ) : (
        <StagePlaceholder label={STAGE_LABEL} />
      )}
      <div className="watch-details">
        <h1>{tour.title}</h1>
        <p className="muted">
          {tour.mode === 'guided' ? 'Guided tour' : 'Tour'} by <Link to={`/u/${encodeURIComponent(tour.owner.username)}`}>{tour.owner.displayName}</Link> ·{' '}
          {tour.scenes.length} {tour.scenes.length === 1 ? 'scene' : 'scenes'}
          {tour.status === 'draft' ? ' · draft (only you see it)' : ''}
        </p>
        {tour.status === 'published' ? (
          <div className="tour-actions">
            <TourRating tour={tour} />
            <ShareButton
              path={`/tours/${tour.id}${sceneOnScreen ? `?scene=${encodeURIComponent(sceneOnScreen)}` : ''}`}
              title={tour.title}
              momentKey={momentKey(tour.id)}
            />
          </div>
        ) : null}
        {tour.description ? <p className="tour-description">{tour.description}</p> : null}
        {tour.status === 'published' ? <TourComments tour={tour} /> : null}
      </div>
    </div>
  );
}
