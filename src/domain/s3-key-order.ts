/**
 * S3's key order, for the auditor (incremental state, samplers) and the sandbox (listings) alike. Listings are "always returned in UTF-8 binary order" (ListObjectsV2 API reference);
 * the incremental state file is written and merged in that order, so the auditor needs the same
 * comparison. JavaScript's `<` compares UTF-16 code units, which disagrees with UTF-8 byte order for
 * characters above U+FFFF against U+E000–U+FFFF; UTF-8 byte order equals code point order, so the first
 * differing code unit is remapped to restore it.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (code points ≥ U+10000) sort after U+E000–U+FFFF.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}
