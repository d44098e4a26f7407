/**
 * Bytes allocated per unit of work, by function, from a profile of test/bench/allocation-profiler.ts:
 *
 *   node dist/test/bench/allocation-summary.js allocation-PID.heapprofile 30000 [top]
 *
 * Self: bytes allocated in the function itself (with what V8 inlined into it). Inclusive: in it and
 * everything it called synchronously (code after an await counts under the microtask that resumed it).
 */
import { readFileSync } from 'node:fs';

interface Node {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: Node[];
}

const [file, unitsText, topText] = process.argv.slice(2);
if (!file || !unitsText) {
  console.error('usage: allocation-summary.js PROFILE UNITS [TOP]');
  process.exit(2);
}
const units = Number(unitsText);
const top = Number(topText ?? 25);
const head = (JSON.parse(readFileSync(file, 'utf8')) as { head: Node }).head;

const name = (n: Node): string => {
  const url = n.callFrame.url.replace(/.*node_modules\//, '').replace(/.*\/dist\//, 'ours:');
  return `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
};
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
function walk(n: Node, onStack: Set<string>): number {
  const k = name(n);
  const outermost = !onStack.has(k);
  if (outermost) onStack.add(k);
  let sum = n.selfSize;
  for (const c of n.children) sum += walk(c, onStack);
  self.set(k, (self.get(k) ?? 0) + n.selfSize);
  if (outermost) {
    onStack.delete(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + sum);
  }
  total += n.selfSize;
  return sum;
}
walk(head, new Set());

const perUnit = (bytes: number): string => `${Math.round(bytes / units)}`.padStart(8);
console.log(`${(total / 2 ** 20).toFixed(1)} MiB allocated, ${Math.round(total / units)} bytes per unit (${units} units)`);
for (const [title, m] of [['self', self], ['inclusive', inclusive]] as const) {
  console.log(`\n bytes per unit, ${title}:`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${perUnit(v)}  ${k}`);
}
