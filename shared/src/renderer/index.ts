export {
  SphereRenderer,
  DEFAULT_FOV,
  VIEW_LIMITS,
  normalizeYaw,
  type View,
  type SphereSource,
  type SphereRendererOptions,
  type SphereRendererEventMap,
} from './sphere-renderer.ts';
export { attachLookControls, requestDeviceOrientationPermission, orientationToDirection, type LookControlsOptions } from './look-controls.ts';
export { SphereXr } from './xr.ts';
export { ANNOUNCEMENT_PANEL, type PanelAnnouncement } from './announcement-panel.ts';
export { CAPTION_PANEL } from './caption-panel.ts';
export { ALERT_PANEL, type PanelAlert } from './alert-panel.ts';
export type { Listener } from '../events/index.ts';
export { AD_SCREEN, type RendererAd } from './ad-screen.ts';
export { ViewMarkerLayer, placeDirection, projectDirection, type ViewMarker, type PlacedViewMarker } from './view-markers.ts';
