/**
 * A small seedable random generator (xoshiro128**, seeded through
 * splitmix32). Pure integer arithmetic, so the same seed gives the same
 * numbers on every machine and every backend: random tensors are generated
 * here and then uploaded.
 *
 * @module
 */

/**
 * What {@linkcode Rng.getState} returns: plain numbers, safe to store as JSON.
 *
 * @example
 * ```ts
 * import { Rng } from "./random.ts";
 * import assert from "node:assert/strict";
 * const a = new Rng(7);
 * a.normal();
 * const saved = JSON.parse(JSON.stringify(a.getState()));
 * const b = new Rng(0);
 * b.setState(saved);
 * assert.equal(b.normal(), a.normal());
 * ```
 */
export interface RngState {
  /** The four 32-bit words of xoshiro128**. */
  words: number[];
  /** The second Box–Muller sample, if one is waiting. */
  spareNormal: number | null;
}

/**
 * Seedable pseudo-random generator.
 *
 * @example Same seed, same numbers
 * ```ts
 * import { Rng } from "./random.ts";
 * import assert from "node:assert/strict";
 * const a = new Rng(42), b = new Rng(42);
 * assert.equal(a.next(), b.next());
 * assert.ok(a.uniform() >= 0 && a.uniform() < 1);
 * ```
 */
export class Rng {
  #s = new Uint32Array(4);
  #spareNormal: number | null = null;

  /** Creates a generator; equal seeds give equal streams. */
  constructor(seed = 0) {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      // splitmix32 expands one 32-bit seed into the four state words.
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.#s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }

  /** Next raw 32-bit unsigned integer. */
  next(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform float in [0, 1) with 32 random bits. */
  uniform(): number {
    return this.next() / 4294967296;
  }

  /** Standard normal sample (Box–Muller; the second sample is kept for the next call). */
  normal(): number {
    if (this.#spareNormal !== null) {
      const v = this.#spareNormal;
      this.#spareNormal = null;
      return v;
    }
    const u1 = 1 - this.uniform(); // in (0, 1]: log is finite
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.#spareNormal = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /**
   * The generator's whole state (four words and the spare normal), to save
   * in a checkpoint and give back to {@linkcode Rng.setState}.
   */
  getState(): RngState {
    return { words: [...this.#s], spareNormal: this.#spareNormal };
  }

  /** Continues from a state taken with {@linkcode Rng.getState}. */
  setState(state: RngState): void {
    const ok = Array.isArray(state?.words) && state.words.length === 4 &&
      state.words.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32) &&
      (state.spareNormal === null || typeof state.spareNormal === "number");
    if (!ok) {
      throw new Error(`Rng.setState: not a state from Rng.getState: ${JSON.stringify(state)}`);
    }
    this.#s.set(state.words);
    this.#spareNormal = state.spareNormal;
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

let globalRng = new Rng(0);

/**
 * Reseeds the global generator used when no `rng` option is given.
 *
 * @example
 * ```ts
 * import { manualSeed, defaultRng } from "./random.ts";
 * import assert from "node:assert/strict";
 * manualSeed(7);
 * const first = defaultRng().next();
 * manualSeed(7);
 * assert.equal(defaultRng().next(), first);
 * ```
 */
export function manualSeed(seed: number): void {
  globalRng = new Rng(seed);
}

/**
 * The global generator (reseed it with {@linkcode manualSeed}).
 *
 * @example
 * ```ts
 * import { defaultRng } from "./random.ts";
 * import assert from "node:assert/strict";
 * assert.ok(defaultRng().uniform() < 1);
 * ```
 */
export function defaultRng(): Rng {
  return globalRng;
}
