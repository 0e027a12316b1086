export {
  createPlayer,
  emptyPlayerStats,
  type Player,
  type PlayerOptions,
  type PlayerStats,
  type PlayerLevel,
  type PlayerLevelState,
  type PlayerEventMap,
} from './create-player.ts';
export { DEFAULT_P2P_CORE_CONFIG, DEFAULT_HLS_CONFIG, P2P_BUNDLE_CONDITION } from './config.ts';
export { PLAYER_ERROR_CODES, type PlayerError, type PlayerErrorCode } from './errors.ts';
export { SegmentHashIndex, loadSegmentHashes, segmentHashesSchema, type SegmentHashes } from './segment-hashes.ts';
export { sha256Hex } from './sha256.ts';
