export {
  createPlayer,
  emptyPlayerStats,
  rtcConfigFor,
  type Player,
  type PlayerOptions,
  type PlayerStats,
  type PlayerLevel,
  type PlayerLevelState,
  type PlayerEventMap,
  type PlayerLiveState,
} from './create-player.ts';
export { DEFAULT_P2P_CORE_CONFIG, DEFAULT_HLS_CONFIG, DEFAULT_LIVE_HLS_CONFIG, DEFAULT_LIVE_P2P_CORE_CONFIG, P2P_BUNDLE_CONDITION } from './config.ts';
export { PLAYER_ERROR_CODES, type PlayerError, type PlayerErrorCode } from './errors.ts';
export { SegmentHashIndex, LiveSegmentHashes, loadSegmentHashes, segmentHashesSchema, type SegmentHashes } from './segment-hashes.ts';
export { sha256Hex } from './sha256.ts';
export { iceServersExpireAt } from './ice-credentials.ts';
export { CANDIDATE_TYPES, selectedPairType, type CandidateType, type ConnectionTypeCounts } from './peer-connections.ts';
export { PlayerCaptions, cuePlainText, type CaptionTrackInfo, type CaptionEventMap } from './captions.ts';
export {
  PlayerAds,
  AdBeacons,
  AD_HLS_CONFIG,
  AD_ASSET_LIST_TIMEOUT_MS,
  VAST_ERROR_CODES,
  expandMacros,
  adLabel,
  adRendering,
  formatCountdown,
  openClickThrough,
  type AdRendering,
  type AdState,
  type PlayerAdsEventMap,
  type BeaconSender,
  type AdSegmentLoaded,
} from './ads/index.ts';
