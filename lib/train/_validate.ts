/**
 * Checks of the training functions' options: each wrong value gets an error
 * that names the function, the option, what it must be and what it got.
 *
 * @module
 */
import { Tensor } from "../tensor.ts";
import { describeValue as shown } from "../format.ts";
import type { Data } from "./train_step.ts";

export { describeValue as shown } from "../format.ts";

/** Throws unless `v` is an integer ≥ `min`. */
export function checkInteger(where: string, name: string, v: unknown, min: number): void {
  if (!(typeof v === "number" && Number.isInteger(v) && v >= min)) {
    throw new RangeError(
      `${where}: ${name} must be an integer >= ${min}, got ${shown(v)}`,
    );
  }
}

/** Throws unless `v` is a finite number in (`min`, `max`) (or [min, ...] with `closed`). */
export function checkNumber(
  where: string,
  name: string,
  v: unknown,
  [min, max]: [number, number],
  closed = false,
): void {
  const ok = typeof v === "number" && Number.isFinite(v) &&
    (closed ? v >= min : v > min) && v < max;
  if (!ok) {
    const range = max === Infinity
      ? `${closed ? ">=" : ">"} ${min}`
      : `between ${min} and ${max} (exclusive)`;
    throw new RangeError(`${where}: ${name} must be a finite number ${range}, got ${shown(v)}`);
  }
}

/** Throws naming the first key of `options` not in `known` (a typo loses nothing silently). */
export function checkKnown(where: string, options: object, known: readonly string[]): void {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`${where}: the options must be an object, got ${shown(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const near = known.find((k) => k.toLowerCase().startsWith(key.toLowerCase().slice(0, 4)));
      throw new TypeError(
        `${where}: unknown option '${key}'${near ? ` (did you mean '${near}'?)` : ""}; ` +
          `the options are ${known.join(", ")}`,
      );
    }
  }
}

/** Throws unless `v` is undefined or of type `type`. */
export function checkType(where: string, name: string, v: unknown, type: string): void {
  if (v !== undefined && typeof v !== type) {
    throw new TypeError(`${where}: ${name} must be a ${type}, got ${shown(v)}`);
  }
}

/** Throws unless `data` is `{ x, y }` of tensors with the same non-zero length on axis 0. */
export function checkData(data: Data, what: string): void {
  if (!data || !(data.x instanceof Tensor) || !(data.y instanceof Tensor)) {
    throw new TypeError(
      `${what}: the data must be { x: Tensor, y: Tensor } (for example from imageData or ` +
        `pointData), got ${shown(data)}`,
    );
  }
  const n = data.x.shape[0];
  if (!data.x.ndim || !n) {
    throw new Error(`${what}: the inputs are empty (shape [${data.x.shape}])`);
  }
  if (!data.y.ndim || data.y.shape[0] !== n) {
    throw new Error(
      `${what}: ${n} inputs (shape [${data.x.shape}]) but ${data.y.shape[0] ?? 0} targets ` +
        `(shape [${data.y.shape}]); they must match on axis 0`,
    );
  }
}
