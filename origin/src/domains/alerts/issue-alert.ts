import type { Alert, alertCreateInput } from '@spherecast/shared';
import type { z } from 'zod';
import { alertSelect, alertView } from '../../core/alerts-view.ts';
import { GLOBAL_TOPIC, SCHEDULED_ALERTS_TOPIC } from '../../core/event-bus.ts';
import type { OriginServices } from '../../core/services.ts';

/**
 * Stores an alert and sends it: at once to every page of every origin when it is in force, or, when
 * it starts later, to every origin's scheduler, which delivers it to that origin's pages at its start.
 * Both the admin API (alerts.create) and the CAP endpoint issue alerts through here.
 */
export async function issueAlert(
  services: Pick<OriginServices, 'prisma' | 'events' | 'now'>,
  authorId: string,
  input: z.output<typeof alertCreateInput>,
): Promise<Alert> {
  const now = services.now();
  const startsAt = input.startsAt ? new Date(input.startsAt) : now;
  const row = await services.prisma.alert.create({
    data: {
      authorId,
      headline: input.headline,
      body: input.body,
      severity: input.severity,
      area: input.area,
      startsAt,
      expiresAt: new Date(input.expiresAt),
      createdAt: now,
    },
    select: alertSelect,
  });
  const alert = alertView(row);
  if (startsAt > now) await services.events.publish(SCHEDULED_ALERTS_TOPIC, { type: 'alert', alert }, { persist: false });
  else await services.events.publish(GLOBAL_TOPIC, { type: 'alert', alert }, { persist: true });
  return alert;
}
