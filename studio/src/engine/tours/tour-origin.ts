// The tour editor's calls to the signed-in origin, through the origin's typed client with the engine's
// session token (the renderer never holds it): the creator's published scenes, a scene's poster for the
// 360 preview, saving a draft and publishing it. A publish refusal comes back as data (what the origin
// said, per hotspot and scene), not as an error, so the editor can point at what to fix.
import { z } from 'zod';
import { TRPCClientError } from '@trpc/client';
import { createOriginClient, errorMessage, errorStatus, type OriginClient } from '@spherecast/origin/client';
import { TOUR_MEDIA_LIMITS, TOUR_SCENE_KINDS, tourCreateInput, tourMediaUploadSchema, type TourCreateInput, type TourMediaUpload } from '@spherecast/shared';
import { StudioError } from '../errors.ts';

export interface OriginCredentials {
  originUrl: string;
  token: string;
}

/** A published item of the creator's that can be a tour scene. */
export interface SceneCandidate {
  contentId: string;
  kind: (typeof TOUR_SCENE_KINDS)[number];
  title: string;
  projection: string;
  visibility: string;
  durationSeconds: number | null;
  hasPoster: boolean;
}

/** What the editor saves and publishes: the tour as the origin's create input, and its id once saved. */
export const tourSaveInput = z.object({
  /** Null for a tour not saved on the origin yet. */
  id: z.uuid().nullable(),
  tour: tourCreateInput,
});
export type TourSaveInput = z.input<typeof tourSaveInput>;

/** One problem the origin found at publish, with the scene and hotspot it is about (from its path). */
export interface TourRefusalIssue {
  path: (string | number)[];
  message: string;
  sceneId: string | null;
  hotspotId: string | null;
}

export type TourPublishResult =
  { published: true; tourId: string; status: string; url: string } | { published: false; tourId: string; message: string; issues: TourRefusalIssue[] };

/** Content statuses a scene can show: finished, or a broadcast's recording (the origin's publish check allows the same). */
const SCENE_STATUSES: readonly string[] = ['ready', 'ended'];

/** Poster bytes the preview accepts (a 360 poster is a JPEG of a few hundred KiB). */
const POSTER_MAX_BYTES = 16 * 1024 * 1024;
const CALL_TIMEOUT_MS = 20_000;
/** An audio upload may take longer than a call (20 MiB on a slow uplink). */
const UPLOAD_TIMEOUT_MS = 120_000;

function clientOf(credentials: OriginCredentials): OriginClient {
  return createOriginClient({ baseUrl: credentials.originUrl, token: () => credentials.token, batch: false });
}

/** A failed origin call as a StudioError that says what to do. */
function originFailure(what: string, error: unknown): StudioError {
  const status = errorStatus(error);
  if (status === 0)
    return new StudioError('ORIGIN_UNREACHABLE', `Could not reach the origin to ${what}. Check that it is running, then try again.`, { cause: error });
  if (status === 401) return new StudioError('NOT_SIGNED_IN', 'The origin session has expired: sign in again.', { cause: error });
  return new StudioError(status >= 500 ? 'ORIGIN_UNREACHABLE' : 'ORIGIN_REJECTED', `The origin refused to ${what}: ${errorMessage(error)}`, { cause: error });
}

/** The creator's published videos and photos (and broadcast recordings), newest first (at most `limit`), to choose scenes from. */
export async function listSceneCandidates(credentials: OriginCredentials, userId: string, limit = 200): Promise<SceneCandidate[]> {
  const client = clientOf(credentials);
  const found: SceneCandidate[] = [];
  let cursor: string | undefined;
  try {
    do {
      const page = await client.api.content.listByCreator.query(
        { userId, limit: 50, ...(cursor ? { cursor } : {}) },
        { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) },
      );
      for (const item of page.items) {
        if (!SCENE_STATUSES.includes(item.status) || !(TOUR_SCENE_KINDS as readonly string[]).includes(item.kind)) continue;
        found.push({
          contentId: item.id,
          kind: item.kind as SceneCandidate['kind'],
          title: item.title,
          projection: item.projection,
          visibility: item.visibility,
          durationSeconds: item.durationSeconds,
          hasPoster: item.posterUrl !== null,
        });
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor && found.length < limit);
  } catch (error) {
    throw originFailure('list your published content', error);
  }
  return found.slice(0, limit);
}

/**
 * A scene's poster as a data: URL for the 360 preview (the renderer's page may load only its own
 * images and data: URLs), or null when the content has none.
 */
export async function scenePosterDataUrl(credentials: OriginCredentials, contentId: string): Promise<string | null> {
  const client = clientOf(credentials);
  let posterUrl: string | null;
  try {
    posterUrl = (await client.api.content.get.query({ id: contentId }, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) })).posterUrl;
  } catch (error) {
    throw originFailure('show that scene', error);
  }
  if (!posterUrl) return null;
  let response: Response;
  try {
    response = await fetch(new URL(posterUrl, `${credentials.originUrl}/`), {
      headers: { authorization: `Bearer ${credentials.token}` },
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
  } catch (error) {
    throw new StudioError('ORIGIN_UNREACHABLE', "Could not download the scene's poster. Check that the origin is running, then try again.", { cause: error });
  }
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || !/^image\//.test(type)) {
    await response.body?.cancel().catch(() => undefined);
    return null;
  }
  const bytes = Buffer.from(await response.arrayBuffer());
  if (bytes.length > POSTER_MAX_BYTES) return null;
  return `data:${type.split(';')[0]};base64,${bytes.toString('base64')}`;
}

