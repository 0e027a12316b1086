// When a guided tour (#15) turns the view for the viewer. Pure, so it is unit-tested.

/** Guided-tour timing; TourPlayer uses these. */
export const GUIDED_TIMING = {
  /** The view does not turn for the viewer until they have not looked around for this long. */
  lookAwayQuietMs: 3000,
  /** The turn starts this many seconds before the scene advances (or at half its time, if that is later). */
  turnLeadSeconds: 5,
} as const;

export type GuideTurnState = {
  /** Time spent in the scene so far (guided clock: not counting pauses). */
  elapsedMs: number;
  /** How long the scene stays. */
  sceneSeconds: number;
  /** Milliseconds since the viewer last looked around themselves (Infinity: never). */
  msSinceLookAway: number;
  /** A headset presents: the world is never turned under a headset (it is uncomfortable); the viewer turns their head. */
  presenting: boolean;
  /** The view was already turned in this scene. */
  turned: boolean;
  /** The scene has a point of interest to turn to. */
  hasPointOfInterest: boolean;
};

/** The moment (ms into the scene) the turn towards the next point of interest is due. */
export function guideTurnAtMs(sceneSeconds: number): number {
  return Math.max(sceneSeconds / 2, sceneSeconds - GUIDED_TIMING.turnLeadSeconds) * 1000;
}

/** Whether the view turns towards the next point of interest now: due, not yet done, and the viewer has not looked away recently. */
export function guideTurnDue(state: GuideTurnState): boolean {
  return (
    state.hasPointOfInterest &&
    !state.turned &&
    !state.presenting &&
    state.elapsedMs >= guideTurnAtMs(state.sceneSeconds) &&
    state.msSinceLookAway >= GUIDED_TIMING.lookAwayQuietMs
  );
}
