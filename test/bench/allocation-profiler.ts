/**
 * Loaded into a process with `--import` (bench:objects passes it to the auditor with
 * BENCH_AUDITOR_NODE_ARGS="--import=…/dist/test/bench/allocation-profiler.js"): V8's sampling heap
 * profiler, counting the objects the young and old generation collections free as well — everything
 * allocated, not only what is still alive at exit (what `node --heap-prof` writes). At exit the profile is
 * written to $BENCH_ALLOCATION_PROFILE_DIR (default: the working directory) as allocation-PID.heapprofile;
 * test/bench/allocation-summary.ts reads it.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const session = new Session();
session.connect();
session.post('HeapProfiler.enable');
session.post('HeapProfiler.startSampling', { samplingInterval: 8192, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
process.on('exit', () => {
  // The inspector answers a same-thread session synchronously: the profile is written before exit.
  session.post('HeapProfiler.stopSampling', (err, answer) => {
    if (err) return void process.stderr.write(`allocation profiler: ${err.message}\n`);
    writeFileSync(join(process.env.BENCH_ALLOCATION_PROFILE_DIR ?? '.', `allocation-${process.pid}.heapprofile`), JSON.stringify(answer.profile));
  });
});
