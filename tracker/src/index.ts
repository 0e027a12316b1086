// Public entry of @spherecast/tracker. Everything else under src/ is internal.
export { TrackerServer } from './server/tracker-server.ts';
export {
  loadTrackerConfig,
  resolveTrackerConfig,
  trackerDefaults,
  TrackerConfigError,
  TRACKER_ENV_VARS,
  TRACKER_TLS_ENV_VARS,
  type InfoHashCheckContext,
  type InfoHashPredicate,
  type ResolvedTrackerConfig,
  type TrackerConfig,
  type TrackerTlsOptions,
} from './config/tracker-config.ts';
export { TrackerEvents, type PeerLeftReason, type TrackerEventListener, type TrackerEventMap, type TrackerEventName } from './events.ts';
export { CLOSE_REASONS, OPS_REFUSALS, REJECT_REASONS, type CloseReason, type OpsRefusal, type RejectReason } from './errors.ts';
export { OPS_PATHS } from './ops/ops-endpoints.ts';
export type { TrackerStats } from './ops/stats.ts';
export type { LogLevel } from './ops/logger.ts';
