/**
 * S3 Inventory's CSV: one object per line, no header row, every field in double quotes ("a","b",""), a quote
 * inside a field doubled (RFC 4180). Keys are URL-encoded in CSV reports (User Guide, "Amazon S3 Inventory
 * list": "When you're using the CSV file format, the key name is URL-encoded and must be decoded").
 *
 * Hand-rolled rather than a CSV library: the reports are regular (always quoted, one line per row — a key's
 * line breaks are URL-encoded), so a tight loop over indexOf is several times faster than a general parser,
 * and reading rows is the whole cost of an inventory audit. Fields without quotes are accepted too.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';

/** The fields of one CSV line (without its line break). */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    if (i < n && line.charCodeAt(i) === 34 /* " */) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = line.indexOf('"', from);
        if (q < 0) throw new Error('unterminated quoted field in an inventory CSV line');
        if (line.charCodeAt(q + 1) === 34) {
          value += line.slice(from, q + 1);
          from = q + 2;
          continue;
        }
        value += line.slice(from, q);
        i = q + 1;
        break;
      }
      out.push(value);
    } else {
      const c = line.indexOf(',', i);
      const end = c < 0 ? n : c;
      out.push(line.slice(i, end));
      i = end;
    }
    if (i >= n) return out;
    if (line.charCodeAt(i) !== 44 /* , */) throw new Error('unexpected character after a quoted field in an inventory CSV line');
    i++;
    if (i === n) {
      out.push('');
      return out;
    }
  }
}

/**
 * Every line of a text stream, parsed, handed to `onRow` in order. When `onRow` returns a promise the stream
 * waits for it (backpressure from the outputs), otherwise lines run in a tight loop.
 */
export async function readCsvRows(text: Readable, onRow: (fields: string[]) => Promise<void> | undefined): Promise<number> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let rows = 0;
  const lines = async (chunk: string): Promise<void> => {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl < 0) break;
      let end = nl;
      if (end > start && chunk.charCodeAt(end - 1) === 13) end--;
      if (end > start) {
        rows++;
        const wait = onRow(parseCsvLine(chunk.slice(start, end)));
        if (wait) await wait;
      }
      start = nl + 1;
    }
    rest = chunk.slice(start);
  };
  for await (const chunk of text) {
    const s = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    await lines(rest + s);
  }
  const last = rest + decoder.end();
  rest = '';
  if (last.length > 0) await lines(last + '\n');
  return rows;
}
