// A small history-API router: the app has a handful of flat routes, so no router library.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

export type Route =
  | { name: 'home' }
  | { name: 'search'; params: URLSearchParams }
  | { name: 'content'; id: string }
  | { name: 'watch'; id: string; t: number | null }
  | { name: 'profile'; username: string }
  | { name: 'sign-in'; next: string | null }
  | { name: 'register'; next: string | null }
  | { name: 'history' }
  | { name: 'likes' }
  | { name: 'places' }
  | { name: 'destinations' }
  | { name: 'destination'; id: string }
  | { name: 'upload' }
  | { name: 'admin' }
  | { name: 'ads' }
  | { name: 'tour'; id: string; scene: string | null }
  | { name: 'not-found'; path: string };

const NAVIGATE_EVENT = 'spherecast:navigate';

/** Maps a location to a route. Pure, so it is unit-tested. */
export function parseRoute(pathname: string, search: string): Route {
  const params = new URLSearchParams(search);
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second] = parts;
  if (parts.length === 0) return { name: 'home' };
  if (parts.length === 1) {
    switch (first) {
      case 'search':
        return { name: 'search', params };
      case 'signin':
        return { name: 'sign-in', next: params.get('next') };
      case 'register':
        return { name: 'register', next: params.get('next') };
      case 'history':
        return { name: 'history' };
      case 'likes':
        return { name: 'likes' };
      case 'places':
        return { name: 'places' };
      case 'destinations':
        return { name: 'destinations' };
      case 'upload':
        return { name: 'upload' };
      case 'admin':
        return { name: 'admin' };
      case 'ads':
        return { name: 'ads' };
    }
  }
  if (parts.length === 2 && second) {
    if (first === 'watch') {
      const t = Number(params.get('t'));
      return { name: 'watch', id: second, t: params.has('t') && Number.isFinite(t) && t >= 0 ? t : null };
    }
    if (first === 'content') return { name: 'content', id: second };
    if (first === 'u') return { name: 'profile', username: second };
    if (first === 'tours') return { name: 'tour', id: second, scene: params.get('scene') };
    if (first === 'destinations') return { name: 'destination', id: second };
  }
  return { name: 'not-found', path: pathname };
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

const currentHref = (): string => location.pathname + location.search;

/** The current location (path + query), re-rendering on navigation. */
export function useLocationHref(): string {
  return useSyncExternalStore(subscribe, currentHref);
}

export function useRoute(): Route {
  const href = useLocationHref();
  const url = new URL(href, location.origin);
  return parseRoute(url.pathname, url.search);
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentHref()) return;
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
  if (!options.replace) window.scrollTo(0, 0);
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string; children: ReactNode };

/** An anchor that navigates in-app on a plain left click and behaves normally otherwise (new tab, etc.). */
export function Link({ to, onClick, children, ...rest }: LinkProps) {
  const handle = (event: MouseEvent<HTMLAnchorElement>): void => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={handle} {...rest}>
      {children}
    </a>
  );
}
