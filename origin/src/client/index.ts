/**
 * `@spherecast/origin/client`: the one typed client of the origin, for the player, the studio, the
 * CLI and the benchmarks. Browser-safe (fetch only); the Node-only publish flow is
 * `@spherecast/origin/publish`. Nothing in core/, domains/ or edges/ imports this folder.
 */
export {
  createOriginClient,
  mediaUploadPath,
  type AppRouter,
  type MediaUploadInput,
  type OriginClient,
  type OriginClientOptions,
  type OriginFetch,
  type RouterInputs,
  type RouterOutputs,
  type StagedFile,
} from './origin-client.ts';
export { errorMessage, errorStatus, OriginApiError, UNREACHABLE_MESSAGE } from './errors.ts';
