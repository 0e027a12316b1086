import { z } from 'zod';
import { createOriginClient, errorMessage, errorStatus, OriginApiError } from '@spherecast/origin/client';
import { StudioError } from '../errors.ts';

/** An origin base URL: http(s) only, no credentials, no query; stored without a trailing slash. */
export const originUrlSchema = z
  .url({ message: 'Enter the origin address, e.g. https://spherecast.example.org' })
  .refine((value) => /^https?:\/\//i.test(value), 'The origin address must start with http:// or https://')
  .transform((value) => {
    const url = new URL(value);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    return url.toString().replace(/\/+$/, '');
  });

export const signInInputSchema = z.object({
  originUrl: originUrlSchema,
  login: z.string().trim().min(1, 'Enter your username or email.').max(320),
  password: z.string().min(1, 'Enter your password.').max(1024),
});

/** What the renderer may see of a session: never the token. */
export interface OriginSessionInfo {
  originUrl: string;
  userId: string;
  username: string;
  expiresAt: string | null;
}

interface Session extends OriginSessionInfo {
  token: string;
}

/** The origin sign-in of this studio. The token lives only in this object (engine memory), never in the renderer. */
export class OriginSession {
  #session: Session | null = null;

  info(): OriginSessionInfo | null {
    const session = this.#current();
    if (!session) return null;
    const { token: _token, ...info } = session;
    return info;
  }

  /** The session's origin and token for an upload; throws NOT_SIGNED_IN when there is none. */
  credentials(): { originUrl: string; token: string } {
    const session = this.#current();
    if (!session) throw new StudioError('NOT_SIGNED_IN', 'Sign in to an origin before publishing.');
    return { originUrl: session.originUrl, token: session.token };
  }

  async signIn(input: z.input<typeof signInInputSchema>, signal?: AbortSignal): Promise<OriginSessionInfo> {
    const { originUrl, login, password } = signInInputSchema.parse(input);
    // The origin's own client: `auth.login`, its answer checked against the origin's authResultSchema.
    const client = createOriginClient({ baseUrl: originUrl, batch: false });
    let answer;
    try {
      answer = await client.login({ login, password }, { signal: signal ?? AbortSignal.timeout(15_000) });
    } catch (error) {
      throw signInFailure(originUrl, error);
    }
    this.#session = {
      originUrl,
      token: answer.token,
      userId: answer.user.id,
      username: answer.user.username,
      expiresAt: answer.expiresAt.toISOString(),
    };
    return this.info() as OriginSessionInfo;
  }

  signOut(): void {
    this.#session = null;
  }

  #current(): Session | null {
    const session = this.#session;
    if (session?.expiresAt && Date.parse(session.expiresAt) <= Date.now()) {
      this.#session = null;
      return null;
    }
    return session;
  }
}

/** A failed sign-in as a StudioError that says what to do. */
function signInFailure(originUrl: string, error: unknown): StudioError {
  const status = errorStatus(error);
  if (status === 0) {
    return new StudioError('ORIGIN_UNREACHABLE', `Could not reach ${originUrl}. Check the address and that the origin is running, then try again.`, {
      cause: error,
    });
  }
  if (status === 401 || status === 403) {
    return new StudioError('ORIGIN_REJECTED', 'The origin did not accept that username/email and password. Check them and try again.', { cause: error });
  }
  if (error instanceof OriginApiError && status < 300) return new StudioError('ORIGIN_REJECTED', error.message, { cause: error });
  return new StudioError(status >= 500 ? 'ORIGIN_UNREACHABLE' : 'ORIGIN_REJECTED', `The origin refused the sign-in (HTTP ${status}): ${errorMessage(error)}`, {
    cause: error,
  });
}
