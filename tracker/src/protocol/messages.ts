// Messages of the WebTorrent WebSocket tracker protocol, as spoken by bittorrent-tracker's
// lib/client/websocket-tracker.js (used by p2p-media-loader v2). Everything arrives as one JSON
// object per text frame; ids are 20-character binary strings (see binary-string.ts).
// Messages come in and go out as wire strings (binary-string.ts): parsed ids are decoded to
// binary strings, and every encode* function returns a wire string.
import { toWire, wireToBinaryId } from './binary-string.ts';
import { rawRelayValues } from './raw-json.ts';

/** What a peer tells the swarm with an announce; absent / `empty` / `paused` / `update` are all updates. */
export const ANNOUNCE_EVENTS = ['started', 'stopped', 'completed', 'update'] as const;
export type AnnounceEvent = (typeof ANNOUNCE_EVENTS)[number];

/** One WebRTC offer a peer hands the tracker to pass on to another peer of the swarm. */
export interface RelayOffer {
  /** Id the answer will quote back, as written on the wire (relayed, never interpreted). */
  readonly offerIdWire: string;
  /** The RTCSessionDescription-like object, relayed as-is. */
  readonly offer: object;
  /** `offer` exactly as the client wrote it (JSON), when it could be located in the message. */
  readonly json: string | null;
}

export interface AnnounceRequest {
  readonly kind: 'announce';
  readonly infoHash: string;
  readonly peerId: string;
  readonly event: AnnounceEvent;
  /** `left === 0`: the peer has everything (a seeder). */
  readonly seeding: boolean;
  readonly offers: readonly RelayOffer[];
  /** How many of the offers to hand out (never more than `offers.length`). */
  readonly numwant: number;
}

/** An announce carrying `answer`: relayed to `toPeerId`, no reply to the sender. */
export interface AnswerRequest {
  readonly kind: 'answer';
  readonly infoHash: string;
  readonly peerId: string;
  readonly toPeerId: string;
  /** As written on the wire (relayed, never interpreted). */
  readonly offerIdWire: string;
  readonly answer: object;
  /** `answer` exactly as the client wrote it (JSON), when it could be located in the message. */
  readonly answerJson: string | null;
}

export interface ScrapeRequest {
  readonly kind: 'scrape';
  readonly infoHashes: readonly string[];
}

export type TrackerRequest = AnnounceRequest | AnswerRequest | ScrapeRequest;

/** Ways a message can break the protocol; each closes the connection that sent it. */
export const PROTOCOL_VIOLATIONS = {
  'malformed-json': 'message is not valid JSON',
  'not-an-object': 'message must be a JSON object',
  'unknown-action': 'action must be "announce" or "scrape"',
  'invalid-info-hash': 'info_hash must be a 20-byte binary string',
  'invalid-peer-id': 'peer_id must be a 20-byte binary string',
  'invalid-event': 'event must be started, stopped, completed, update, paused or empty',
  'invalid-offers': 'offers must be an array of { offer: object, offer_id: 20-byte binary string }',
  'too-many-offers': 'too many offers in one announce',
  'invalid-answer': 'an answer needs an object answer, a 20-byte to_peer_id and offer_id',
  'too-many-info-hashes': 'too many info_hashes in one scrape',
} as const;
export type ProtocolViolationCode = keyof typeof PROTOCOL_VIOLATIONS;

export interface ProtocolViolation {
  readonly kind: 'violation';
  readonly code: ProtocolViolationCode;
}

export interface ParseLimits {
  readonly maxOffers: number;
  readonly maxInfoHashes: number;
}

function violation(code: ProtocolViolationCode): ProtocolViolation {
  return { kind: 'violation', code };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseEvent(value: unknown): AnnounceEvent | null {
  switch (value) {
    case undefined:
    case null:
    case '':
    case 'empty':
    case 'update':
    case 'paused':
      return 'update';
    case 'started':
    case 'stopped':
    case 'completed':
      return value;
    default:
      return null;
  }
}

/** Parses and validates one frame, given as a wire string. Never throws. */
export function parseRequest(text: string, limits: ParseLimits): TrackerRequest | ProtocolViolation {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return violation('malformed-json');
  }
  if (!isObject(message)) return violation('not-an-object');
  if (message.action === 'announce') return parseAnnounce(message, text, limits);
  if (message.action === 'scrape') return parseScrape(message, limits);
  return violation('unknown-action');
}

