/**
 * Conformance cases: one named, deterministic case per differentiable
 * primitive and composite op, shared by the gradient checks
 * (`gradcheck_test.ts`) and, later, by CPU/GPU parity tests.
 *
 * Every case builds float64 CPU inputs from a fixed seed, and its `fn` uses
 * only public ops from `mod.ts` (constants are created on the inputs' backend
 * with the inputs' dtype), so the same case runs unchanged on any backend.
 * Inputs of functions with kinks (abs, relu, max, clamp, ...) are chosen away
 * from the kinks and ties by at least 0.05, far beyond any finite-difference
 * step or float32 rounding.
 *
 * This is not a test file: it has no `Deno.test`.
 *
 * @module
 */
import {
  abs,
  add,
  avgPool2d,
  clamp,
  concat,
  conv2d,
  div,
  elu,
  eq,
  exp,
  expand,
  flatten,
  ge,
  gt,
  le,
  leakyRelu,
  log,
  logSoftmax,
  lt,
  matmul,
  max,
  maximum,
  maxPool2d,
  mean,
  min,
  minimum,
  mul,
  ne,
  neg,
  pad,
  permute,
  pow,
  relu,
  reshape,
  Rng,
  sigmoid,
  sign,
  slice,
  softmax,
  softplus,
  sqrt,
  squeeze,
  stack,
  step,
  sub,
  sum,
  take,
  tanh,
  type Tensor,
  tensor,
  transpose,
  unsqueeze,
  variance,
  where,
} from "../mod.ts";

/** One conformance case. */
export interface OpCase {
  /** Unique, descriptive name (used as the test name). */
  name: string;
  /** Fresh float64 CPU inputs, the same values on every call. */
  inputs: () => Tensor[];
  /** The function under test, built from public ops only. */
  fn: (...xs: Tensor[]) => Tensor;
  /**
   * True when `fn` is smooth everywhere (no kink, tie or branch), so it may
   * be evaluated at any inputs, e.g. after rounding them to float32. False
   * when the inputs were chosen away from kinks that small perturbations
   * could still cross.
   */
  kinkFree?: boolean;
}

type Shape = readonly number[];

const sizeOf = (shape: Shape) => shape.reduce((a, b) => a * b, 1);

function make(values: ArrayLike<number>, shape: Shape): Tensor {
  return tensor(Float64Array.from(values), { shape, dtype: "float64", backend: "cpu" });
}

/** Normal samples times `scale`. */
function randn(shape: Shape, seed: number, scale = 1): Tensor {
  const rng = new Rng(seed);
  return make(Array.from({ length: sizeOf(shape) }, () => scale * rng.normal()), shape);
}

/** Uniform samples in [lo, hi). */
function uniform(shape: Shape, seed: number, lo: number, hi: number): Tensor {
  const rng = new Rng(seed);
  return make(Array.from({ length: sizeOf(shape) }, () => lo + (hi - lo) * rng.uniform()), shape);
}

/** Random sign times a magnitude in [lo, hi): values at least `lo` away from 0. */
function awayFromZero(shape: Shape, seed: number, lo = 0.2, hi = 1.5): Tensor {
  const rng = new Rng(seed);
  return make(
    Array.from({ length: sizeOf(shape) }, () => {
      const m = lo + (hi - lo) * rng.uniform();
      return rng.uniform() < 0.5 ? -m : m;
    }),
    shape,
  );
}

/**
 * Several tensors whose values are all distinct, pairwise at least
 * `0.8 * spacing` apart (a shuffled grid plus a little jitter): no ties for
 * max/min/maximum/minimum, within a tensor or across tensors.
 */
function distinct(shapes: readonly Shape[], seed: number, spacing = 0.15): Tensor[] {
  const rng = new Rng(seed);
  const total = shapes.reduce((n, s) => n + sizeOf(s), 0);
  const perm = rng.permutation(total);
  const values = Array.from(perm, (p) => (p - total / 2) * spacing + 0.1 * spacing * rng.uniform());
  let offset = 0;
  return shapes.map((s) => {
    const t = make(values.slice(offset, offset + sizeOf(s)), s);
    offset += sizeOf(s);
    return t;
  });
}

