// TURN REST API credentials (coturn `use-auth-secret`) as the player sees them: the username starts
// with the expiry in unix seconds, `<expiry>:<viewer>`.

/**
 * When the first of these servers' TURN REST credentials expires (ms since 1970), from the expiry in
 * the username (`<unix seconds>:<viewer>`); null when none carries one.
 */
export function iceServersExpireAt(servers: readonly RTCIceServer[]): number | null {
  let earliest: number | null = null;
  for (const server of servers) {
    const match = /^(\d{9,11})(:|$)/.exec(server.username ?? '');
    if (!match?.[1]) continue;
    const at = Number(match[1]) * 1000;
    earliest = earliest === null ? at : Math.min(earliest, at);
  }
  return earliest;
}
