// Why the tracker ends or refuses a connection, as data: a stable code (logged, counted in
// /metrics, emitted in events), the WebSocket close code or HTTP status sent to the client, and a
// sentence saying what happened.

/** Reasons a WebSocket upgrade is refused before any message is read. */
export const REJECT_REASONS = {
  'origin-not-allowed': { status: 403, message: 'This page origin may not use the tracker.' },
  'too-many-connections': { status: 429, message: 'Too many connections from this IP address; close some and retry.' },
  'cluster-auth-failed': { status: 401, message: 'Wrong or missing cluster secret on an instance-to-instance connection.' },
  'shutting-down': { status: 503, message: 'The tracker is shutting down; retry on another instance.' },
} as const;
export type RejectReason = keyof typeof REJECT_REASONS;

/** Reasons an open connection ends. `code` is the WebSocket close code the tracker sends. */
export const CLOSE_REASONS = {
  'client-closed': { code: 1000, message: 'The client closed the connection.' },
  'protocol-violation': { code: 1002, message: 'The client sent a message that breaks the tracker protocol.' },
  'message-too-big': { code: 1009, message: 'A message exceeded the size limit.' },
  'rate-limited': { code: 1008, message: 'Too many announces per second on this connection.' },
  'too-many-swarms': { code: 1008, message: 'This connection joined too many swarms.' },
  'info-hash-not-allowed': { code: 1008, message: 'This info_hash is not allowed on this tracker.' },
  'slow-consumer': { code: 1008, message: 'The client did not read its messages fast enough.' },
  idle: { code: 1001, message: 'No message for longer than the idle timeout.' },
  shutdown: { code: 1001, message: 'The tracker is shutting down.' },
} as const;
export type CloseReason = keyof typeof CLOSE_REASONS;

/** Reasons a request to `/stats.json` or `/metrics` is refused (HTTP 401, `WWW-Authenticate: Bearer`). */
export const OPS_REFUSALS = {
  'ops-token-missing': {
    status: 401,
    message: 'This endpoint needs the operator token: send the header "Authorization: Bearer <token>" with the value of TRACKER_OPS_TOKEN.',
  },
  'ops-token-wrong': {
    status: 401,
    message: 'The operator token is wrong: send "Authorization: Bearer <token>" with the exact value of TRACKER_OPS_TOKEN set on this tracker.',
  },
} as const;
export type OpsRefusal = keyof typeof OPS_REFUSALS;
