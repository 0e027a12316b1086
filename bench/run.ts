// `npm run bench [-- name ...]`: runs the benchmarks (all by default) and writes each one's section
// of bench/RESULTS.md as soon as it finishes. Names: search, ladder, tracker, tracker-scale, offload, finalize, live, web, nat, processing, realtime.
import { writeResultsSection } from './lib/results.ts';

type Bench = () => Promise<{ markdown: string }>;

const BENCHES: Record<string, () => Promise<Bench>> = {
  search: async () => (await import('./search-bench.ts')).runSearchBench,
  ladder: async () => (await import('./ladder-bench.ts')).runLadderBench,
  tracker: async () => (await import('./tracker-bench.ts')).runTrackerBench,
  'tracker-scale': async () => (await import('./tracker-scale.ts')).runTrackerScaleBench,
  offload: async () => (await import('./offload-bench.ts')).runOffloadBench,
  finalize: async () => (await import('./finalize-bench.ts')).runFinalizeBench,
  live: async () => (await import('./live-bench.ts')).runLiveBench,
  web: async () => (await import('./web-bench.ts')).runWebBench,
  media: async () => (await import('./media-bench.ts')).runMediaBench,
  nat: async () => (await import('./nat-bench.ts')).runNatBench,
  processing: async () => (await import('./processing-bench.ts')).runProcessingBench,
  realtime: async () => (await import('./realtime-bench.ts')).runRealtimeBench,
};

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(name in BENCHES));
if (unknown.length > 0) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Known: ${Object.keys(BENCHES).join(', ')}.`);
  process.exit(2);
}
let failed = 0;
// tracker-scale is part of tracker too: a run of everything measures it once.
for (const name of requested.length > 0 ? requested : Object.keys(BENCHES).filter((bench) => bench !== 'tracker-scale')) {
  console.log(`\n=== bench: ${name}`);
  try {
    const run = await BENCHES[name]!();
    const { markdown } = await run();
    await writeResultsSection(name, markdown);
    console.log(`bench: ${name} written to bench/RESULTS.md`);
  } catch (error) {
    failed += 1;
    console.error(`bench: ${name} failed:`, error);
  }
}
process.exit(failed > 0 ? 1 : 0);