/** Values in (lo, hi) kept at least `margin` away from every point of `avoid`. */
function avoiding(
  shape: Shape,
  seed: number,
  lo: number,
  hi: number,
  avoid: readonly number[],
  margin = 0.1,
): Tensor {
  const rng = new Rng(seed);
  return make(
    Array.from({ length: sizeOf(shape) }, () => {
      for (;;) {
        const v = lo + (hi - lo) * rng.uniform();
        if (avoid.every((a) => Math.abs(v - a) >= margin)) return v;
      }
    }),
    shape,
  );
}

/** A constant on `ref`'s backend with `ref`'s dtype. */
function constLike(ref: Tensor, values: number[], shape: Shape): Tensor {
  return tensor(values, { shape, dtype: ref.dtype, backend: ref.backend.name });
}

/** Int32 indices on `ref`'s backend. */
function indicesLike(ref: Tensor, values: number[]): Tensor {
  return tensor(values, { dtype: "int32", backend: ref.backend.name });
}

type Bin = (a: Tensor, b: Tensor) => Tensor;

/** Shape pairs every binary op is checked on: equal shapes and three broadcasts. */
const BINARY_SHAPES: readonly [string, Shape, Shape][] = [
  ["same shapes [3,5]", [3, 5], [3, 5]],
  ["broadcast [3,1] x [1,4]", [3, 1], [1, 4]],
  ["broadcast [2,3,4] x [4]", [2, 3, 4], [4]],
  ["broadcast scalar x [5]", [], [5]],
];

function binaryCases(): OpCase[] {
  const cases: OpCase[] = [];
  const ops: [string, Bin, (sa: Shape, sb: Shape, seed: number) => Tensor[], boolean][] = [
    ["add", add, (sa, sb, s) => [randn(sa, s), randn(sb, s + 1)], true],
    ["sub", sub, (sa, sb, s) => [randn(sa, s), randn(sb, s + 1)], true],
    ["mul", mul, (sa, sb, s) => [randn(sa, s), randn(sb, s + 1)], true],
    // Denominators at least 0.5 away from 0.
    ["div", div, (sa, sb, s) => [randn(sa, s), awayFromZero(sb, s + 1, 0.5, 1.5)], true],
    // Positive base, so both gradients exist.
    ["pow", pow, (sa, sb, s) => [uniform(sa, s, 0.5, 2), uniform(sb, s + 1, -1.5, 1.5)], true],
    ["maximum", maximum, (sa, sb, s) => distinct([sa, sb], s), false],
    ["minimum", minimum, (sa, sb, s) => distinct([sa, sb], s), false],
  ];
  let seed = 100;
  for (const [op, f, gen, smooth] of ops) {
    for (const [label, sa, sb] of BINARY_SHAPES) {
      const s = seed += 10;
      cases.push({ name: `${op} ${label}`, inputs: () => gen(sa, sb, s), fn: f, kinkFree: smooth });
      if (label.startsWith("broadcast [3,1]")) {
        // The broadcast operand on the left as well as on the right.
        cases.push({
          name: `${op} broadcast [1,4] x [3,1] (swapped)`,
          inputs: () => gen(sb, sa, s + 5),
          fn: f,
          kinkFree: smooth,
        });
      }
    }
  }
  // A number operand adopts the tensor's dtype and needs no gradient.
  cases.push(
    {
      name: "add/mul/sub/div with number operands",
      inputs: () => [randn([3, 5], 7)],
      fn: (x) => x.add(2).mul(3).sub(1).div(4),
      kinkFree: true,
    },
    {
      name: "pow with number exponent x^3 and number base 2^x",
      inputs: () => [randn([5], 8)],
      fn: (x) => x.pow(3).add(pow(2, x)),
      kinkFree: true,
    },
  );
  return cases;
}

