import { alertAreaSchema, alertSeveritySchema, type Alert } from '@spherecast/shared';
import type { Prisma, PrismaClient } from '../db/database.ts';

/** Alerts are few at once; more than this active is an operator mistake, not a list to scroll. */
const ACTIVE_MAX = 20;

export const alertSelect = {
  id: true,
  headline: true,
  body: true,
  severity: true,
  area: true,
  startsAt: true,
  expiresAt: true,
  createdAt: true,
} as const satisfies Prisma.AlertSelect;

type AlertRow = Prisma.AlertGetPayload<{ select: typeof alertSelect }>;

/** An alert as the API and the real-time channel carry it (dates as ISO strings). */
export function alertView(row: AlertRow): Alert {
  return {
    id: row.id,
    headline: row.headline,
    body: row.body,
    severity: alertSeveritySchema.parse(row.severity),
    area: alertAreaSchema.parse(row.area),
    startsAt: row.startsAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
  };
}

/** Alerts showing now (started, not expired), most severe first is the client's choice: newest first here. */
export async function activeAlerts(prisma: PrismaClient, now: Date): Promise<Alert[]> {
  const rows = await prisma.alert.findMany({
    where: { startsAt: { lte: now }, expiresAt: { gt: now } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: ACTIVE_MAX,
    select: alertSelect,
  });
  return rows.map(alertView);
}
