// The advertiser's page loads on demand with tus-js-client: no other page pays for it.
import { lazy, Suspense } from 'react';
import { Spinner } from '../ui/states.tsx';

const AdsPage = lazy(() => import('./ads-page.tsx'));

export function AdsShell() {
  return (
    <Suspense fallback={<Spinner />}>
      <AdsPage />
    </Suspense>
  );
}
