import { Prisma } from '../../db/database.ts';

const EARTH_RADIUS_KM = 6371;
const KM_PER_DEGREE = 111.045;

/**
 * Great-circle distance in km between (latitude, longitude) columns and a point, in SQL. The same
 * haversine as the catalog's search (kept here: a domain does not import another domain's files).
 */
export function distanceKmSql(latitude: Prisma.Sql, longitude: Prisma.Sql, to: { latitude: Prisma.Sql | number; longitude: Prisma.Sql | number }): Prisma.Sql {
  const lat = typeof to.latitude === 'number' ? Prisma.sql`${to.latitude}::float8` : to.latitude;
  const lon = typeof to.longitude === 'number' ? Prisma.sql`${to.longitude}::float8` : to.longitude;
  return Prisma.sql`(${EARTH_RADIUS_KM}::float8 * 2 * asin(sqrt(
    power(sin(radians(${latitude} - ${lat}) / 2), 2) +
    cos(radians(${lat})) * cos(radians(${latitude})) *
    power(sin(radians(${longitude} - ${lon}) / 2), 2))))`;
}

/**
 * A bounding box around a point that a (latitude, longitude) index can use before the exact distance:
 * SQL `true` for the longitude where the box would cross the antimeridian or a pole.
 */
export function boxSql(latitude: Prisma.Sql, longitude: Prisma.Sql, center: { latitude: number; longitude: number }, radiusKm: number): Prisma.Sql {
  const dLat = radiusKm / KM_PER_DEGREE;
  const cosLat = Math.cos((center.latitude * Math.PI) / 180);
  const dLon = cosLat > 0.01 ? radiusKm / (KM_PER_DEGREE * cosLat) : 360;
  const lonInside = center.longitude - dLon >= -180 && center.longitude + dLon <= 180;
  const lon = lonInside ? Prisma.sql`${longitude} BETWEEN ${center.longitude - dLon}::float8 AND ${center.longitude + dLon}::float8` : Prisma.sql`true`;
  return Prisma.sql`${latitude} BETWEEN ${center.latitude - dLat}::float8 AND ${center.latitude + dLat}::float8 AND ${lon}`;
}