function unaryCases(): OpCase[] {
  const s35: Shape = [3, 5];
  return [
    { name: "neg", inputs: () => [randn(s35, 1)], fn: neg, kinkFree: true },
    { name: "exp", inputs: () => [randn(s35, 2, 0.7)], fn: exp, kinkFree: true },
    {
      name: "log on positive inputs",
      inputs: () => [uniform(s35, 3, 0.3, 3)],
      fn: log,
      kinkFree: true,
    },
    {
      name: "sqrt on positive inputs",
      inputs: () => [uniform(s35, 4, 0.3, 3)],
      fn: sqrt,
      kinkFree: true,
    },
    { name: "abs away from 0", inputs: () => [awayFromZero(s35, 5)], fn: abs, kinkFree: false },
    { name: "relu away from 0", inputs: () => [awayFromZero(s35, 6)], fn: relu, kinkFree: false },
    { name: "sigmoid", inputs: () => [randn(s35, 7, 2)], fn: sigmoid, kinkFree: true },
    { name: "tanh", inputs: () => [randn(s35, 8)], fn: tanh, kinkFree: true },
    // step and sign are piecewise constant: zero gradient away from 0.
    {
      name: "step (zero gradient) times x",
      inputs: () => [awayFromZero(s35, 9)],
      fn: (x) => step(x).mul(x),
      kinkFree: false,
    },
    {
      name: "sign (zero gradient) times x",
      inputs: () => [awayFromZero(s35, 10)],
      fn: (x) => sign(x).mul(x),
      kinkFree: false,
    },
    {
      name: "step alone has zero gradient",
      inputs: () => [awayFromZero([5], 11)],
      fn: step,
      kinkFree: false,
    },
    {
      name: "unary chain on a scalar",
      inputs: () => [make([0.7], [])],
      fn: (x) => x.exp().add(1).log().sqrt().tanh().sigmoid().neg(),
      kinkFree: true,
    },
  ];
}

function comparisonAndCastCases(): OpCase[] {
  return [
    {
      // Comparisons are constants (no gradient), so each product is linear.
      name: "comparisons eq/ne/lt/le/gt/ge are constants",
      inputs: () => distinct([[3, 4], [4]], 20),
      fn: (a, b) =>
        a.mul(gt(a, b)).add(b.mul(le(a, b))).add(a.mul(ne(a, b)).mul(0.5))
          .add(b.mul(eq(a, b))).add(a.mul(lt(a, b)).mul(3)).add(b.mul(ge(a, b)).mul(-2)),
      kinkFree: false,
    },
    {
      // An int32 round trip is a constant: d/dx (x * trunc(x)) = trunc(x).
      name: "cast to int32 and back is a constant",
      inputs: () => [avoiding([3, 5], 21, -3, 3, [-3, -2, -1, 0, 1, 2, 3], 0.1)],
      fn: (x) => x.mul(x.cast("int32").cast(x.dtype)),
      kinkFree: false,
    },
  ];
}

function whereCases(): OpCase[] {
  return [
    {
      name: "where same shapes (condition input has zero gradient)",
      inputs: () => [awayFromZero([3, 4], 30), randn([3, 4], 31), randn([3, 4], 32)],
      fn: (c, a, b) => where(gt(c, 0), a, b),
      kinkFree: false,
    },
    {
      name: "where broadcast cond [3,1], a [1,4], b [3,4]",
      inputs: () => [awayFromZero([3, 1], 33), randn([1, 4], 34), randn([3, 4], 35)],
      fn: (c, a, b) => where(gt(c, 0), a, b),
      kinkFree: false,
    },
    {
      name: "where broadcast cond [2,1,4], a [3,1], b scalar",
      inputs: () => [awayFromZero([2, 1, 4], 36), randn([3, 1], 37), randn([], 38)],
      fn: (c, a, b) => where(lt(c, 0), a, b),
      kinkFree: false,
    },
    {
      name: "where with a number branch",
      inputs: () => [randn([3, 5], 39), awayFromZero([3, 5], 40)],
      fn: (a, c) => where(gt(c, 0), a, 0.5),
      kinkFree: false,
    },
  ];
}

