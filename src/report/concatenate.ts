/**
 * `merge`: the shards' object outputs (`<name>.objects.jsonl`, one finding per line) joined into one
 * file. Streamed (a part's JSONL may hold millions of lines), written under a temporary name and
 * renamed like every report file.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createDirectory, temporarySibling } from '../paths.js';

/** Writes the files `sources`, one after the other, to `target`; returns `target`. */
export async function concatenateFiles(sources: readonly string[], target: string): Promise<string> {
  await createDirectory(dirname(target));
  const temporary = temporarySibling(target);
  try {
    for (const [i, source] of sources.entries()) {
      await pipeline(createReadStream(source), createWriteStream(temporary, { flags: i === 0 ? 'w' : 'a' }));
    }
    if (sources.length === 0) await pipeline(async function* () {}, createWriteStream(temporary));
    await rename(temporary, target);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
  return target;
}
