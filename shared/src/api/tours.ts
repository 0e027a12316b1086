import { z } from 'zod';
import { idSchema, pageInput, pageOf } from './common.ts';
import { visibilitySchema, contentKindSchema } from './content.ts';
import { LIMITS } from './limits.ts';
import { textSchema } from './text.ts';
import { publicUserSchema } from './users.ts';

/**
 * Guided tours (#15): an ordered list of scenes (360 videos or photos), connected by hotspots placed at
 * a direction (yaw, pitch) in a scene. A hotspot leads to another scene, shows an info card, or plays
 * narration.
 *
 * Drafts are saved as long as their shape is right (types, sizes, finite numbers, unique ids), so an
 * editor can save half-linked work; everything else (ranges, targets that exist and are visible to the
 * tour's audience, no orphan scene) is checked at publish, and again on every update of a published
 * tour, with one problem per hotspot or scene (`TourProblem`).
 */

export const TOUR_MODES = ['free', 'guided'] as const;
export const tourModeSchema = z.enum(TOUR_MODES);
export type TourMode = z.infer<typeof tourModeSchema>;

/** `draft`: saved, seen only by its owner. `published`: validated, seen per its visibility. */
export const TOUR_STATUSES = ['draft', 'published'] as const;
export const tourStatusSchema = z.enum(TOUR_STATUSES);

/** Content kinds a scene may show (a live broadcast becomes a `video` when it ends). */
export const TOUR_SCENE_KINDS = ['video', 'photo'] as const;

export const TOUR_LIMITS = {
  scenesMax: 50,
  hotspotsPerSceneMax: 40,
  /** Scene and hotspot ids are chosen by the editor (so a hotspot can name a scene before it is saved). */
  localIdMax: 64,
  hotspotLabelMax: 120,
  infoTextMax: 2000,
  narrationTextMax: 4000,
  /** Longest time a guided scene may stay before advancing, in seconds. */
  sceneDurationMaxSeconds: 3600,
} as const;

/** Tour media uploads (`PUT /api/tours/{id}/media/{file}`): narration audio. */
export const TOUR_MEDIA_LIMITS = {
  /** Largest narration audio file, in bytes (20 MiB: about 20 minutes of 128 kbit/s MP3). */
  audioMaxBytes: 20 * 1048576,
  /** Extensions the studio offers; the origin checks the bytes themselves (MP3, M4A/AAC, Ogg, WAV). */
  audioExtensions: ['mp3', 'm4a', 'aac', 'ogg', 'oga', 'wav'],
} as const;

/** The answer to a tour media upload: `url` is the origin path a narration's `audioUrl` takes. */
export const tourMediaUploadSchema = z.object({
  url: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  durationSeconds: z.number().nullable(),
});
export type TourMediaUpload = z.infer<typeof tourMediaUploadSchema>;

/** Degrees, -180 (behind, to the left) .. 180 (behind, to the right); 0 is the centre of the equirectangular frame. */
export const YAW_RANGE = { min: -180, max: 180 } as const;
/** Degrees, -90 (straight down) .. 90 (straight up). */
export const PITCH_RANGE = { min: -90, max: 90 } as const;

/** Scene and hotspot ids: short, URL- and DOM-safe (`lobby`, `s2`, `h-7f3a`). */
export const tourLocalIdSchema = z
  .string()
  .min(1)
  .max(TOUR_LIMITS.localIdMax)
  .regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, - and _');

/** An audio or image address: http(s), or a path on this origin (`/media/…`). */
export const tourMediaUrlSchema = z
  .string()
  .trim()
  .min(1)
  .max(LIMITS.urlMax)
  .refine((value) => /^https?:\/\/[^\s]+$/i.test(value) || /^\/[^/\s][^\s]*$/.test(value), {
    message: 'must be an http(s) URL or a path on this origin starting with /',
  });

/** A direction in degrees. Any finite number is saved in a draft; publish requires the ranges above. */
const angleSchema = z.number({ error: 'must be a finite number of degrees' });

/** Narration: an audio file, a caption text, or both (the text is shown while the audio plays). */
export const narrationSchema = z
  .object({
    audioUrl: tourMediaUrlSchema.nullable().default(null),
    text: textSchema().trim().max(TOUR_LIMITS.narrationTextMax).nullable().default(null),
  })
  .refine((value) => value.audioUrl !== null || (value.text !== null && value.text.length > 0), {
    message: 'narration needs an audioUrl or a text',
  });
export type Narration = z.infer<typeof narrationSchema>;