function reduceCases(): OpCase[] {
  const shape: Shape = [3, 5, 7];
  const cases: OpCase[] = [];
  let seed = 200;
  const ops: [string, (x: Tensor, axis?: number | number[], keepdims?: boolean) => Tensor][] = [
    ["sum", sum],
    ["max", max],
    ["min", min],
  ];
  for (const [name, f] of ops) {
    const smooth = name === "sum";
    const gen = (s: number) => () => smooth ? [randn(shape, s)] : distinct([shape], s);
    for (const axis of [0, 1, 2, -1]) {
      for (const keepdims of [false, true]) {
        const s = seed++;
        cases.push({
          name: `${name} over axis ${axis} of [3,5,7], keepdims ${keepdims}`,
          inputs: gen(s),
          fn: (x) => f(x, axis, keepdims),
          kinkFree: smooth,
        });
      }
    }
    cases.push(
      {
        name: `${name} over all axes of [3,5,7]`,
        inputs: gen(seed++),
        fn: (x) => f(x),
        kinkFree: smooth,
      },
      {
        name: `${name} over all axes, keepdims`,
        inputs: gen(seed++),
        fn: (x) => f(x, undefined, true),
        kinkFree: smooth,
      },
      {
        name: `${name} over axes [0,2], keepdims`,
        inputs: gen(seed++),
        fn: (x) => f(x, [0, 2], true),
        kinkFree: smooth,
      },
      {
        name: `${name} over axes [-1,0]`,
        inputs: gen(seed++),
        fn: (x) => f(x, [-1, 0]),
        kinkFree: smooth,
      },
      {
        name: `${name} over an axis of size 1 of [3,1,5]`,
        inputs: () => smooth ? [randn([3, 1, 5], 260)] : distinct([[3, 1, 5]], 260),
        fn: (x) => f(x, 1),
        kinkFree: smooth,
      },
    );
  }
  cases.push(
    {
      name: "mean over axis 1",
      inputs: () => [randn(shape, 270)],
      fn: (x) => mean(x, 1),
      kinkFree: true,
    },
    {
      name: "mean over all axes",
      inputs: () => [randn(shape, 271)],
      fn: (x) => mean(x),
      kinkFree: true,
    },
    {
      name: "mean over [0,2], keepdims",
      inputs: () => [randn(shape, 272)],
      fn: (x) => mean(x, [0, 2], true),
      kinkFree: true,
    },
    {
      name: "variance over axis 2",
      inputs: () => [randn(shape, 273)],
      fn: (x) => variance(x, 2),
      kinkFree: true,
    },
    {
      name: "variance over all axes, correction 1",
      inputs: () => [randn(shape, 274)],
      fn: (x) => variance(x, undefined, false, 1),
      kinkFree: true,
    },
    {
      name: "variance over [0,1], keepdims",
      inputs: () => [randn(shape, 275)],
      fn: (x) => variance(x, [0, 1], true),
      kinkFree: true,
    },
  );
  return cases;
}

