import { router } from '../../core/trpc.ts';
import { heartbeatProcedure } from './heartbeat.ts';
import { historyProcedure } from './history.ts';
import { sessionIceProcedure } from './session-ice.ts';
import { startPlaybackProcedure } from './start-playback.ts';

/** Viewing sessions: start or resume, position heartbeats, fresh ICE servers, and the watch history built from them. */
export const streamingRouter = router({
  start: startPlaybackProcedure,
  heartbeat: heartbeatProcedure,
  iceServers: sessionIceProcedure,
  history: historyProcedure,
});
