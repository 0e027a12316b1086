import type { Projection } from '../../projection.ts';
import type { AdState } from './player-ads.ts';

/** m:ss of a number of seconds, rounded up (a countdown never shows 0:00 while time is left). */
export function formatCountdown(seconds: number): string {
  const whole = Math.max(0, Math.ceil(seconds - 0.05));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

/** "Ad · 0:12", or "Ad 1 of 2 · 0:12" in a break of several ads. */
export function adLabel(state: AdState): string {
  const place = state.count > 1 ? ` ${state.index} of ${state.count}` : '';
  return `Ad${place} · ${formatCountdown(state.remainingSeconds)}`;
}

/** What SphereRenderer.setAd takes for an ad state (structurally; the player does not import the renderer). */
export type AdRendering = {
  form: 'flat' | '360';
  projection?: Projection;
  label: string;
  skip: { kind: 'none' } | { kind: 'in'; seconds: number } | { kind: 'ready' };
  clickable: boolean;
};

export function adRendering(state: AdState): AdRendering {
  const skip: AdRendering['skip'] =
    state.skipInSeconds === null ? { kind: 'none' } : state.canSkip ? { kind: 'ready' } : { kind: 'in', seconds: state.skipInSeconds };
  return {
    form: state.form.kind,
    ...(state.form.kind === '360' ? { projection: state.form.projection } : {}),
    label: adLabel(state),
    skip,
    clickable: state.clickThrough !== null,
  };
}

/**
 * Opens an advertiser's page in a new tab, without giving it a handle on this one. Returns false when
 * the browser blocked the window (no user gesture): the caller then offers a link to press.
 */
export function openClickThrough(url: string): boolean {
  const opened = window.open(url, '_blank');
  if (!opened) return false;
  opened.opener = null;
  return true;
}
