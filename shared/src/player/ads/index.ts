export { PlayerAds, AD_HLS_CONFIG, AD_ASSET_LIST_TIMEOUT_MS, type AdState, type PlayerAdsEventMap, type PlayerAdsOptions } from './player-ads.ts';
export { AdBeacons, expandMacros, formatAdPlayhead, sendBeacon, VAST_ERROR_CODES, type BeaconSender, type VastErrorCode } from './ad-beacons.ts';
export { withAssetListValidation } from './asset-list-loader.ts';
export { adLabel, adRendering, formatCountdown, openClickThrough, type AdRendering } from './ad-view.ts';
export { adSwarmId, AD_SEEDING_LIMIT, type AdP2PSettings, type AdSegmentLoaded } from './ad-p2p.ts';
