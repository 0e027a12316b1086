import { z } from 'zod';
import { textSchema } from './text.ts';
import { idSchema } from './common.ts';
import { LIMITS } from './limits.ts';
import { publicUserSchema } from './users.ts';

/** ISO 8601 date-time with an offset or Z, as JSON carries dates. */
const instantSchema = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2030-01-31T12:00:00Z' }).transform((value) => new Date(value));

const fields = {
  title: textSchema().trim().min(1).max(LIMITS.announcementTitleMax),
  body: textSchema().trim().min(1).max(LIMITS.announcementBodyMax),
  startsAt: instantSchema,
  endsAt: instantSchema,
};

const endsAfterStart = { message: 'must be after startsAt', path: ['endsAt'] };

export const announcementCreateInput = z.object(fields).refine((input) => input.endsAt > input.startsAt, endsAfterStart);

/** Fields left out keep their value; the router checks endsAt > startsAt against the stored ones. */
export const announcementUpdateInput = z
  .object({
    id: idSchema,
    title: fields.title.optional(),
    body: fields.body.optional(),
    startsAt: fields.startsAt.optional(),
    endsAt: fields.endsAt.optional(),
  })
  .refine((input) => !input.startsAt || !input.endsAt || input.endsAt > input.startsAt, endsAfterStart);

export const announcementSchema = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  startsAt: z.date(),
  endsAt: z.date(),
  createdAt: z.date(),
  author: publicUserSchema.pick({ id: true, username: true, displayName: true, avatarUrl: true }),
});
export type Announcement = z.infer<typeof announcementSchema>;

export const announcementListSchema = z.object({ items: z.array(announcementSchema) });
