// The live transcoder as a process: `SPHERECAST_LIVE_TRANSCODER='{"input":…,"ingestUrl":…,"streamKey":…,"rungs":[…],"preset":…}'
// node --import tsx origin/src/domains/live/transcoder-main.ts`. The RTMP ingest starts one per
// publish; it can run on another machine that reaches the RTMP server and the origin. SIGTERM
// ends it cleanly (ffmpeg writes its last segment). Exit 0 when the input ended, 1 on a failure.
import { isMediaError } from '@spherecast/shared/media';
import { runTranscoder, transcoderOptionsSchema } from './transcoder.ts';

const parsed = transcoderOptionsSchema.safeParse(JSON.parse(process.env.SPHERECAST_LIVE_TRANSCODER ?? 'null'));
if (!parsed.success) {
  console.error(`SPHERECAST_LIVE_TRANSCODER is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  process.exit(2);
}
const abort = new AbortController();
process.on('SIGTERM', () => abort.abort());
process.on('SIGINT', () => abort.abort());
runTranscoder(parsed.data, abort.signal).then(
  () => process.exit(0),
  (error: unknown) => {
    if (abort.signal.aborted && isMediaError(error) && error.code === 'CANCELLED') process.exit(0);
    console.error(`live transcoder: ${(error as Error).message}`);
    process.exit(1);
  },
);
