import { router } from '../api/trpc.ts';
import { heartbeatProcedure } from './heartbeat.ts';
import { historyProcedure } from './history.ts';
import { playbackProcedure } from './playback.ts';

/** Viewing sessions: start or resume, position heartbeats, and the watch history built from them. */
export const streamingRouter = router({
  start: playbackProcedure,
  heartbeat: heartbeatProcedure,
  history: historyProcedure,
});
