// Common Alerting Protocol 1.2 (OASIS, 2010): the XML that public warning systems send. This reads
// one <alert>, checks it against the CAP 1.2 schema's rules that matter here (namespace, required
// elements in schema order, value lists, date-times with a numeric offset, circle and polygon
// syntax) and maps it to a Spherecast alert. Pure: no database, no clock but the one passed in.
import { alertCreateInput, REALTIME_LIMITS, type AlertArea, type AlertSeverity } from '@spherecast/shared';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { z } from 'zod';

export const CAP_NAMESPACE = 'urn:oasis:names:tc:emergency:cap:1.2';
/** CAP messages are small; a polygon of a few thousand points still fits. */
export const CAP_BODY_MAX_BYTES = 256 * 1024;
/** Alerts without <expires> end this long after they start (CAP leaves expiry to the recipient). */
export const CAP_DEFAULT_DURATION_MS = 6 * 3600_000;

/** The elements of <alert> and <info>, in the order of the schema's xs:sequence, and which are required. */
const ALERT_SEQUENCE = [
  ['identifier', 1],
  ['sender', 1],
  ['sent', 1],
  ['status', 1],
  ['msgType', 1],
  ['source', 0],
  ['scope', 1],
  ['restriction', 0],
  ['addresses', 0],
  ['code', 0],
  ['note', 0],
  ['references', 0],
  ['incidents', 0],
  ['info', 0],
] as const;
const INFO_SEQUENCE = [
  ['language', 0],
  ['category', 1],
  ['event', 1],
  ['responseType', 0],
  ['urgency', 1],
  ['severity', 1],
  ['certainty', 1],
  ['audience', 0],
  ['eventCode', 0],
  ['effective', 0],
  ['onset', 0],
  ['expires', 0],
  ['senderName', 0],
  ['headline', 0],
  ['description', 0],
  ['instruction', 0],
  ['web', 0],
  ['contact', 0],
  ['parameter', 0],
  ['resource', 0],
  ['area', 0],
] as const;
const AREA_SEQUENCE = [
  ['areaDesc', 1],
  ['polygon', 0],
  ['circle', 0],
  ['geocode', 0],
  ['altitude', 0],
  ['ceiling', 0],
] as const;
/** Elements that occur at most once (the rest are unbounded in the schema). */
const SINGLE = new Set([
  ...['identifier', 'sender', 'sent', 'status', 'msgType', 'source', 'scope', 'restriction', 'addresses', 'note', 'references', 'incidents'],
  ...['language', 'event', 'urgency', 'severity', 'certainty', 'audience', 'effective', 'onset', 'expires', 'senderName', 'headline'],
  ...['description', 'instruction', 'web', 'contact', 'areaDesc', 'altitude', 'ceiling'],
]);

const VALUES = {
  status: ['Actual', 'Exercise', 'System', 'Test', 'Draft'],
  msgType: ['Alert', 'Update', 'Cancel', 'Ack', 'Error'],
  scope: ['Public', 'Restricted', 'Private'],
  category: ['Geo', 'Met', 'Safety', 'Security', 'Rescue', 'Fire', 'Health', 'Env', 'Transport', 'Infra', 'CBRNE', 'Other'],
  responseType: ['Shelter', 'Evacuate', 'Prepare', 'Execute', 'Avoid', 'Monitor', 'Assess', 'AllClear', 'None'],
  urgency: ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'],
  severity: ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'],
  certainty: ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'],
} as const satisfies Record<string, readonly string[]>;

/** CAP 1.2 §3.3.2: date-times carry a numeric offset ("-00:00" for UTC); "Z" is not allowed. */
const CAP_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?[+-]\d{2}:\d{2}$/;
const NUMBER = '[-+]?\\d+(?:\\.\\d+)?';
const POINT = `${NUMBER},${NUMBER}`;
const CIRCLE = new RegExp(`^(${NUMBER}),(${NUMBER})\\s+(${NUMBER})$`);
const POLYGON = new RegExp(`^${POINT}(?:\\s+${POINT}){3,}$`);

