// Exact-duplicate detection in constant memory per line: a 64-bit hash of the line's fields (two independent 32-bit
// FNV-1a/murmur-mixed halves) in an open-addressing table. At 5 million lines the chance of any false match is about
// n²/2⁶⁵ ≈ 7·10⁻⁷; see docs/decisions/0003-duplicate-detection.md.

let h1 = 0;
let h2 = 0;

/** Hashes the fields (with a separator after each, so that field boundaries count) into h1, h2. */
function hashFields(fields: string[]): void {
  h1 = 0x811c9dc5;
  h2 = 0x9747b28c;
  for (let f = 0; f < fields.length; f++) {
    const s = fields[f];
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    h1 = Math.imul(h1 ^ 0x1f, 0x01000193);
    h2 = Math.imul(h2 ^ 0x1f, 0x5bd1e995);
  }
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h2 = Math.imul(h2 ^ (h2 >>> 16), 0xc2b2ae35);
  h2 ^= h2 >>> 16;
  h1 >>>= 0;
  h2 >>>= 0;
}

export class LineSet {
  private keys: Uint32Array;
  private size = 0;
  private mask: number;

  /** expectedLines sizes the table so that it need not grow (it stays under half full). */
  constructor(expectedLines = 0) {
    let cap = 1 << 16;
    while (cap < expectedLines * 2.2) cap <<= 1;
    this.keys = new Uint32Array(cap * 2);
    this.mask = cap - 1;
  }

  /** Adds the line's fields; returns false when a line with equal fields was already added. */
  add(fields: string[]): boolean {
    hashFields(fields);
    const a = h1;
    let b = h2;
    if (a === 0 && b === 0) b = 1; // (0,0) marks an empty slot
    if (this.addHash(a, b)) {
      if (++this.size * 2 > this.mask + 1) this.grow();
      return true;
    }
    return false;
  }

  private addHash(a: number, b: number): boolean {
    const keys = this.keys;
    let slot = (a ^ Math.imul(b, 0x9e3779b1)) & this.mask;
    for (;;) {
      const ka = keys[slot * 2];
      const kb = keys[slot * 2 + 1];
      if (ka === 0 && kb === 0) {
        keys[slot * 2] = a;
        keys[slot * 2 + 1] = b;
        return true;
      }
      if (ka === a && kb === b) return false;
      slot = (slot + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.keys;
    this.keys = new Uint32Array(old.length * 2);
    this.mask = (this.mask << 1) | 1;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== 0 || old[i + 1] !== 0) this.addHash(old[i], old[i + 1]);
  }
}
