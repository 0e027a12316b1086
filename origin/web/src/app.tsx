import { useRef } from 'react';
import { AnnouncementsProvider } from './announcements/announcements.tsx';
import { SessionProvider } from './auth/session.tsx';
import { RealtimeProvider } from './realtime/realtime.tsx';
import { Layout } from './layout.tsx';
import { useLocationHref, useRoute, type Route } from './router.tsx';
import { EmptyState } from './ui/states.tsx';
import { HomePage } from './catalog/home-page.tsx';
import { SearchPage } from './catalog/search-page.tsx';
import { ContentPage } from './catalog/content-page.tsx';
import { PlacesPage } from './catalog/places-page.tsx';
import { DestinationPage } from './destinations/destination-page.tsx';
import { DestinationsPage } from './destinations/destinations-page.tsx';
import { ProfilePage } from './profiles/profile-page.tsx';
import { SignInPage, RegisterPage } from './auth/auth-pages.tsx';
import { HistoryPage } from './engagement/history-page.tsx';
import { LikesPage } from './engagement/likes-page.tsx';
import { Link } from './router.tsx';
import { prefetchWatch } from './watch/watch-prefetch.ts';
// three.js, hls.js and the P2P engine load only when something is watched (home, search, profiles
// never fetch them), and then together with the video's data.
import { WatchShell } from './watch/watch-shell.tsx';
import { UploadShell } from './upload/upload-shell.tsx';
import { AdminPage } from './admin/admin-page.tsx';
import { TourShell } from './tours/tour-shell.tsx';
import { AdsShell } from './ads/ads-shell.tsx';

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'home':
      return <HomePage />;
    case 'search':
      return <SearchPage params={route.params} />;
    case 'content':
      return <ContentPage id={route.id} />;
    case 'watch':
      return <WatchShell id={route.id} startAt={route.t} />;
    case 'profile':
      return <ProfilePage username={route.username} />;
    case 'sign-in':
      return <SignInPage next={route.next} />;
    case 'register':
      return <RegisterPage next={route.next} />;
    case 'history':
      return <HistoryPage />;
    case 'likes':
      return <LikesPage />;
    case 'places':
      return <PlacesPage />;
    case 'destinations':
      return <DestinationsPage />;
    case 'destination':
      return <DestinationPage id={route.id} />;
    case 'upload':
      return <UploadShell />;
    case 'admin':
      return <AdminPage />;
    case 'ads':
      return <AdsShell />;
    case 'tour':
      return <TourShell id={route.id} sceneId={route.scene} />;
    case 'not-found':
      return (
        <EmptyState title="Page not found">
          Nothing lives at <code>{route.path}</code>. <Link to="/">Go to the home page</Link>.
        </EmptyState>
      );
  }
}

export function App() {
  const route = useRoute();
  const href = useLocationHref();
  // Once per navigation, during render: before the page's own effects (which take the prefetched
  // requests) run, also when the chunk is cached and the page renders at once.
  const prefetchedHref = useRef<string | null>(null);
  if (route.name === 'watch' && prefetchedHref.current !== href) {
    prefetchedHref.current = href;
    prefetchWatch(route.id);
  } else if (route.name !== 'watch') {
    prefetchedHref.current = null;
  }
  return (
    <SessionProvider>
      <AnnouncementsProvider>
        <RealtimeProvider>
          <Layout wide={route.name === 'watch' || route.name === 'tour'}>
            <Page route={route} />
          </Layout>
        </RealtimeProvider>
      </AnnouncementsProvider>
    </SessionProvider>
  );
}
