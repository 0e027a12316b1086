// The origin's API as the player sees it: the origin's own typed client (@spherecast/origin/client),
// on the page's origin, with this tab's bearer token and anonymous viewer id.
import { createOriginClient } from '@spherecast/origin/client';
import { viewerId } from './viewer-id.ts';

export { errorMessage, errorStatus, type RouterInputs, type RouterOutputs } from '@spherecast/origin/client';

/**
 * The sign-in token of this tab, sent as a bearer token. The origin also sets an httpOnly cookie,
 * which is what keeps a session across reloads; the header covers browsers that block the cookie.
 */
let bearer: string | null = null;
export function setBearerToken(token: string | null): void {
  bearer = token;
}

export const origin = createOriginClient({
  baseUrl: '',
  token: () => bearer,
  headers: () => ({ 'x-spherecast-viewer': viewerId() }),
  fetch: (url, init) => fetch(url, { ...init, credentials: 'same-origin' }),
});

/** Every procedure of the origin, typed from its router. */
export const api = origin.api;