/** The creator's tours on the origin (drafts too), newest first. */
export async function listTours(credentials: OriginCredentials, userId: string) {
  try {
    const page = await clientOf(credentials).api.tours.list.query({ ownerId: userId, limit: 50 }, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
    return page.items;
  } catch (error) {
    throw originFailure('list your tours', error);
  }
}

/** One tour as saved on the origin (scenes and hotspots), to edit it. */
export async function getTour(credentials: OriginCredentials, id: string) {
  try {
    return await clientOf(credentials).api.tours.get.query({ id }, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
  } catch (error) {
    throw originFailure('open that tour', error);
  }
}

/**
 * Uploads a narration audio file to a saved tour (`PUT /api/tours/{id}/media/{file}`); the origin
 * checks the bytes are audio and answers the `/media/...` path a narration's `audioUrl` takes.
 */
export async function uploadTourAudio(credentials: OriginCredentials, tourId: string, fileName: string, bytes: Buffer): Promise<TourMediaUpload> {
  if (bytes.length > TOUR_MEDIA_LIMITS.audioMaxBytes)
    throw new StudioError('ORIGIN_REJECTED', `${fileName} is larger than ${TOUR_MEDIA_LIMITS.audioMaxBytes / 1048576} MiB; shorten or compress the narration.`);
  let response: Response;
  try {
    response = await fetch(new URL(`/api/tours/${tourId}/media/${encodeURIComponent(fileName)}`, `${credentials.originUrl}/`), {
      method: 'PUT',
      headers: { authorization: `Bearer ${credentials.token}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(bytes),
      signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
    });
  } catch (error) {
    throw new StudioError('ORIGIN_UNREACHABLE', 'Could not reach the origin to upload the narration. Check that it is running, then try again.', {
      cause: error,
    });
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.status === 401) throw new StudioError('NOT_SIGNED_IN', 'The origin session has expired: sign in again.');
  if (!response.ok) {
    const message = body && typeof body === 'object' && 'message' in body && typeof body.message === 'string' ? body.message : `HTTP ${response.status}`;
    throw new StudioError(response.status >= 500 ? 'ORIGIN_UNREACHABLE' : 'ORIGIN_REJECTED', `The origin refused ${fileName}: ${message}`);
  }
  const parsed = tourMediaUploadSchema.safeParse(body);
  if (!parsed.success) throw new StudioError('ORIGIN_REJECTED', 'The origin answered the narration upload with something unexpected; is it up to date?');
  return parsed.data;
}

/** Saves the tour as a draft (creates it the first time); on a published tour the origin validates it again. */
export async function saveTour(credentials: OriginCredentials, input: TourSaveInput): Promise<{ id: string; status: string }> {
  const { id, tour } = tourSaveInput.parse(input);
  const client = clientOf(credentials);
  try {
    const saved = id
      ? await client.api.tours.update.mutate({ id, ...tour }, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) })
      : await client.api.tours.create.mutate(tour, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
    return { id: saved.id, status: saved.status };
  } catch (error) {
    throw originFailure('save the tour', error);
  }
}

/** Saves, then publishes: the origin checks every target, direction and scene; a refusal is returned, not thrown. */
export async function publishTour(credentials: OriginCredentials, input: TourSaveInput): Promise<TourPublishResult> {
  const parsed = tourSaveInput.parse(input);
  let tourId = parsed.id;
  const client = clientOf(credentials);
  try {
    if (tourId) {
      // A published tour is validated by update itself; a draft only at publish.
      await client.api.tours.update.mutate({ id: tourId, ...parsed.tour }, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
    } else {
      tourId = (await client.api.tours.create.mutate(parsed.tour, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) })).id;
    }
    const published = await client.api.tours.publish.mutate({ id: tourId }, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
    return { published: true, tourId, status: published.status, url: `${credentials.originUrl}/tours/${tourId}` };
  } catch (error) {
    const refusal = refusalOf(error, parsed.tour);
    if (refusal && tourId) return { published: false, tourId, ...refusal };
    throw originFailure('publish the tour', error);
  }
}

const issuesSchema = z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() }));

/** The origin's publish refusal (a 400 with `data.issues`), each issue tied to its scene and hotspot. */
export function refusalOf(error: unknown, tour: z.output<typeof tourCreateInput> | TourCreateInput): { message: string; issues: TourRefusalIssue[] } | null {
  if (!(error instanceof TRPCClientError) || errorStatus(error) !== 400) return null;
  const data: unknown = error.data;
  const raw = data && typeof data === 'object' && 'issues' in data ? data.issues : undefined;
  const parsed = issuesSchema.safeParse(raw);
  const issues = parsed.success ? parsed.data : [];
  const scenes = tour.scenes ?? [];
  return {
    message: error.message,
    issues: issues.map((issue) => {
      // Paths as in a zod issue of the tour input: ['scenes', 2, 'hotspots', 0, 'action', 'targetSceneId'].
      const [root, sceneIndex, group, hotspotIndex] = issue.path;
      const scene = root === 'scenes' && typeof sceneIndex === 'number' ? scenes[sceneIndex] : undefined;
      const hotspot = scene && group === 'hotspots' && typeof hotspotIndex === 'number' ? scene.hotspots?.[hotspotIndex] : undefined;
      return { path: issue.path, message: issue.message, sceneId: scene?.id ?? null, hotspotId: hotspot?.id ?? null };
    }),
  };
}
