/**
 * @spherecast/studio: the studio engine, runnable in plain Node (no Electron). The desktop app hosts it over
 * IPC, the browser mode over HTTP; clients import only `type StudioRouter`.
 */
export { studioRouter, type StudioRouter } from './router.ts';
export { createCallerFactory, type StudioContext } from './trpc.ts';
export { StudioEngine, type StudioEngineOptions } from './studio-engine.ts';
export { StudioServer, projectSourcePath, type StudioServerOptions } from './http/studio-server.ts';
export { loadStudioConfig, defaultDataDir, type StudioConfig } from './config.ts';
export { StudioError, STUDIO_ERRORS, type StudioErrorCode, type StudioErrorData } from './errors.ts';
export { JOB_KINDS, JOB_STATES, type JobSnapshot, type JobKind, type JobState } from './jobs/job-queue.ts';
