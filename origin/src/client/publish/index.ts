/**
 * `@spherecast/origin/publish` (Node only): publishes a transcode or photo output folder to an
 * origin through the typed client (`@spherecast/origin/client`), reading files with node streams.
 * The studio's job queue, the CLI, the demo seeder and the benchmarks use it.
 */
export {
  PublishJob,
  publishToOrigin,
  publishResultSchema,
  type PublishAuth,
  type PublishOptions,
  type PublishProgress,
  type PublishFileProgress,
  type PublishResult,
  type PublishEvents,
} from './publish-job.ts';
export { readPublishManifest, sha256File, type PublishManifest } from './publish-manifest.ts';
