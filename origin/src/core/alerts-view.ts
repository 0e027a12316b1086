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

/** Where a page is, for alert areas: the location of the content it shows, or null when unknown. */
export interface ViewerLocation {
  latitude: number;
  longitude: number;
}

const EARTH_RADIUS_KM = 6371;
function distanceKm(a: ViewerLocation, b: ViewerLocation): number {
  const rad = Math.PI / 180;
  const h =
    Math.sin(((b.latitude - a.latitude) * rad) / 2) ** 2 +
    Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(((b.longitude - a.longitude) * rad) / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Whether an alert reaches a page. An alert for everywhere reaches every page. An alert for a place
 * and radius reaches a page whose content is located inside the circle, and every page whose
 * location is unknown (home, search, content without a place): a warning shown to someone outside
 * the area costs less than one missed inside it. Pages never ask for the viewer's own position.
 */
export function alertReaches(alert: Alert, location: ViewerLocation | null): boolean {
  if (alert.area.kind === 'everywhere' || !location) return true;
  return distanceKm(alert.area, location) <= alert.area.radiusKm;
}

/** Alerts that start later, a subscription's snapshot does not include them; the scheduler announces them. */
export async function upcomingAlerts(prisma: PrismaClient, now: Date, until: Date): Promise<Alert[]> {
  const rows = await prisma.alert.findMany({
    where: { startsAt: { gt: now, lte: until }, expiresAt: { gt: now } },
    orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    take: ACTIVE_MAX * 5,
    select: alertSelect,
  });
  return rows.map(alertView);
}
