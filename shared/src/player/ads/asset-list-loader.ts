import { LoaderContextType, type HlsConfig, type Loader, type LoaderCallbacks, type LoaderConfiguration, type LoaderContext } from 'hls.js';
import { adAssetListSchema } from '../../api/ad-delivery.ts';

type LoaderClass = HlsConfig['loader'];

/**
 * hls.js's loader with one addition: an interstitial asset list must match `adAssetListSchema` (each
 * asset with its `X-SPHERECAST-AD` details). Anything else is reported as a load error, which makes
 * hls.js drop the break and play the content on (hls.js itself only checks that `ASSETS` is an array).
 * Relative asset URIs are made absolute against the asset list's URL, as HLS resolves them.
 * Every other request goes through `Base` untouched.
 */
export function withAssetListValidation(Base: LoaderClass): LoaderClass {
  return class AssetListValidatingLoader extends Base {
    override load(context: LoaderContext, config: LoaderConfiguration, callbacks: LoaderCallbacks<LoaderContext>): void {
      if (context.type !== LoaderContextType.INTERSTITIAL_ASSET_LIST) {
        super.load(context, config, callbacks);
        return;
      }
      super.load(context, config, {
        ...callbacks,
        onSuccess: (response, stats, ctx, networkDetails) => {
          const parsed = adAssetListSchema.safeParse(response.data);
          if (!parsed.success) {
            const issue = parsed.error.issues[0];
            const where = issue ? `${issue.path.join('.') || 'the list'}: ${issue.message}` : 'unknown shape';
            callbacks.onError({ code: 0, text: `the ad asset list does not match the contract (${where})` }, ctx, networkDetails, stats);
            return;
          }
          // HLS resolves an asset's URI against the asset list's URL; hls.js would take it relative to the page.
          const base = response.url || ctx.url;
          const list = { ASSETS: parsed.data.ASSETS.map((asset) => ({ ...asset, URI: new URL(asset.URI, base).href })) };
          callbacks.onSuccess({ ...response, data: list }, stats, ctx, networkDetails);
        },
      });
    }
  } satisfies new (config: HlsConfig) => Loader<LoaderContext>;
}
