import { z } from 'zod';
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

const loginResponseSchema = z.object({
  token: z.string().min(1),
  expiresAt: z.string().nullish(),
  user: z.object({ id: z.string(), username: z.string(), email: z.string().nullish(), displayName: z.string().nullish() }).loose(),
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
    let response: Response;
    try {
      response = await fetch(`${originUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ login, password }),
        signal: signal ?? AbortSignal.timeout(15_000),
      });
    } catch (error) {
      throw new StudioError('ORIGIN_UNREACHABLE', `Could not reach ${originUrl}. Check the address and that the origin is running, then try again.`, {
        cause: error,
      });
    }
    const body: unknown = await response.json().catch(() => null);
    if (response.status === 401 || response.status === 403) {
      throw new StudioError('ORIGIN_REJECTED', 'The origin did not accept that username/email and password. Check them and try again.');
    }
    if (!response.ok) {
      const detail = readMessage(body);
      throw new StudioError(
        response.status >= 500 ? 'ORIGIN_UNREACHABLE' : 'ORIGIN_REJECTED',
        `The origin refused the sign-in (HTTP ${response.status}${detail ? `: ${detail}` : ''}).`,
      );
    }
    const parsed = loginResponseSchema.safeParse(body);
    if (!parsed.success) {
      throw new StudioError('ORIGIN_REJECTED', `${originUrl} answered, but not like a Spherecast origin. Check the address.`);
    }
    this.#session = {
      originUrl,
      token: parsed.data.token,
      userId: parsed.data.user.id,
      username: parsed.data.user.username,
      expiresAt: parsed.data.expiresAt ?? null,
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

/** The `message` (or problem+json `detail`/`title`) of an error body, if any. */
export function readMessage(body: unknown): string | null {
  if (!body || typeof body !== 'object') return null;
  for (const key of ['message', 'detail', 'title', 'error'] as const) {
    const value = (body as Record<string, unknown>)[key];
    if (typeof value === 'string' && value) return value;
  }
  return null;
}