function movementCases(): OpCase[] {
  const s357: Shape = [3, 5, 7];
  return [
    {
      name: "expand [3,1] to [2,3,4]",
      inputs: () => [randn([3, 1], 300)],
      fn: (x) => expand(x, [2, 3, 4]),
      kinkFree: true,
    },
    {
      name: "expand scalar to [5]",
      inputs: () => [randn([], 301)],
      fn: (x) => expand(x, [5]),
      kinkFree: true,
    },
    {
      name: "expand [1,5,1] to [3,5,7]",
      inputs: () => [randn([1, 5, 1], 302)],
      fn: (x) => expand(x, s357),
      kinkFree: true,
    },
    {
      name: "permute [3,5,7] by [2,0,1]",
      inputs: () => [randn(s357, 303)],
      fn: (x) => permute(x, [2, 0, 1]),
      kinkFree: true,
    },
    {
      name: "permute with negative axes [-1,-3,-2]",
      inputs: () => [randn(s357, 304)],
      fn: (x) => permute(x, [-1, -3, -2]),
      kinkFree: true,
    },
    {
      name: "transpose (last two axes)",
      inputs: () => [randn(s357, 305)],
      fn: (x) => transpose(x),
      kinkFree: true,
    },
    {
      name: "transpose axes 0 and 2",
      inputs: () => [randn(s357, 306)],
      fn: (x) => transpose(x, 0, 2),
      kinkFree: true,
    },
    // reshape alone is linear; multiply by a constant so positions matter.
    {
      name: "reshape [3,5,7] to [7,-1]",
      inputs: () => [randn(s357, 307)],
      fn: (x) =>
        reshape(x, [7, -1]).mul(
          constLike(x, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], [15]),
        ),
      kinkFree: true,
    },
    {
      name: "flatten from axis 1",
      inputs: () => [randn(s357, 308)],
      fn: (x) => flatten(x, 1),
      kinkFree: true,
    },
    {
      name: "flatten all",
      inputs: () => [randn(s357, 309)],
      fn: (x) => flatten(x),
      kinkFree: true,
    },
    {
      name: "squeeze and unsqueeze",
      inputs: () => [randn([3, 1, 5], 310)],
      fn: (x) => unsqueeze(squeeze(x), -1).mul(x.transpose(1, 2)),
      kinkFree: true,
    },
    {
      name: "slice ranges [1,3], whole, [-3,-1]",
      inputs: () => [randn(s357, 311)],
      fn: (x) => slice(x, [[1, 3], null, [-3, -1]]),
      kinkFree: true,
    },
    {
      name: "slice with negative index -1 and open ranges",
      inputs: () => [randn(s357, 312)],
      fn: (x) => slice(x, [-1, [2], [undefined, -4]]),
      kinkFree: true,
    },
    {
      name: "slice with an index on a middle axis",
      inputs: () => [randn(s357, 313)],
      fn: (x) => slice(x, [null, 3]),
      kinkFree: true,
    },
    {
      name: "slice method with out-of-bounds range (clamped)",
      inputs: () => [randn([5, 3], 314)],
      fn: (x) => x.slice([-10, 2], [1, 10]),
      kinkFree: true,
    },
    {
      name: "pad [3,5] before [1,0] after [2,3]",
      inputs: () => [randn([3, 5], 315)],
      fn: (x) => pad(x, [1, 0], [2, 3]),
      kinkFree: true,
    },
    {
      name: "pad with value 1.5 on every axis of [3,5,7]",
      inputs: () => [randn(s357, 316)],
      fn: (x) => pad(x, [1, 2, 0], [0, 1, 2], 1.5),
      kinkFree: true,
    },
    {
      name: "take rows with repeated indices (array)",
      inputs: () => [randn([5, 3], 317)],
      fn: (x) => take(x, [4, 0, 4, 2, 0, 0]),
      kinkFree: true,
    },
    {
      name: "take rows of a 3-D tensor (int32 tensor indices)",
      inputs: () => [randn([5, 3, 2], 318)],
      fn: (x) => take(x, indicesLike(x, [1, 1, 3])),
      kinkFree: true,
    },
    {
      name: "take from a 1-D tensor",
      inputs: () => [randn([7], 319)],
      fn: (x) => x.take([6, 0, 6, 3]),
      kinkFree: true,
    },
    {
      name: "concat three tensors along axis 0",
      inputs: () => [randn([1, 4], 320), randn([3, 4], 321), randn([2, 4], 322)],
      fn: (a, b, c) => concat([a, b, c], 0),
      kinkFree: true,
    },
    {
      name: "concat along axis -1 of 3-D tensors",
      inputs: () => [randn([2, 3, 1], 323), randn([2, 3, 4], 324)],
      fn: (a, b) => concat([a, b], -1),
      kinkFree: true,
    },
    {
      name: "concat a tensor with itself along axis 1",
      inputs: () => [randn([3, 2], 325)],
      fn: (a) => concat([a, a.mul(2), a], 1),
      kinkFree: true,
    },
    {
      name: "stack along axis 0",
      inputs: () => [randn([3, 4], 326), randn([3, 4], 327)],
      fn: (a, b) => stack([a, b]),
      kinkFree: true,
    },
    {
      name: "stack along axis 2 (last)",
      inputs: () => [randn([3, 4], 328), randn([3, 4], 329), randn([3, 4], 330)],
      fn: (a, b, c) => stack([a, b, c], 2),
      kinkFree: true,
    },
  ];
}