export const HOTSPOT_ACTION_KINDS = ['scene', 'info', 'narration'] as const;
export const hotspotActionSchema = z.discriminatedUnion('kind', [
  /** Go to another scene of the same tour. */
  z.object({ kind: z.literal('scene'), targetSceneId: tourLocalIdSchema }),
  /** Show an info card (text and an optional image) in the scene. */
  z.object({
    kind: z.literal('info'),
    title: textSchema().trim().min(1).max(LIMITS.titleMax),
    text: textSchema().max(TOUR_LIMITS.infoTextMax).default(''),
    imageUrl: tourMediaUrlSchema.nullable().default(null),
  }),
  /** Play narration (audio and/or caption text). */
  z.object({
    kind: z.literal('narration'),
    audioUrl: tourMediaUrlSchema.nullable().default(null),
    text: textSchema().trim().max(TOUR_LIMITS.narrationTextMax).nullable().default(null),
  }),
]);
export type HotspotAction = z.infer<typeof hotspotActionSchema>;

export const hotspotSchema = z.object({
  id: tourLocalIdSchema,
  /** Shown beside the marker and read by screen readers; defaults to the target's title in the player. */
  label: textSchema().trim().max(TOUR_LIMITS.hotspotLabelMax).default(''),
  yaw: angleSchema,
  pitch: angleSchema,
  action: hotspotActionSchema,
});
export type Hotspot = z.infer<typeof hotspotSchema>;
export type HotspotInput = z.input<typeof hotspotSchema>;

export const tourSceneSchema = z.object({
  id: tourLocalIdSchema,
  /** A 360 video or photo content item (`TOUR_SCENE_KINDS`), ready. */
  contentId: idSchema,
  title: textSchema().trim().min(1).max(LIMITS.titleMax),
  narration: narrationSchema.nullable().default(null),
  /**
   * Guided mode: seconds before the scene advances on its own (after its narration has ended, if it
   * has audio). Null: the content's duration (a video) or, for a photo, until the narration ends
   * (or 10 s without narration: `GUIDED_DEFAULT_SECONDS`).
   */
  durationSeconds: z.number().positive().max(TOUR_LIMITS.sceneDurationMaxSeconds).nullable().default(null),
  /** Where the view faces when the scene opens from the tour's start (degrees); null: 0. */
  startYaw: angleSchema.nullable().default(null),
  startPitch: angleSchema.nullable().default(null),
  hotspots: z.array(hotspotSchema).max(TOUR_LIMITS.hotspotsPerSceneMax).default([]),
});
export type TourScene = z.infer<typeof tourSceneSchema>;
export type TourSceneInput = z.input<typeof tourSceneSchema>;

/** Seconds a guided scene without duration or narration stays (a photo). */
export const GUIDED_DEFAULT_SECONDS = 10;

/** Ordered scenes; the first is where the tour starts. Ids unique within the tour (scenes) and scene (hotspots). */
export const tourScenesSchema = z
  .array(tourSceneSchema)
  .max(TOUR_LIMITS.scenesMax)
  .superRefine((scenes, ctx) => {
    const sceneIds = new Set<string>();
    scenes.forEach((scene, sceneIndex) => {
      if (sceneIds.has(scene.id)) {
        ctx.addIssue({ code: 'custom', path: [sceneIndex, 'id'], message: `scene id "${scene.id}" is used twice; give each scene its own id` });
      }
      sceneIds.add(scene.id);
      const hotspotIds = new Set<string>();
      scene.hotspots.forEach((hotspot, hotspotIndex) => {
        if (hotspotIds.has(hotspot.id)) {
          ctx.addIssue({
            code: 'custom',
            path: [sceneIndex, 'hotspots', hotspotIndex, 'id'],
            message: `hotspot id "${hotspot.id}" is used twice in scene "${scene.id}"; give each hotspot its own id`,
          });
        }
        hotspotIds.add(hotspot.id);
      });
    });
  });

const tourFields = {
  title: textSchema().trim().min(1).max(LIMITS.titleMax),
  description: textSchema().max(LIMITS.descriptionMax),
  mode: tourModeSchema,
  visibility: visibilitySchema,
  /** A destination (#15 destinations); null until destinations exist or when the tour has none. */
  destinationId: idSchema.nullable(),
};

export const tourCreateInput = z.object({
  title: tourFields.title,
  description: tourFields.description.default(''),
  mode: tourFields.mode.default('free'),
  visibility: tourFields.visibility.default('public'),
  destinationId: tourFields.destinationId.default(null),
  scenes: tourScenesSchema.default([]),
});
export type TourCreateInput = z.input<typeof tourCreateInput>;

