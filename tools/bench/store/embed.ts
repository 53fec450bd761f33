// A local, deterministic embedding for the store benchmark: each word is hashed (FNV-1a) into one of DIMS
// buckets, and the counts are the vector. Texts sharing words are close; no model and no network.
const DIMS = 256;

function bucket(word: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < word.length; i += 1) {
    hash ^= word.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % DIMS;
}

function embedText(text: string): number[] {
  const vector = new Array<number>(DIMS).fill(0);
  for (const word of text.toLowerCase().split(/[^a-z0-9]+/)) if (word) vector[bucket(word)] += 1;
  vector[0] += 0.001; // never the zero vector
  return vector;
}

export async function embed(texts: string[]): Promise<number[][]> {
  return texts.map(embedText);
}