function parseAnnounce(message: Record<string, unknown>, text: string, limits: ParseLimits): TrackerRequest | ProtocolViolation {
  const infoHash = wireToBinaryId(message.info_hash);
  const peerId = wireToBinaryId(message.peer_id);
  if (infoHash === null) return violation('invalid-info-hash');
  if (peerId === null) return violation('invalid-peer-id');

  if (message.answer !== undefined) {
    const { answer, offer_id: offerIdWire } = message;
    const toPeerId = wireToBinaryId(message.to_peer_id);
    if (!isObject(answer) || toPeerId === null || typeof offerIdWire !== 'string' || wireToBinaryId(offerIdWire) === null) return violation('invalid-answer');
    const raw = rawRelayValues(text);
    const answerJson = raw?.answer?.charCodeAt(0) === 123 ? raw.answer : null;
    return { kind: 'answer', infoHash, peerId, toPeerId, offerIdWire, answer, answerJson };
  }

  const event = parseEvent(message.event);
  if (event === null) return violation('invalid-event');

  let offers: RelayOffer[] = [];
  const rawOffers = message.offers;
  if (rawOffers !== undefined && rawOffers !== null) {
    if (!Array.isArray(rawOffers)) return violation('invalid-offers');
    if (rawOffers.length > limits.maxOffers) return violation('too-many-offers');
    // Relayed verbatim when the raw text is found; the parsed objects are the validated truth.
    const raw = rawOffers.length > 0 ? rawRelayValues(text) : null;
    const rawJson = raw !== null && raw.offers.length === rawOffers.length ? raw.offers : null;
    offers = new Array<RelayOffer>(rawOffers.length);
    for (let i = 0; i < rawOffers.length; i++) {
      const item: unknown = rawOffers[i];
      if (!isObject(item) || !isObject(item.offer) || typeof item.offer_id !== 'string' || wireToBinaryId(item.offer_id) === null)
        return violation('invalid-offers');
      const json = rawJson?.[i] ?? null;
      offers[i] = { offerIdWire: item.offer_id, offer: item.offer, json: json?.charCodeAt(0) === 123 ? json : null };
    }
  }

  const wanted = Number(message.numwant);
  const numwant = Number.isFinite(wanted) && wanted >= 0 ? Math.min(Math.floor(wanted), offers.length) : offers.length;
  const seeding = message.left !== undefined && message.left !== null && Number(message.left) === 0;
  return { kind: 'announce', infoHash, peerId, event, seeding, offers, numwant };
}

function parseScrape(message: Record<string, unknown>, limits: ParseLimits): ScrapeRequest | ProtocolViolation {
  const raw = message.info_hash;
  const list: unknown[] = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : [];
  if (list.length === 0) return violation('invalid-info-hash');
  if (list.length > limits.maxInfoHashes) return violation('too-many-info-hashes');
  const infoHashes: string[] = [];
  for (const wire of list) {
    const hash = wireToBinaryId(wire);
    if (hash === null) return violation('invalid-info-hash');
    infoHashes.push(hash);
  }
  return { kind: 'scrape', infoHashes };
}

// ---- Outbound, as wire strings. Ids are JSON-encoded once (Swarm.infoHashJson, Peer.peerIdJson,
// both wire strings) and spliced into templates: the hot path never stringifies a whole object.

/** JSON of a binary-string id, as a wire string. */
export function idJson(binary: string): string {
  return toWire(JSON.stringify(binary));
}

export function encodeAnnounceReply(infoHashJson: string, interval: number, complete: number, incomplete: number): string {
  return `{"action":"announce","interval":${interval},"info_hash":${infoHashJson},"complete":${complete},"incomplete":${incomplete}}`;
}

/**
 * The relayed offer as the pieces of its wire string, written one after another into the frame
 * (WebSocketConnection.sendTextParts): joined with a template, V8 would copy the ~1 KB message
 * into a new flat string before writing it, for each of an announce's offers.
 */
export function offerParts(offerJson: string, offerIdJson: string, fromPeerIdJson: string, infoHashJson: string): readonly string[] {
  return ['{"action":"announce","offer":', offerJson, ',"offer_id":', offerIdJson, ',"peer_id":', fromPeerIdJson, ',"info_hash":', infoHashJson, '}'];
}

/** The relayed answer as the pieces of its wire string (see {@link offerParts}). */
export function answerParts(answerJson: string, offerIdJson: string, fromPeerIdJson: string, infoHashJson: string): readonly string[] {
  return ['{"action":"announce","answer":', answerJson, ',"offer_id":', offerIdJson, ',"peer_id":', fromPeerIdJson, ',"info_hash":', infoHashJson, '}'];
}

export interface ScrapeEntry {
  readonly infoHash: string;
  readonly complete: number;
  readonly incomplete: number;
  readonly downloaded: number;
}

export function encodeScrapeReply(entries: readonly ScrapeEntry[], interval: number): string {
  const files = entries
    .map((entry) => `${idJson(entry.infoHash)}:{"complete":${entry.complete},"incomplete":${entry.incomplete},"downloaded":${entry.downloaded}}`)
    .join(',');
  return `{"action":"scrape","files":{${files}},"flags":{"min_request_interval":${interval}}}`;
}

/** A refusal the client shows as a warning; `info_hash` lets the client match it to its torrent. */
export function encodeFailure(action: 'announce' | 'scrape', reason: string, infoHash?: string): string {
  return toWire(JSON.stringify({ action, 'failure reason': reason, ...(infoHash === undefined ? {} : { info_hash: infoHash }) }));
}