/** CAP severity → Spherecast severity: Moderate is a warning, Minor and Unknown are information. */
const SEVERITY_MAP: Record<(typeof VALUES.severity)[number], AlertSeverity> = {
  Extreme: 'extreme',
  Severe: 'severe',
  Moderate: 'warning',
  Minor: 'info',
  Unknown: 'info',
};

export type CapResult =
  | { ok: true; input: z.output<typeof alertCreateInput>; identifier: string; sender: string }
  /** 400: not CAP 1.2; 422: CAP 1.2, but not something Spherecast shows viewers. */
  | { ok: false; status: 400 | 422; reason: string };

/** An element as parsed with preserveOrder: its name, children and text. */
interface Node {
  name: string;
  children: Node[];
  text: string;
  attributes: Record<string, string>;
}

class CapError extends Error {
  constructor(
    readonly status: 400 | 422,
    message: string,
  ) {
    super(message);
  }
}
const invalid = (reason: string): never => {
  throw new CapError(400, `Not a valid CAP 1.2 document: ${reason}`);
};
const unsupported = (reason: string): never => {
  throw new CapError(422, reason);
};

type Ordered = Record<string, unknown>;
function toNodes(items: unknown): Node[] {
  if (!Array.isArray(items)) return [];
  const nodes: Node[] = [];
  for (const item of items as Ordered[]) {
    const name = Object.keys(item).find((key) => key !== ':@');
    if (!name || name === '#text' || name === '?xml' || name === '#comment') continue;
    const childItems = item[name] as Ordered[];
    const text = childItems
      .filter((child) => '#text' in child)
      .map((child) => String(child['#text']))
      .join('');
    const attributes = (item[':@'] ?? {}) as Record<string, string>;
    nodes.push({ name, children: toNodes(childItems), text: text.trim(), attributes });
  }
  return nodes;
}

/** Checks the children of `node` against a schema sequence: known names, order, required, once-only. */
function checkSequence(node: Node, sequence: readonly (readonly [string, number])[], where: string): void {
  const order = new Map(sequence.map(([name], index) => [name, index]));
  let last = -1;
  const seen = new Map<string, number>();
  for (const child of node.children) {
    const name = child.name.replace(/^[^:]+:/, '');
    const index = order.get(name);
    if (index === undefined) invalid(`<${where}> has an element <${name}> that CAP 1.2 does not define there`);
    if (index! < last) invalid(`<${name}> comes too late in <${where}> (the schema's order is ${sequence.map(([n]) => n).join(', ')})`);
    last = index!;
    seen.set(name, (seen.get(name) ?? 0) + 1);
    if (SINGLE.has(name) && seen.get(name)! > 1) invalid(`<${where}> has more than one <${name}>`);
  }
  for (const [name, required] of sequence) {
    if (required && !seen.has(name)) invalid(`<${where}> lacks the required element <${name}>`);
  }
}

const childrenNamed = (node: Node, name: string): Node[] => node.children.filter((child) => child.name.replace(/^[^:]+:/, '') === name);
const textOf = (node: Node, name: string): string | undefined => childrenNamed(node, name)[0]?.text;

function checkValue<K extends keyof typeof VALUES>(node: Node, name: K, where: string): (typeof VALUES)[K][number] | undefined {
  const values = childrenNamed(node, name).map((child) => child.text);
  for (const value of values) {
    if (!(VALUES[name] as readonly string[]).includes(value)) invalid(`<${where}><${name}> is "${value}"; CAP 1.2 allows ${VALUES[name].join(', ')}`);
  }
  return values[0] as (typeof VALUES)[K][number] | undefined;
}

function checkDateTime(node: Node, name: string, where: string): Date | undefined {
  const value = textOf(node, name);
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (!CAP_DATE_TIME.test(value) || Number.isNaN(date.getTime())) {
    invalid(`<${where}><${name}> is "${value}"; CAP 1.2 date-times look like 2030-05-24T16:49:00-07:00 (a numeric offset, "-00:00" for UTC, no "Z")`);
  }
  return date;
}