function matmulCases(): OpCase[] {
  const pair = (sa: Shape, sb: Shape, seed: number) => () => [randn(sa, seed), randn(sb, seed + 1)];
  return [
    {
      name: "matmul 2-D [3,5] @ [5,4]",
      inputs: pair([3, 5], [5, 4], 400),
      fn: (a, b) => matmul(a, b),
      kinkFree: true,
    },
    {
      name: "matmul matrix-vector [3,5] @ [5]",
      inputs: pair([3, 5], [5], 402),
      fn: (a, b) => matmul(a, b),
      kinkFree: true,
    },
    {
      name: "matmul vector-matrix [5] @ [5,3]",
      inputs: pair([5], [5, 3], 404),
      fn: (a, b) => matmul(a, b),
      kinkFree: true,
    },
    {
      name: "matmul vector-vector [5] @ [5]",
      inputs: pair([5], [5], 406),
      fn: (a, b) => matmul(a, b),
      kinkFree: true,
    },
    {
      name: "matmul [1,1] @ [1,1]",
      inputs: pair([1, 1], [1, 1], 407),
      fn: (a, b) => matmul(a, b),
      kinkFree: true,
    },
    {
      name: "matmul batched [2,3,4,5] @ [5,6]",
      inputs: pair([2, 3, 4, 5], [5, 6], 408),
      fn: (a, b) => matmul(a, b),
      kinkFree: true,
    },
    {
      name: "matmul batched [3,5] @ [2,5,4] (left broadcast)",
      inputs: pair([3, 5], [2, 5, 4], 410),
      fn: (a, b) => matmul(a, b),
      kinkFree: true,
    },
    {
      name: "matmul batched [3,4,5] @ [3,5,2] (same batch)",
      inputs: pair([3, 4, 5], [3, 5, 2], 412),
      fn: (a, b) => matmul(a, b),
      kinkFree: true,
    },
    {
      name: "matmul broadcast batch [2,1,3,4] @ [1,5,4,2]",
      inputs: pair([2, 1, 3, 4], [1, 5, 4, 2], 414),
      fn: (a, b) => matmul(a, b),
      kinkFree: true,
    },
    {
      name: "matmul broadcast batch [2,1,3,4] @ [3,4,1] (rank differs)",
      inputs: pair([2, 1, 3, 4], [3, 4, 1], 416),
      fn: (a, b) => matmul(a, b),
      kinkFree: true,
    },
    {
      name: "matmul batched matrix-vector [2,3,4] @ [4]",
      inputs: pair([2, 3, 4], [4], 418),
      fn: (a, b) => matmul(a, b),
      kinkFree: true,
    },
    {
      name: "matmul batched vector-matrix [4] @ [2,4,3]",
      inputs: pair([4], [2, 4, 3], 420),
      fn: (a, b) => matmul(a, b),
      kinkFree: true,
    },
    {
      name: "matmul of transposed operands aᵀ @ bᵀ",
      inputs: pair([5, 3], [4, 5], 422),
      fn: (a, b) => matmul(a.transpose(), b.transpose()),
      kinkFree: true,
    },
    {
      name: "matmul with transA/transB flags [5,3]ᵀ @ [4,5]ᵀ",
      inputs: pair([5, 3], [4, 5], 422),
      fn: (a, b) => matmul(a, b, { transA: true, transB: true }),
      kinkFree: true,
    },
    {
      name: "matmul with transB, broadcast batch [2,3,4] @ [5,4]ᵀ",
      inputs: pair([2, 3, 4], [5, 4], 426),
      fn: (a, b) => matmul(a, b, { transB: true }),
      kinkFree: true,
    },
    {
      name: "matmul x @ xᵀ (one input used twice)",
      inputs: () => [randn([3, 5], 424)],
      fn: (x) => x.matmul(x.transpose()),
      kinkFree: true,
    },
  ];
}

