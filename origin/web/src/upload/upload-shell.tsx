// The upload page loads on demand with tus-js-client: no other page pays for it.
import { lazy, Suspense } from 'react';
import { Spinner } from '../ui/states.tsx';

const UploadPage = lazy(() => import('./upload-page.tsx'));

export function UploadShell() {
  return (
    <Suspense fallback={<Spinner />}>
      <UploadPage />
    </Suspense>
  );
}