const EARTH_RADIUS_KM = 6371;
/** Great-circle distance in kilometres (haversine). */
export function distanceKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

function checkCoordinates(latitude: number, longitude: number, where: string): void {
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) invalid(`${where} has a point outside WGS 84 (latitude ±90, longitude ±180)`);
}

/** The first <circle>, or else the circle around the first <polygon>'s points; no geometry: everywhere. */
function areaOf(info: Node): AlertArea {
  for (const area of childrenNamed(info, 'area')) {
    const placeName = (textOf(area, 'areaDesc') ?? '').slice(0, 120) || 'the alert area';
    for (const circle of childrenNamed(area, 'circle')) {
      const match = CIRCLE.exec(circle.text);
      if (!match) invalid(`<circle> is "${circle.text}"; CAP 1.2 circles are "latitude,longitude radius-in-km", e.g. "32.9525,-115.5527 10"`);
      const [latitude, longitude, radius] = [Number(match![1]), Number(match![2]), Number(match![3])];
      checkCoordinates(latitude, longitude, '<circle>');
      if (radius < 0) invalid('<circle> has a negative radius');
      // A point (radius 0) still gets an area a viewer can be in: 1 km.
      return { kind: 'circle', placeName, latitude, longitude, radiusKm: Math.min(Math.max(radius, 1), REALTIME_LIMITS.alertRadiusKmMax) };
    }
    for (const polygon of childrenNamed(area, 'polygon')) {
      if (!POLYGON.test(polygon.text)) invalid('<polygon> must be four or more "latitude,longitude" pairs separated by spaces, the first and last the same');
      const points = polygon.text.split(/\s+/).map((pair) => {
        const [latitude = 0, longitude = 0] = pair.split(',').map(Number);
        checkCoordinates(latitude, longitude, '<polygon>');
        return { latitude, longitude };
      });
      const first = points[0]!;
      const last = points[points.length - 1]!;
      if (first.latitude !== last.latitude || first.longitude !== last.longitude) invalid('<polygon> must end with its first point (a closed ring)');
      const centre = {
        latitude: points.reduce((sum, p) => sum + p.latitude, 0) / points.length,
        longitude: points.reduce((sum, p) => sum + p.longitude, 0) / points.length,
      };
      const radiusKm = Math.max(1, ...points.map((p) => distanceKm(centre, p)));
      return { kind: 'circle', placeName, ...centre, radiusKm: Math.min(Math.ceil(radiusKm), REALTIME_LIMITS.alertRadiusKmMax) };
    }
  }
  return { kind: 'everywhere' };
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Entities are never expanded: a CAP document has no DTD, and external entities are refused before parsing.
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

/**
 * Reads a CAP 1.2 document and maps its first <info> (the first in English, if any) to an alert:
 * severity (Extreme/Severe/Moderate→warning/Minor→info), headline (or the event), description and
 * instruction, the first area's circle (or a polygon's enclosing circle) as place and radius, onset
 * (or effective, or sent) as start, and expires (or start + 6 h).
 */
export function parseCap(xml: string, now: Date): CapResult {
  try {
    return parseOrThrow(xml, now);
  } catch (error) {
    if (error instanceof CapError) return { ok: false, status: error.status, reason: error.message };
    throw error;
  }
}

function parseOrThrow(xml: string, now: Date): CapResult {
  // No DTDs at all: that rules out external entities (XXE) and entity expansion bombs.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) invalid('it has a DOCTYPE or ENTITY declaration; CAP documents have none (remove it)');
  const wellFormed = XMLValidator.validate(xml);
  if (wellFormed !== true) invalid(`the XML is not well-formed (line ${wellFormed.err.line}: ${wellFormed.err.msg})`);
  const roots = toNodes(parser.parse(xml));
  const root = roots[0];
  if (!root || roots.length !== 1) invalid('it must have exactly one root element, <alert>');
  const prefix = root!.name.includes(':') ? root!.name.split(':')[0] : null;
  if (root!.name.replace(/^[^:]+:/, '') !== 'alert') invalid(`the root element is <${root!.name}>, not <alert>`);
  const namespace = root!.attributes[prefix ? `xmlns:${prefix}` : 'xmlns'];
  if (namespace !== CAP_NAMESPACE) invalid(`<alert> is in the namespace "${namespace ?? '(none)'}"; CAP 1.2 is ${CAP_NAMESPACE}`);
  const alert = root!;
  checkSequence(alert, ALERT_SEQUENCE, 'alert');
  const identifier = textOf(alert, 'identifier') ?? '';
  const sender = textOf(alert, 'sender') ?? '';
  if (!identifier || /[\s,<&]/.test(identifier)) invalid('<identifier> must be non-empty, without spaces, commas, < or &');
  if (!sender || /[\s,<&]/.test(sender)) invalid('<sender> must be non-empty, without spaces, commas, < or &');
  const sent = checkDateTime(alert, 'sent', 'alert')!;
  const status = checkValue(alert, 'status', 'alert');
  const msgType = checkValue(alert, 'msgType', 'alert');
  const scope = checkValue(alert, 'scope', 'alert');
  if (scope === 'Restricted' && !textOf(alert, 'restriction')) invalid('<scope>Restricted</scope> needs a <restriction>');
  if (scope === 'Private' && !textOf(alert, 'addresses')) invalid('<scope>Private</scope> needs <addresses>');
  const infos = childrenNamed(alert, 'info');
  for (const info of infos) {
    checkSequence(info, INFO_SEQUENCE, 'info');
    for (const name of ['category', 'responseType', 'urgency', 'severity', 'certainty'] as const) checkValue(info, name, 'info');
    for (const name of ['effective', 'onset', 'expires']) checkDateTime(info, name, 'info');
    for (const area of childrenNamed(info, 'area')) checkSequence(area, AREA_SEQUENCE, 'area');
  }

  // Valid CAP from here on; what follows is what Spherecast shows viewers.
  if (status !== 'Actual')
    unsupported(`<status> is ${status}: only Actual alerts are shown to viewers (Test, Exercise, System and Draft are accepted by nobody here).`);
  if (msgType !== 'Alert' && msgType !== 'Update') {
    unsupported(
      `<msgType> is ${msgType}: only Alert and Update become alerts. To end an alert early, POST /api/alerts/{id}/expire with the id this endpoint answered.`,
    );
  }
  if (scope !== 'Public') unsupported(`<scope> is ${scope}: only Public alerts are broadcast to every viewer.`);
  const info = infos.find((candidate) => /^en\b/i.test(textOf(candidate, 'language') ?? 'en-US')) ?? infos[0];
  if (!info) unsupported('The alert has no <info> block: there is nothing to show viewers (add an <info> with an <event> and a <headline> or <description>).');
  const severity = SEVERITY_MAP[checkValue(info!, 'severity', 'info')!];
  const event = textOf(info!, 'event') ?? '';
  const headline = (textOf(info!, 'headline') || event || 'Emergency alert').slice(0, 160);
  const body =
    [textOf(info!, 'description'), textOf(info!, 'instruction')]
      .filter((part): part is string => Boolean(part))
      .join('\n\n')
      .slice(0, 2000) || event;
  const startsAt = checkDateTime(info!, 'onset', 'info') ?? checkDateTime(info!, 'effective', 'info') ?? sent;
  const expiresAt = checkDateTime(info!, 'expires', 'info') ?? new Date(startsAt.getTime() + CAP_DEFAULT_DURATION_MS);
  if (expiresAt <= now) unsupported(`The alert expired at ${expiresAt.toISOString()}; nothing to show.`);
  if (expiresAt <= startsAt) invalid('<expires> is not after <onset>');
  const parsed = alertCreateInput.safeParse({
    headline,
    body: body || headline,
    severity,
    area: areaOf(info!),
    startsAt: startsAt.toISOString(),
    expiresAt: expiresAt.toISOString(),
  });
  if (!parsed.success) unsupported(`The alert cannot be shown: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`);
  return { ok: true, input: parsed.data!, identifier, sender };
}
