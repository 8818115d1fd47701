// A least-recently-used map from a content key to its token count, bounded two ways:
//  - `maxEntries`: each entry holds a short key and a number, never the text itself, so memory is
//    about 150 bytes per entry whatever the size of the text;
//  - `maxChars`: the total length of the texts the cached counts stand for. This bounds how much of
//    the past the cache can "remember": once a conversation's text exceeds it, the oldest messages
//    are forgotten first (and recounted if they come back).
// A JS Map keeps insertion order; a hit deletes and re-inserts the key, so the first key is the LRU.

export interface CountCacheLimits {
  maxEntries: number;
  maxChars: number;
}

interface Entry { tokens: number; chars: number }

export class CountCache {
  private readonly map = new Map<string, Entry>();
  private charsHeld = 0;
  hits = 0;
  misses = 0;
  evictions = 0;

  constructor(readonly limits: CountCacheLimits) {}

  get size(): number { return this.map.size; }
  get chars(): number { return this.charsHeld; }

  get(key: string): number | undefined {
    const e = this.map.get(key);
    if (e === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.map.delete(key);
    this.map.set(key, e);
    return e.tokens;
  }

  set(key: string, tokens: number, chars: number): void {
    if (chars > this.limits.maxChars || this.limits.maxEntries <= 0) return; // would evict everything
    const old = this.map.get(key);
    if (old) {
      this.charsHeld -= old.chars;
      this.map.delete(key);
    }
    this.map.set(key, { tokens, chars });
    this.charsHeld += chars;
    while (this.map.size > this.limits.maxEntries || this.charsHeld > this.limits.maxChars) {
      const first = this.map.keys().next();
      if (first.done) break;
      const e = this.map.get(first.value)!;
      this.map.delete(first.value);
      this.charsHeld -= e.chars;
      this.evictions++;
    }
  }

  /** Every entry as [key, tokens, chars], least recently used first. */
  entries(): Array<[string, number, number]> {
    const out: Array<[string, number, number]> = [];
    for (const [key, e] of this.map) out.push([key, e.tokens, e.chars]);
    return out;
  }

  clear(): void {
    this.map.clear();
    this.charsHeld = 0;
  }
}
