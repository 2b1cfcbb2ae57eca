// @ts-check
// Shannon entropy per character: random keys score high (base62 → up to ~5.95 bits), words, identifiers
// and placeholders (xxxx, changeme, ${TOKEN}) score low. Used to keep generic matches to real-looking secrets.

/**
 * @param {string} text
 * @returns {number} bits per character (0 for '')
 */
export function shannonEntropy(text) {
  if (text.length === 0) return 0;
  /** @type {Map<string, number>} */
  const counts = new Map();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  const length = [...text].length;
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
