// Module-resolution hook for tests: bittorrent-tracker's client imports simple-peer, which imports
// `webrtc-polyfill`, whose Node build needs the native node-datachannel addon (not built here).
// We point `webrtc-polyfill` at a shim backed by @roamhq/wrtc, a real WebRTC stack for Node.
// Registered by bittorrent-client.ts through module.register().

interface ResolveContext {
  readonly parentURL?: string;
}
interface ResolveResult {
  readonly url: string;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<ResolveResult>;

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<ResolveResult> {
  // Resolved through the rest of the chain (tsx) so the .ts shim gets transpiled.
  if (specifier === 'webrtc-polyfill') return next(new URL('./webrtc-polyfill-shim.ts', import.meta.url).href, context);
  return next(specifier, context);
}
