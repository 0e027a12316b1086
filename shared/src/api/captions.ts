import { z } from 'zod';
import { textSchema } from './text.ts';
import { parseWebVtt, WebVttError } from './webvtt.ts';

/** Limits of captions (subtitles). */
export const CAPTION_LIMITS = {
  /** Largest WebVTT file, in UTF-8 bytes (a feature film's subtitles are 50–150 KB). */
  vttBytes: 512 * 1024,
  /** Most languages one content may have. */
  tracks: 20,
  labelMax: 60,
  languageMax: 35,
} as const;

/**
 * A BCP 47 language tag (RFC 5646), checked for well-formedness by `Intl.getCanonicalLocales` and
 * returned in canonical case (`EN-us` becomes `en-US`). Only letters, digits and hyphens, so it is
 * also safe as a file name (`captions/<lang>.vtt`).
 */
export const captionLanguageSchema = z
  .string()
  .trim()
  .min(2)
  .max(CAPTION_LIMITS.languageMax)
  .transform((value, ctx) => {
    if (/^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$/.test(value)) {
      try {
        const [canonical] = Intl.getCanonicalLocales(value);
        if (canonical && /^[A-Za-z0-9-]+$/.test(canonical)) return canonical;
      } catch {
        // Not well-formed: reported below.
      }
    }
    ctx.addIssue({ code: 'custom', message: `"${value.slice(0, 40)}" is not a BCP 47 language tag; use one like en, fr-CA or zh-Hant.` });
    return z.NEVER;
  });

/** What viewers see in the captions menu (`English`, `Français (Canada)`). Written into the HLS master's NAME, so no `"` or line breaks. */
export const captionLabelSchema = textSchema()
  .trim()
  .min(1, 'the label is empty; name the language as viewers should see it, like "English".')
  .max(CAPTION_LIMITS.labelMax)
  .refine((value) => !/["\r\n\t]/.test(value), { message: 'the label cannot contain double quotes, tabs or line breaks.' });

/** A WebVTT file's text: at most CAPTION_LIMITS.vttBytes, and a real WebVTT parse with at least one cue. */
export const webVttTextSchema = z.string().superRefine((value, ctx) => {
  const bytes = new TextEncoder().encode(value).length;
  if (bytes > CAPTION_LIMITS.vttBytes) {
    ctx.addIssue({ code: 'custom', message: `the WebVTT file is ${Math.ceil(bytes / 1024)} KiB; the most is ${CAPTION_LIMITS.vttBytes / 1024} KiB.` });
    return;
  }
  try {
    parseWebVtt(value);
  } catch (error) {
    if (!(error instanceof WebVttError)) throw error;
    ctx.addIssue({ code: 'custom', message: `not valid WebVTT: ${error.message}` });
  }
});

/** `PUT /content/{id}/captions/{lang}`: adds or replaces one language's captions. */
export const captionPutInput = z.object({
  id: z.uuid(),
  lang: captionLanguageSchema,
  label: captionLabelSchema,
  vtt: webVttTextSchema,
});

export const captionRefInput = z.object({ id: z.uuid(), lang: captionLanguageSchema });

export const captionTrackSchema = z.object({
  lang: z.string(),
  label: z.string(),
  /** The subtitles media playlist (which names the .vtt), relative to the master playlist. */
  playlist: z.string(),
});
export type CaptionTrack = z.infer<typeof captionTrackSchema>;

export const captionListSchema = z.object({ tracks: z.array(captionTrackSchema) });

/** Captions the studio sends with a publish: the same fields as the API, before a content exists. */
export const captionUploadSchema = captionPutInput.omit({ id: true });
export type CaptionUpload = z.infer<typeof captionUploadSchema>;