/** Fields given replace the saved ones (`scenes` as a whole). On a published tour the result is validated as at publish. */
export const tourUpdateInput = z.object({
  id: idSchema,
  title: tourFields.title.optional(),
  description: tourFields.description.optional(),
  mode: tourFields.mode.optional(),
  visibility: tourFields.visibility.optional(),
  destinationId: tourFields.destinationId.optional(),
  scenes: tourScenesSchema.optional(),
});
export type TourUpdateInput = z.input<typeof tourUpdateInput>;

/** Validates the saved tour (see `TourProblem`) and makes it visible per its visibility. */
export const tourPublishInput = z.object({ id: idSchema });

/** Tours list: the public ones (newest first), or one creator's (`ownerId`; their own drafts and private ones too). */
export const tourListInput = pageInput.extend({ ownerId: idSchema.optional() });

/** What the player needs of a scene's content, or null when the caller may not see it. */
export const tourSceneContentSchema = z.object({
  id: z.string(),
  kind: contentKindSchema,
  title: z.string(),
  posterUrl: z.string().nullable(),
  durationSeconds: z.number().nullable(),
});

export const tourSceneViewSchema = tourSceneSchema.extend({ content: tourSceneContentSchema.nullable() });
export type TourSceneView = z.infer<typeof tourSceneViewSchema>;

export const tourSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  mode: tourModeSchema,
  visibility: visibilitySchema,
  status: tourStatusSchema,
  destinationId: z.string().nullable(),
  sceneCount: z.number().int(),
  /** The first scene's poster. */
  posterUrl: z.string().nullable(),
  owner: publicUserSchema.pick({ id: true, username: true, displayName: true, avatarUrl: true }),
  createdAt: z.date(),
  updatedAt: z.date(),
  publishedAt: z.date().nullable(),
});
export type TourSummary = z.infer<typeof tourSummarySchema>;

export const tourDetailSchema = tourSummarySchema.extend({ scenes: z.array(tourSceneViewSchema) });
export type TourDetail = z.infer<typeof tourDetailSchema>;
export const tourPageSchema = pageOf(tourSummarySchema);

/** Why a tour cannot be published; each names the scene and, where it applies, the hotspot. */
export const TOUR_PROBLEM_CODES = [
  'no-scenes',
  'hotspot-out-of-range',
  'start-out-of-range',
  'unknown-target-scene',
  'missing-content',
  'content-not-visible',
  'content-not-ready',
  'orphan-scene',
  'missing-narration',
] as const;
export const tourProblemSchema = z.object({
  code: z.enum(TOUR_PROBLEM_CODES),
  sceneId: z.string().nullable(),
  hotspotId: z.string().nullable(),
  /** Where in the tour input: `scenes.2.hotspots.0.yaw`, like a zod issue path. */
  path: z.array(z.union([z.string(), z.number()])),
  /** A sentence naming the scene and hotspot and saying what to change. */
  message: z.string(),
});
export type TourProblem = z.infer<typeof tourProblemSchema>;

/**
 * Publish refusal: a tRPC `BAD_REQUEST` (REST 400) whose message joins the first problems' messages, and
 * whose `data.issues` holds one `{ path, message }` per problem (path as in `TourProblem`), the same shape
 * as input validation errors.
 */
export const tourPublishRefusalSchema = z.object({
  message: z.string(),
  issues: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() })),
});

function angleInRange(value: number, range: { min: number; max: number }): boolean {
  return Number.isFinite(value) && value >= range.min && value <= range.max;
}

function hotspotName(scene: { id: string; title: string }, hotspot: { id: string; label: string }): string {
  return `hotspot "${hotspot.id}"${hotspot.label ? ` (${hotspot.label})` : ''} in scene "${scene.id}" (${scene.title})`;
}

/**
 * The checks that need only the tour itself (the origin adds those about content): at least one scene;
 * hotspots and start directions inside the sphere; scene hotspots leading to scenes of the tour; every
 * scene reachable from the first through scene hotspots (or, in a guided tour, by order, since scenes
 * advance on their own); narration hotspots with something to play. Used by the origin at publish and by
 * the studio editor to show problems as the creator works.
 */