function convCases(): OpCase[] {
  const cases: [string, Shape, Shape, boolean, number, number][] = [
    // name, x shape, weight shape, bias, stride, padding
    [
      "conv2d stride 1 padding 0 with bias, 3 in / 4 out channels, [2,3,7,5]",
      [2, 3, 7, 5],
      [4, 3, 3, 3],
      true,
      1,
      0,
    ],
    ["conv2d stride 2 padding 0 without bias, [1,2,7,5]", [1, 2, 7, 5], [3, 2, 3, 3], false, 2, 0],
    ["conv2d stride 1 padding 2 with bias, [1,2,5,7]", [1, 2, 5, 7], [3, 2, 3, 3], true, 1, 2],
    [
      "conv2d stride 2 padding 2 with bias, kernel 5x3, [2,1,7,5]",
      [2, 1, 7, 5],
      [2, 1, 5, 3],
      true,
      2,
      2,
    ],
    [
      "conv2d stride 2 padding 1 without bias, kernel 3x5, [1,3,5,7]",
      [1, 3, 5, 7],
      [2, 3, 3, 5],
      false,
      2,
      1,
    ],
    ["conv2d 1x1 kernel with bias, [1,3,3,5]", [1, 3, 3, 5], [2, 3, 1, 1], true, 1, 0],
    ["conv2d kernel covering the whole input, [1,1,3,5]", [1, 1, 3, 5], [2, 1, 3, 5], true, 1, 0],
  ];
  return cases.map(([name, xs, ws, bias, stride, padding], i) => ({
    name,
    inputs: () => [
      randn(xs, 500 + 3 * i),
      randn(ws, 501 + 3 * i, 0.5),
      ...(bias ? [randn([ws[0]], 502 + 3 * i)] : []),
    ],
    fn: (x: Tensor, w: Tensor, b?: Tensor) => conv2d(x, w, b, { stride, padding }),
    kinkFree: true,
  }));
}

function poolCases(): OpCase[] {
  const cases: [string, Shape, number, number | undefined, number][] = [
    // label, x shape, kernel, stride (undefined = kernel), padding
    ["kernel 3 stride 1 padding 0, [1,2,7,5]", [1, 2, 7, 5], 3, 1, 0],
    ["kernel 3 stride 2 padding 0, [2,1,7,5]", [2, 1, 7, 5], 3, 2, 0],
    ["kernel 2 default stride, [2,1,5,7]", [2, 1, 5, 7], 2, undefined, 0],
    ["kernel 5 stride 1 padding 2, [1,2,5,7]", [1, 2, 5, 7], 5, 1, 2],
    ["kernel 5 stride 2 padding 2, [1,1,7,5]", [1, 1, 7, 5], 5, 2, 2],
    ["kernel 3 stride 2 padding 1, [1,3,5,5]", [1, 3, 5, 5], 3, 2, 1],
  ];
  const out: OpCase[] = [];
  cases.forEach(([label, shape, kernel, stride, padding], i) => {
    out.push(
      {
        name: `maxPool2d ${label}`,
        inputs: () => distinct([shape], 600 + i),
        fn: (x) => maxPool2d(x, kernel, { stride, padding }),
        kinkFree: false,
      },
      {
        name: `avgPool2d ${label}`,
        inputs: () => [randn(shape, 650 + i)],
        fn: (x) => avgPool2d(x, kernel, { stride, padding }),
        kinkFree: true,
      },
    );
  });
  return out;
}

function activationCases(): OpCase[] {
  const s357: Shape = [3, 5, 7];
  const cases: OpCase[] = [
    {
      name: "leakyRelu default slope away from 0",
      inputs: () => [awayFromZero([3, 5], 700)],
      fn: (x) => leakyRelu(x),
      kinkFree: false,
    },
    {
      name: "leakyRelu slope 0.2 away from 0",
      inputs: () => [awayFromZero([3, 5], 701)],
      fn: (x) => leakyRelu(x, 0.2),
      kinkFree: false,
    },
    {
      name: "elu away from 0",
      inputs: () => [awayFromZero([3, 5], 702, 0.2, 3)],
      fn: (x) => elu(x),
      kinkFree: false,
    },
    {
      name: "elu alpha 0.5 away from 0",
      inputs: () => [awayFromZero([3, 5], 703, 0.2, 3)],
      fn: (x) => elu(x, 0.5),
      kinkFree: false,
    },
    { name: "softplus", inputs: () => [randn([3, 5], 704, 3)], fn: softplus, kinkFree: true },
    {
      name: "softplus on both sides of its threshold 20",
      inputs: () => [make([-30, -5, 0, 5, 19, 21, 25, 40], [8])],
      fn: softplus,
      kinkFree: false,
    },
    {
      name: "clamp(-0.5, 0.5) away from the bounds",
      inputs: () => [avoiding([3, 5], 705, -1.5, 1.5, [-0.5, 0.5])],
      fn: (x) => clamp(x, -0.5, 0.5),
      kinkFree: false,
    },
    {
      name: "clamp method (0, 2) away from the bounds",
      inputs: () => [avoiding([7], 706, -1, 3, [0, 2])],
      fn: (x) => x.clamp(0, 2),
      kinkFree: false,
    },
  ];
  for (const axis of [0, 1, 2, -1]) {
    cases.push(
      {
        name: `softmax over axis ${axis} of [3,5,7]`,
        inputs: () => [randn(s357, 710 + axis)],
        fn: (x) => softmax(x, axis),
        kinkFree: true,
      },
      {
        name: `logSoftmax over axis ${axis} of [3,5,7]`,
        inputs: () => [randn(s357, 720 + axis)],
        fn: (x) => logSoftmax(x, axis),
        kinkFree: true,
      },
    );
  }
  cases.push(
    {
      name: "softmax of large logits (stable)",
      inputs: () => [make([50, 51, 49, -50, 0, 52], [2, 3])],
      fn: (x) => x.softmax(),
      kinkFree: true,
    },
    {
      name: "logSoftmax of large logits (stable)",
      inputs: () => [make([50, 51, 49, -50, 0, 52], [2, 3])],
      fn: (x) => x.logSoftmax(0),
      kinkFree: true,
    },
  );
  return cases;
}

