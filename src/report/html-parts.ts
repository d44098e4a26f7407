/**
 * Small pieces the HTML report's sections share (html.ts and html-matrix.ts): escaped attribute
 * lists and the order of statuses from worst to best.
 */
import type { Status } from '../domain/finding.js';
import { html } from './escape.js';

/** Sort ranks: the worst first when ascending. Also "the worst of several outcomes" in the matrix. */
export const STATUS_RANK: Record<Status, number> = { fail: 0, error: 1, excepted: 2, skip: 3, pass: 4 };

/** `name="value"` pairs, every value escaped; undefined values are left out. */
export function attrs(pairs: Record<string, string | number | undefined>): string {
  return Object.entries(pairs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${html(String(v))}"`)
    .join('');
}
