import { useEffect, useRef, useState, type RefObject } from 'react';
import type { SphereRenderer } from '@spherecast/shared/renderer';
import { adLabel, adRendering, openClickThrough, type AdState, type Player } from '@spherecast/shared/player';
import './ad-overlay.css';

type RenderedAd = { form: 'flat' | '360'; screenVisible: boolean; sphereVisible: boolean };

function readRendered(renderer: SphereRenderer | null): RenderedAd | null {
  const shown = renderer?.getAd();
  return shown ? { form: shown.form, screenVisible: shown.screenVisible, sphereVisible: shown.sphereVisible } : null;
}

/**
 * The ad playing now (HLS interstitials, see PlayerAds): "Ad · 0:12", a skip button once the creative
 * allows it, and the advertiser's page. The renderer shows the ad too (a flat ad on a virtual screen,
 * and in a headset the label bar; select there skips or clicks through: the headset session ends and
 * the page opens outside of it).
 */
export function AdOverlay({ player, rendererRef }: { player: Player | null; rendererRef: RefObject<SphereRenderer | null> }) {
  const [ad, setAd] = useState<AdState | null>(null);
  /** A click-through the browser did not open (no gesture, e.g. from a headset select): offered as a link. */
  const [pending, setPending] = useState<string | null>(null);
  /** What the renderer draws of the ad (read back from it), for tests and tools: data-rendered-* below. */
  const [rendered, setRendered] = useState<RenderedAd | null>(null);
  const adRef = useRef<AdState | null>(null);

  useEffect(() => {
    if (!player) return;
    const onAd = (state: AdState | null): void => {
      adRef.current = state;
      setAd(state);
      const renderer = rendererRef.current;
      renderer?.setAd(state ? adRendering(state) : null);
      setRendered(readRendered(renderer));
    };
    player.ads.on('ad', onAd);
    onAd(player.ads.state);
    return () => {
      player.ads.off('ad', onAd);
      // The renderer of now (it may have been made after this effect ran), back to the content.
      // eslint-disable-next-line react-hooks/exhaustive-deps
      rendererRef.current?.setAd(null);
    };
  }, [player, rendererRef]);

  const active = ad !== null;
  useEffect(() => {
    const renderer = rendererRef.current;
    if (!player || !renderer || !active) return;
    const onSkip = (): void => void player.ads.skip();
    const onClick = (): void => {
      const url = player.ads.click();
      if (!url) return;
      // The page cannot be seen in the headset: leave the immersive view, then open the page (or offer it).
      void renderer.xr.exit();
      if (!openClickThrough(url)) setPending(url);
    };
    renderer.on('adskip', onSkip);
    renderer.on('adclick', onClick);
    return () => {
      renderer.off('adskip', onSkip);
      renderer.off('adclick', onClick);
    };
  }, [player, rendererRef, active]);

  if (!ad && !pending) return null;
  const visit = (): void => {
    if (pending) {
      openClickThrough(pending);
      setPending(null);
      return;
    }
    const url = player?.ads.click();
    if (url && !openClickThrough(url)) setPending(url);
  };
  return (
    <div
      className="ad-overlay"
      data-testid="ad-overlay"
      data-ad-id={ad?.adId}
      data-ad-form={ad?.form.kind}
      data-rendered-form={rendered?.form}
      data-rendered-screen={rendered ? String(rendered.screenVisible) : undefined}
      data-rendered-sphere={rendered ? String(rendered.sphereVisible) : undefined}
    >
      <div className="ad-info">
        {ad ? (
          <span className="ad-badge" aria-label={`Advertisement, ${Math.ceil(ad.remainingSeconds)} seconds left`}>
            {adLabel(ad)}
          </span>
        ) : null}
        {ad?.clickThrough || pending ? (
          <button type="button" className="ad-visit" onClick={visit}>
            Visit advertiser
          </button>
        ) : null}
      </div>
      {ad && ad.skipInSeconds !== null ? (
        <button type="button" className="ad-skip" disabled={!ad.canSkip} onClick={() => player?.ads.skip()}>
          {ad.canSkip ? 'Skip ad' : `Skip in ${Math.ceil(ad.skipInSeconds)}`}
        </button>
      ) : null}
    </div>
  );
}