export function tourStructureProblems(tour: { mode: TourMode; scenes: readonly TourSceneInput[] }): TourProblem[] {
  const problems: TourProblem[] = [];
  const scenes = tour.scenes.map((scene) => tourSceneSchema.parse(scene));
  if (scenes.length === 0) {
    return [
      { code: 'no-scenes', sceneId: null, hotspotId: null, path: ['scenes'], message: 'The tour has no scenes; add at least one scene before publishing.' },
    ];
  }
  const byId = new Map(scenes.map((scene) => [scene.id, scene]));
  scenes.forEach((scene, sceneIndex) => {
    if (scene.startYaw !== null && !angleInRange(scene.startYaw, YAW_RANGE)) {
      problems.push({
        code: 'start-out-of-range',
        sceneId: scene.id,
        hotspotId: null,
        path: ['scenes', sceneIndex, 'startYaw'],
        message: `Scene "${scene.id}" (${scene.title}) starts at yaw ${scene.startYaw}; a yaw is between -180 and 180 degrees.`,
      });
    }
    if (scene.startPitch !== null && !angleInRange(scene.startPitch, PITCH_RANGE)) {
      problems.push({
        code: 'start-out-of-range',
        sceneId: scene.id,
        hotspotId: null,
        path: ['scenes', sceneIndex, 'startPitch'],
        message: `Scene "${scene.id}" (${scene.title}) starts at pitch ${scene.startPitch}; a pitch is between -90 and 90 degrees.`,
      });
    }
    scene.hotspots.forEach((hotspot, hotspotIndex) => {
      const path = ['scenes', sceneIndex, 'hotspots', hotspotIndex];
      if (!angleInRange(hotspot.yaw, YAW_RANGE) || !angleInRange(hotspot.pitch, PITCH_RANGE)) {
        problems.push({
          code: 'hotspot-out-of-range',
          sceneId: scene.id,
          hotspotId: hotspot.id,
          path: [...path, angleInRange(hotspot.yaw, YAW_RANGE) ? 'pitch' : 'yaw'],
          message: `The ${hotspotName(scene, hotspot)} points outside the sphere (yaw ${hotspot.yaw}, pitch ${hotspot.pitch}); place it at a yaw between -180 and 180 and a pitch between -90 and 90 degrees.`,
        });
      }
      if (hotspot.action.kind === 'scene' && !byId.has(hotspot.action.targetSceneId)) {
        problems.push({
          code: 'unknown-target-scene',
          sceneId: scene.id,
          hotspotId: hotspot.id,
          path: [...path, 'action', 'targetSceneId'],
          message: `The ${hotspotName(scene, hotspot)} leads to scene "${hotspot.action.targetSceneId}", which is not in the tour; choose one of its scenes or remove the hotspot.`,
        });
      }
      if (hotspot.action.kind === 'narration' && hotspot.action.audioUrl === null && !hotspot.action.text) {
        problems.push({
          code: 'missing-narration',
          sceneId: scene.id,
          hotspotId: hotspot.id,
          path: [...path, 'action'],
          message: `The ${hotspotName(scene, hotspot)} plays narration but has neither audio nor text; add one or remove the hotspot.`,
        });
      }
    });
  });
  const reachable = reachableSceneIds(tour.mode, scenes);
  scenes.forEach((scene, sceneIndex) => {
    if (!reachable.has(scene.id)) {
      problems.push({
        code: 'orphan-scene',
        sceneId: scene.id,
        hotspotId: null,
        path: ['scenes', sceneIndex],
        message: `Scene "${scene.id}" (${scene.title}) cannot be reached from the first scene; add a hotspot leading to it or remove it.`,
      });
    }
  });
  return problems;
}

/** Scenes a viewer can reach from the first one: through scene hotspots, and in guided mode also by order. */
export function reachableSceneIds(mode: TourMode, scenes: readonly Pick<TourScene, 'id' | 'hotspots'>[]): Set<string> {
  const seen = new Set<string>();
  const first = scenes[0];
  if (!first) return seen;
  const index = new Map(scenes.map((scene, i) => [scene.id, i]));
  const queue = [first.id];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const i = index.get(id);
    const scene = i === undefined ? undefined : scenes[i];
    if (!scene || i === undefined) continue;
    for (const hotspot of scene.hotspots) {
      if (hotspot.action.kind === 'scene' && index.has(hotspot.action.targetSceneId)) queue.push(hotspot.action.targetSceneId);
    }
    const next = scenes[i + 1];
    if (mode === 'guided' && next) queue.push(next.id);
  }
  return seen;
}

/** Comments on a tour (#15), threaded one level deep as on destinations and content. */
export const tourCommentsInput = pageInput.extend({ id: idSchema });
export const tourCommentSchema = z.object({
  id: z.string(),
  tourId: z.string(),
  parentId: z.string().nullable(),
  /** Null once the comment is deleted (it keeps its place while it has replies). */
  author: publicUserSchema.pick({ id: true, username: true, displayName: true, avatarUrl: true }).nullable(),
  body: z.string().nullable(),
  deleted: z.boolean(),
  createdAt: z.date(),
  editedAt: z.date().nullable(),
});
export type TourComment = z.infer<typeof tourCommentSchema>;
export const tourCommentThreadSchema = tourCommentSchema.extend({
  replyCount: z.number().int(),
  replies: z.array(tourCommentSchema),
});
export type TourCommentThread = z.infer<typeof tourCommentThreadSchema>;
