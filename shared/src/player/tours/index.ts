// Guided tours in the player (#15): `@spherecast/shared/tours`. A package entry of its own, so the
// watch page's player chunk does not take in three.js through the tour's hotspots.
export {
  TourPlayer,
  TOUR_PLAYER_DEFAULTS,
  doorwayTo,
  pointOfInterest,
  type TourPlayerOptions,
  type TourPlayerEventMap,
  type TourSceneEvent,
  type TourNarration,
  type TourInfoCard,
  type SceneEntryVia,
} from './tour-player.ts';
export { headingThrough, openingHeading, type Heading } from './tour-heading.ts';
export { GUIDED_TIMING, guideTurnDue, guideTurnAtMs, type GuideTurnState } from './guided-clock.ts';
export {
  HotspotLayer,
  GazeDwell,
  HOTSPOT_MARKER,
  type RendererHotspot,
  type PlacedHotspot,
  type HotspotSelection,
  type HotspotSelectVia,
  type HotspotLayerEventMap,
} from '../../renderer/hotspots.ts';
export { InfoCardOverlay, INFO_CARD_PANEL, type PanelInfoCard } from '../../renderer/info-card-panel.ts';
export { directionVector, directionOf, gazeOnPicture, type PictureDirection, type SphereOverlay, type OverlayFrame } from '../../renderer/scene-overlay.ts';