function compositeCases(): OpCase[] {
  return [
    {
      name: "two-layer MLP with tanh and bias",
      inputs: () => [
        randn([5, 3], 800),
        randn([3, 7], 801, 0.5),
        randn([7], 802),
        randn([7, 2], 803, 0.5),
        randn([2], 804),
      ],
      fn: (x, w1, b1, w2, b2) => x.matmul(w1).add(b1).tanh().matmul(w2).add(b2),
      kinkFree: true,
    },
    {
      name: "cross-entropy: mean of -logSoftmax at the target (one-hot)",
      inputs: () => [randn([5, 3], 805)],
      fn: (logits) => {
        const onehot = constLike(logits, [1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 1], [5, 3]);
        return logits.logSoftmax().mul(onehot).sum(1).mean().neg();
      },
      kinkFree: true,
    },
    {
      name: "mean squared error",
      inputs: () => [randn([7], 806), randn([7], 807)],
      fn: (p, y) => p.sub(y).pow(2).mean(),
      kinkFree: true,
    },
    {
      name: "layer norm over the last axis",
      inputs: () => [randn([3, 5], 808), randn([5], 809), randn([5], 810)],
      fn: (x, g, b) =>
        x.sub(x.mean(-1, true)).div(variance(x, -1, true).add(1e-5).sqrt()).mul(g).add(b),
      kinkFree: true,
    },
    {
      name: "conv2d, relu, maxPool2d, flatten, matmul",
      inputs: () => [
        uniform([1, 1, 5, 5], 811, 0.1, 1),
        // A positive kernel and positive inputs keep the relu inputs away from 0.
        uniform([2, 1, 3, 3], 812, 0.1, 1),
        randn([8, 3], 813),
      ],
      fn: (x, w, v) =>
        maxPool2d(conv2d(x, w, undefined, { padding: 1 }).relu(), 2).flatten(1).matmul(v),
      kinkFree: false,
    },
    {
      name: "reused intermediate: y = h*h + h with h = sigmoid(x)",
      inputs: () => [randn([5], 814)],
      fn: (x) => {
        const h = x.sigmoid();
        return h.mul(h).add(h);
      },
      kinkFree: true,
    },
  ];
}

/**
 * Every conformance case: unary, binary (with broadcasting), where,
 * comparisons and cast, reductions, movement, matmul, conv2d, pooling,
 * activations and a few composites.
 */
export function opCases(): OpCase[] {
  const all = [
    ...unaryCases(),
    ...binaryCases(),
    ...comparisonAndCastCases(),
    ...whereCases(),
    ...reduceCases(),
    ...movementCases(),
    ...matmulCases(),
    ...convCases(),
    ...poolCases(),
    ...activationCases(),
    ...compositeCases(),
  ];
  const names = new Set<string>();
  for (const c of all) {
    if (names.has(c.name)) throw new Error(`duplicate conformance case name "${c.name}"`);
    names.add(c.name);
  }
  return all;
}
