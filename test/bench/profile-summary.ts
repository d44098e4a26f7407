/**
 * Where the time goes in a V8 CPU profile (`node --cpu-prof`): self time per package (our modules, each
 * node_modules package, Node internals, native), the hottest functions by self time, and inclusive time
 * of a few frames worth naming. Plain text for the benchmark's output.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** "@smithy/core", "node:internal/…", "ours:src/collect/objects.js", "(native)". */
export function packageOf(url: string): string {
  if (url.includes('node_modules/')) {
    const parts = url.split('node_modules/').at(-1)!.split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (url.startsWith('node:')) return url;
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return `ours:${url.slice(dist + 6)}`;
  return url === '' ? '(native)' : url;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  byPackage: [string, number][];
  byFunction: [string, number][];
  inclusive: [string, number][];
}

export function summarizeProfile(path: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const node = nodes.get(id)!;
    const cf = node.callFrame;
    if (cf.functionName === '(idle)') idle += dt;
    const pkg = packageOf(cf.url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + dt);
    const fn = `${cf.functionName || '(anonymous)'} ${pkg}:${cf.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
    const seen = new Set<string>();
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const f = nodes.get(x)!.callFrame;
      const key = `${f.functionName || '(anonymous)'} ${packageOf(f.url)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
    }
  });
  const sorted = (m: Map<string, number>): [string, number][] => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  return { totalMs: total, idleMs: idle, byPackage: sorted(byPackage), byFunction: sorted(byFunction), inclusive: sorted(inclusive) };
}

export function formatSummary(title: string, s: ProfileSummary): string {
  const row = ([name, ms]: [string, number]): string => `  ${ms.toFixed(0).padStart(7)} ms  ${((100 * ms) / s.totalMs).toFixed(1).padStart(5)}%  ${name}`;
  return [
    `${title}: ${s.totalMs.toFixed(0)} ms sampled, ${s.idleMs.toFixed(0)} ms idle`,
    ' self time by package:',
    ...s.byPackage.map(row),
    ' self time by function:',
    ...s.byFunction.map(row),
    ' inclusive time:',
    ...s.inclusive.map(row),
  ].join('\n');
}

// `node dist/test/bench/profile-summary.js FILE.cpuprofile`
if (process.argv[1]?.endsWith('profile-summary.js') && process.argv[2]) {
  console.log(formatSummary(process.argv[2], summarizeProfile(process.argv[2], 25)));
}
