import { createHash } from 'node:crypto';

/**
 * 32-bit FNV-1a over the string's char codes, finished with murmur3's fmix32 so that keys which
 * differ in one character (base64 info_hashes from p2p-media-loader) still spread over the ring.
 */
export function hashKey(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/**
 * Consistent-hash ring: each node owns `virtualNodes` points on a 32-bit circle, and a key
 * belongs to the first point clockwise from its hash. Every instance builds the same ring from
 * the same node list (order does not matter), and adding or removing one node only moves the
 * keys that node gains or loses.
 */
export class HashRing {
  private readonly points: Uint32Array;
  private readonly owners: string[];
  readonly nodes: readonly string[];

  constructor(nodes: readonly string[], virtualNodes = 160) {
    if (nodes.length === 0) throw new Error('HashRing needs at least one node');
    this.nodes = [...new Set(nodes)].sort();
    const entries: { point: number; node: string }[] = [];
    for (const node of this.nodes) {
      for (let i = 0; i < virtualNodes; i++) {
        const digest = createHash('sha256').update(`${node}#${i}`).digest();
        entries.push({ point: digest.readUInt32BE(0), node });
      }
    }
    // Ties (vanishingly rare) are broken by node name so every instance agrees.
    entries.sort((a, b) => a.point - b.point || (a.node < b.node ? -1 : 1));
    this.points = Uint32Array.from(entries, (entry) => entry.point);
    this.owners = entries.map((entry) => entry.node);
  }

  /** The node that owns `key`. */
  ownerOf(key: string): string {
    const hash = hashKey(key);
    const points = this.points;
    let low = 0;
    let high = points.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (points[mid]! < hash) low = mid + 1;
      else high = mid;
    }
    return this.owners[low === points.length ? 0 : low]!;
  }
}
