/**
 * A scalar automatic-differentiation engine in the style of micrograd: every
 * {@linkcode Value} is one node of a computational graph, remembers the nodes
 * it was computed from, and knows its own local gradient rule. Calling
 * {@linkcode Value.backward} on the output applies the chain rule node by
 * node in reverse topological order, exactly as the lecture's
 * "Backprop Implementation: Modularized API" slide describes
 * (`for gate in reversed(nodes_topologically_sorted()): gate.backward()`).
 *
 * It is a teaching tool for the computational-graph lectures; the tensor
 * engine used for real training lives elsewhere.
 *
 * @example The lecture's first example, f(x, y, z) = (x + y)z
 * ```ts
 * import { Value } from "./value.ts";
 * import assert from "node:assert/strict";
 * const x = new Value(-2, "x"), y = new Value(5, "y"), z = new Value(-4, "z");
 * const q = x.add(y);
 * const f = q.mul(z);
 * f.backward();
 * assert.equal(f.data, -12);
 * assert.deepEqual([x.grad, y.grad, z.grad], [-4, -4, 3]);
 * ```
 *
 * @module
 */

/**
 * A scalar node of a computational graph: its value (`data`), the gradient
 * of the last output {@linkcode Value.backward} was called on with respect
 * to it (`grad`), the op that produced it and the nodes it was computed from.
 *
 * Every op accepts a `Value` or a plain number (wrapped as a constant leaf)
 * and returns a new `Value`; inputs are never modified by the forward pass.
 * Each op writes its forward computation and its local gradient rule side by
 * side, so the file reads as a table of gates.
 *
 * @example A neuron with sigmoid activation (lecture 004's second example)
 * ```ts
 * import { Value } from "./value.ts";
 * import assert from "node:assert/strict";
 * const [w0, x0, w1, x1, w2] = [2, -1, -3, -2, -3].map((v) => new Value(v));
 * const L = w0.mul(x0).add(w1.mul(x1)).add(w2).sigmoid();
 * L.backward();
 * assert.equal(L.data.toFixed(2), "0.73");
 * assert.equal(w0.grad.toFixed(2), "-0.20");
 * assert.equal(x0.grad.toFixed(2), "0.39");
 * ```
 */
export class Value {
  /** The node's value, set by the forward pass (leaves may be edited, e.g. by a training step). */
  data: number;
  /** Accumulated gradient of the output(s) `backward` ran on with respect to this node; starts at 0. */
  grad = 0;
  /** Optional display name (e.g. `"x"`, `"w0"`), used by {@linkcode valueGraph}. */
  label?: string;

  #op = "";
  #children: readonly Value[] = [];
  #backward: () => void = () => {};
  #backwardDone = false;

  /**
   * Creates a leaf node (an input or a parameter).
   *
   * @example
   * ```ts
   * import { Value } from "./value.ts";
   * import assert from "node:assert/strict";
   * const w = new Value(0.5, "w");
   * assert.equal(w.data, 0.5);
   * assert.equal(w.grad, 0);
   * assert.equal(w.op, "");
   * ```
   */
  constructor(data: number, label?: string) {
    this.data = data;
    if (label !== undefined) this.label = label;
  }

  /**
   * Wraps a number as a constant leaf; a `Value` is returned unchanged.
   *
   * @example
   * ```ts
   * import { Value } from "./value.ts";
   * import assert from "node:assert/strict";
   * const a = new Value(3);
   * assert.equal(Value.from(a), a);
   * assert.equal(Value.from(4).data, 4);
   * ```
   */
  static from(x: Value | number): Value {
    return x instanceof Value ? x : new Value(x);
  }

  /** Builds an interior node; the caller then installs its gradient rule. */
  static #node(data: number, children: readonly Value[], op: string): Value {
    const out = new Value(data);
    out.#children = children;
    out.#op = op;
    return out;
  }

  /**
   * Name of the op that produced this node (`"add"`, `"mul"`, `"pow(-1)"`,
   * `"exp"`, `"log"`, `"tanh"`, `"sigmoid"`, `"relu"`, `"max"`), or `""` for a
   * leaf. `neg`, `sub` and `div` are compositions and show up as their parts.
   *
   * @example
   * ```ts
   * import { Value } from "./value.ts";
   * import assert from "node:assert/strict";
   * assert.equal(new Value(2).mul(3).op, "mul");
   * assert.equal(new Value(2).div(4).op, "mul");
   * ```
   */
  get op(): string {
    return this.#op;
  }

  /**
   * The nodes this one was computed from, one entry per operand (so `x.mul(x)`
   * lists `x` twice). Empty for a leaf.
   *
   * @example
   * ```ts
   * import { Value } from "./value.ts";
   * import assert from "node:assert/strict";
   * const x = new Value(3);
   * const sq = x.mul(x);
   * assert.deepEqual(sq.children, [x, x]);
   * ```
   */
  get children(): readonly Value[] {
    return this.#children;
  }

  /**
   * True once {@linkcode Value.backward} has run with this node as the output
   * (and {@linkcode Value.zeroGrad} has not cleared it since).
   *
   * @example
   * ```ts
   * import { Value } from "./value.ts";
   * import assert from "node:assert/strict";
   * const y = new Value(2).exp();
   * assert.equal(y.backwardDone, false);
   * y.backward();
   * assert.equal(y.backwardDone, true);
   * ```
   */
  get backwardDone(): boolean {
    return this.#backwardDone;
  }

  /**
   * The local gradient of this node with respect to each operand, in the
   * order of {@linkcode Value.children}: ∂this/∂child at the current values,
   * taken from the node's own gradient rule (run once with an upstream
   * gradient of 1; every gradient is restored afterwards). An operand listed
   * twice (`x.mul(x)`) gets half of the summed derivative on each edge. Empty
   * for a leaf. The step-through view of backpropagation shows these as
   * "upstream × local = downstream".
   *
   * @example
   * ```ts
   * import { Value } from "./value.ts";
   * import assert from "node:assert/strict";
   * const a = new Value(3), b = new Value(-4);
   * assert.deepEqual(a.mul(b).localGrads(), [-4, 3]); // the swap multiplier
   * assert.deepEqual(a.add(b).localGrads(), [1, 1]); // the distributor
   * assert.deepEqual(a.mul(a).localGrads(), [3, 3]); // d(a²)/da = 6, half per edge
   * assert.deepEqual([a.grad, b.grad], [0, 0]); // nothing accumulated
   * ```
   */
  localGrads(): number[] {
    const kids = this.#children;
    const saved = new Map(kids.map((c) => [c, c.grad]));
    const own = this.grad;
    for (const c of kids) c.grad = 0;
    this.grad = 1;
    this.#backward();
    const uses = (c: Value) => kids.filter((k) => k === c).length;
    const local = kids.map((c) => c.grad / uses(c));
    for (const [c, g] of saved) c.grad = g;
    this.grad = own;
    return local;
  }

  // ---------------------------------------------------------------- gates --

  /**
   * `this + other`. Add gate, the gradient distributor: d/da = d/db = 1, so
   * both inputs receive the upstream gradient unchanged.
   *
   * @example
   * ```ts
   * import { Value } from "./value.ts";
   * import assert from "node:assert/strict";
   * const a = new Value(1), b = new Value(2);
   * const c = a.add(b);
   * c.backward();
   * assert.deepEqual([c.data, a.grad, b.grad], [3, 1, 1]);
   * ```
   */
  add(other: Value | number): Value {
    const o = Value.from(other);
    const out = Value.#node(this.data + o.data, [this, o], "add");
    out.#backward = () => {
      this.grad += out.grad; // d(a+b)/da = 1
      o.grad += out.grad; //    d(a+b)/db = 1
    };
    return out;
  }

  /**
   * `this * other`. Mul gate, the "swap multiplier": each input receives the
   * upstream gradient times the *other* input's value.
   *
   * @example
   * ```ts
   * import { Value } from "./value.ts";
   * import assert from "node:assert/strict";
   * const a = new Value(3), b = new Value(-4);
   * const c = a.mul(b);
   * c.backward();
   * assert.deepEqual([c.data, a.grad, b.grad], [-12, -4, 3]);
   * ```
   */
  mul(other: Value | number): Value {
    const o = Value.from(other);
    const out = Value.#node(this.data * o.data, [this, o], "mul");
    out.#backward = () => {
      this.grad += o.data * out.grad; // d(ab)/da = b
      o.grad += this.data * out.grad; // d(ab)/db = a
    };
    return out;
  }

  /**
   * `this ** n` for a constant exponent `n` (no gradient flows to `n`).
   * d/dx xⁿ = n·xⁿ⁻¹. The op name carries the exponent, e.g. `"pow(-1)"`.
   *
   * @example
   * ```ts
   * import { Value } from "./value.ts";
   * import assert from "node:assert/strict";
   * const x = new Value(3);
   * const y = x.pow(2);
   * y.backward();
   * assert.deepEqual([y.data, x.grad, y.op], [9, 6, "pow(2)"]);
   * ```
   */
  pow(n: number): Value {
    const out = Value.#node(this.data ** n, [this], `pow(${n})`);
    out.#backward = () => {
      this.grad += n * this.data ** (n - 1) * out.grad; // d(xⁿ)/dx = n·xⁿ⁻¹
    };
    return out;
  }

  /**
   * `e ** this`. d/dx eˣ = eˣ, the node's own output.
   *
   * @example
   * ```ts
   * import { Value } from "./value.ts";
   * import assert from "node:assert/strict";
   * const x = new Value(0);
   * const y = x.exp();
   * y.backward();
   * assert.deepEqual([y.data, x.grad], [1, 1]);
   * ```
   */
  exp(): Value {
    const out = Value.#node(Math.exp(this.data), [this], "exp");
    out.#backward = () => {
      this.grad += out.data * out.grad; // d(eˣ)/dx = eˣ
    };
    return out;
  }

  /**
   * Natural logarithm. d/dx ln x = 1/x. (`NaN` for negative inputs, `-Infinity` at 0.)
   *
   * @example
   * ```ts
   * import { Value } from "./value.ts";
   * import assert from "node:assert/strict";
   * const x = new Value(4);
   * const y = x.log();
   * y.backward();
   * assert.equal(y.data, Math.log(4));
   * assert.equal(x.grad, 0.25);
   * ```
   */
  log(): Value {
    const out = Value.#node(Math.log(this.data), [this], "log");
    out.#backward = () => {
      this.grad += out.grad / this.data; // d(ln x)/dx = 1/x
    };
    return out;
  }

  /**
   * Hyperbolic tangent. d/dx tanh x = 1 − tanh² x.
   *
   * @example
   * ```ts
   * import { Value } from "./value.ts";
   * import assert from "node:assert/strict";
   * const x = new Value(0);
   * const y = x.tanh();
   * y.backward();
   * assert.deepEqual([y.data, x.grad], [0, 1]);
   * ```
   */
  tanh(): Value {
    const t = Math.tanh(this.data);
    const out = Value.#node(t, [this], "tanh");
    out.#backward = () => {
      this.grad += (1 - t * t) * out.grad; // d(tanh x)/dx = 1 − tanh²x
    };
    return out;
  }

  /**
   * Logistic sigmoid σ(x) = 1/(1 + e⁻ˣ) as a single gate, with the lecture's
   * local gradient σ'(x) = σ(x)(1 − σ(x)) (`grad_s3 = grad_L * (1 - L) * L`).
   * Computed without overflow for large |x|.
   *
   * @example
   * ```ts
   * import { Value } from "./value.ts";
   * import assert from "node:assert/strict";
   * const x = new Value(0);
   * const s = x.sigmoid();
   * s.backward();
   * assert.deepEqual([s.data, x.grad], [0.5, 0.25]);
   * ```
   */
  sigmoid(): Value {
    const x = this.data;
    const s = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    const out = Value.#node(s, [this], "sigmoid");
    out.#backward = () => {
      this.grad += s * (1 - s) * out.grad; // dσ/dx = σ(1 − σ)
    };
    return out;
  }

  /**
   * Rectified linear unit max(0, x). Gradient 1 where x > 0, else 0 (0 at x = 0).
   *
   * @example
   * ```ts
   * import { Value } from "./value.ts";
   * import assert from "node:assert/strict";
   * const a = new Value(-2), b = new Value(3);
   * const y = a.relu().add(b.relu());
   * y.backward();
   * assert.deepEqual([y.data, a.grad, b.grad], [3, 0, 1]);
   * ```
   */
  relu(): Value {
    const out = Value.#node(this.data > 0 ? this.data : 0, [this], "relu");
    out.#backward = () => {
      this.grad += (this.data > 0 ? 1 : 0) * out.grad; // 1 where x > 0
    };
    return out;
  }

  /**
   * `max(this, other)`. Max gate, the gradient router: the larger input gets
   * the whole upstream gradient, the other gets 0. On a tie the first input
   * (`this`) wins. A `NaN` input makes the output `NaN`.
   *
   * @example
   * ```ts
   * import { Value } from "./value.ts";
   * import assert from "node:assert/strict";
   * const z = new Value(2), w = new Value(-1);
   * const m = z.max(w);
   * m.backward();
   * assert.deepEqual([m.data, z.grad, w.grad], [2, 1, 0]);
   * ```
   */
  max(other: Value | number): Value {
    const o = Value.from(other);
    const first = this.data >= o.data || Number.isNaN(this.data);
    const out = Value.#node(first ? this.data : o.data, [this, o], "max");
    out.#backward = () => {
      if (first) this.grad += out.grad; // routed to the winner only
      else o.grad += out.grad;
    };
    return out;
  }

  // --------------------------------------------------------- compositions --
  // Built from the gates above, so they need no gradient rule of their own.

  /**
   * `-this`, built as `this * -1`.
   *
   * @example
   * ```ts
   * import { Value } from "./value.ts";
   * import assert from "node:assert/strict";
   * const x = new Value(5);
   * const y = x.neg();
   * y.backward();
   * assert.deepEqual([y.data, x.grad], [-5, -1]);
   * ```
   */
  neg(): Value {
    return this.mul(-1);
  }

  /**
   * `this - other`, built as `this + (-other)`.
   *
   * @example
   * ```ts
   * import { Value } from "./value.ts";
   * import assert from "node:assert/strict";
   * const a = new Value(5), b = new Value(2);
   * const c = a.sub(b);
   * c.backward();
   * assert.deepEqual([c.data, a.grad, b.grad], [3, 1, -1]);
   * ```
   */
  sub(other: Value | number): Value {
    return this.add(Value.from(other).neg());
  }

  /**
   * `this / other`, built as `this * other ** -1`.
   *
   * @example
   * ```ts
   * import { Value } from "./value.ts";
   * import assert from "node:assert/strict";
   * const a = new Value(6), b = new Value(2);
   * const c = a.div(b);
   * c.backward();
   * assert.deepEqual([c.data, a.grad, b.grad], [3, 0.5, -1.5]);
   * ```
   */
  div(other: Value | number): Value {
    return this.mul(Value.from(other).pow(-1));
  }

  // ------------------------------------------------------------- backprop --

  /**
   * Runs backpropagation from this node: seeds d(this)/d(this) = 1, then calls
   * each node's local gradient rule in reverse topological order. The order
   * is computed iteratively (explicit stack), so arbitrarily deep graphs work.
   *
   * Like PyTorch, gradients accumulate: each call *adds* this pass's
   * gradients to every node's `grad` (a node reached by several paths, like
   * `x` in `x * x`, sums them, the "copy gate"). Call
   * {@linkcode Value.zeroGrad} between independent passes.
   *
   * @example Accumulation across calls, and zeroGrad
   * ```ts
   * import { Value } from "./value.ts";
   * import assert from "node:assert/strict";
   * const x = new Value(3);
   * const y = x.mul(x); // dy/dx = 2x
   * y.backward();
   * assert.equal(x.grad, 6);
   * y.backward();
   * assert.equal(x.grad, 12);
   * y.zeroGrad();
   * y.backward();
   * assert.equal(x.grad, 6);
   * ```
   */
  backward(): void {
    const topo = this.#topo();
    // Compute this pass on zeroed gradients, then add back what was there, so
    // stale gradients of interior nodes are never propagated a second time.
    const saved = new Float64Array(topo.length);
    for (let i = 0; i < topo.length; i++) {
      saved[i] = topo[i].grad;
      topo[i].grad = 0;
    }
    this.grad = 1;
    for (let i = topo.length - 1; i >= 0; i--) topo[i].#backward();
    for (let i = 0; i < topo.length; i++) topo[i].grad += saved[i];
    this.#backwardDone = true;
  }

  /**
   * Sets `grad` to 0 on this node and every node it depends on, and clears
   * {@linkcode Value.backwardDone}.
   *
   * @example
   * ```ts
   * import { Value } from "./value.ts";
   * import assert from "node:assert/strict";
   * const x = new Value(2);
   * const y = x.exp();
   * y.backward();
   * y.zeroGrad();
   * assert.deepEqual([x.grad, y.grad, y.backwardDone], [0, 0, false]);
   * ```
   */
  zeroGrad(): void {
    for (const v of this.#topo()) v.grad = 0;
    this.#backwardDone = false;
  }

  /**
   * This node and all nodes it depends on, inputs first (each node after all
   * of its children). Iterative post-order depth-first search.
   */
  #topo(): Value[] {
    const topo: Value[] = [];
    const visited = new Set<Value>([this]);
    const stack: Value[] = [this];
    const next: number[] = [0]; // index of the next child to visit, per stack entry
    while (stack.length > 0) {
      const top = stack.length - 1;
      const node = stack[top];
      const children = node.#children;
      if (next[top] < children.length) {
        const child = children[next[top]++];
        if (!visited.has(child)) {
          visited.add(child);
          stack.push(child);
          next.push(0);
        }
      } else {
        stack.pop();
        next.pop();
        topo.push(node);
      }
    }
    return topo;
  }

  /**
   * This node and every node it depends on, in topological order (inputs
   * first, this node last).
   *
   * @example
   * ```ts
   * import { Value } from "./value.ts";
   * import assert from "node:assert/strict";
   * const x = new Value(1, "x"), y = new Value(2, "y");
   * const f = x.add(y);
   * assert.deepEqual(f.topo(), [x, y, f]);
   * ```
   */
  topo(): Value[] {
    return this.#topo();
  }

  /**
   * `Value(data=…, grad=…)`. With `decimals`, both numbers are rounded to that
   * many decimals (trailing zeros dropped), like the lecture's slides.
   *
   * @example
   * ```ts
   * import { Value } from "./value.ts";
   * import assert from "node:assert/strict";
   * const s = new Value(1).sigmoid();
   * s.backward();
   * assert.equal(s.toString(2), "Value(data=0.73, grad=1)");
   * assert.equal(new Value(0.5).toString(), "Value(data=0.5, grad=0)");
   * ```
   */
  toString(decimals?: number): string {
    const f = (n: number) =>
      decimals === undefined ? String(n) : String(Number(n.toFixed(decimals)));
    return `Value(data=${f(this.data)}, grad=${f(this.grad)})`;
  }
}

/**
 * One node of a {@linkcode ValueGraph}.
 *
 * @example
 * ```ts
 * import { type ValueGraphNode } from "./value.ts";
 * import assert from "node:assert/strict";
 * const n: ValueGraphNode = { id: 0, label: "x", op: "", data: -2, grad: -4 };
 * assert.equal(n.op, "");
 * ```
 */
export interface ValueGraphNode {
  /** Index of the node in {@linkcode ValueGraph.nodes}. */
  id: number;
  /** The node's {@linkcode Value.label}, when it has one. */
  label?: string;
  /** The op that produced the node, `""` for a leaf (see {@linkcode Value.op}). */
  op: string;
  /** The node's value. */
  data: number;
  /** The node's gradient at the time the graph was taken. */
  grad: number;
}

/**
 * A plain-data snapshot of a computational graph, ready to be drawn (e.g.
 * with Graphviz): nodes in topological order and edges from each input to
 * the node it feeds.
 *
 * @example
 * ```ts
 * import { type ValueGraph, Value, valueGraph } from "./value.ts";
 * import assert from "node:assert/strict";
 * const g: ValueGraph = valueGraph(new Value(1).exp());
 * assert.deepEqual(g.edges, [{ from: 0, to: 1 }]);
 * ```
 */
export interface ValueGraph {
  /** All nodes, inputs first, the root last; `nodes[i].id === i`. */
  nodes: ValueGraphNode[];
  /**
   * One edge per operand, from the input's id to the id of the node it feeds
   * (so `x.mul(x)` gives two edges from `x`: the copy gate).
   */
  edges: { from: number; to: number }[];
  /** Whether backward has run on the root, i.e. whether the grads are meaningful. */
  backwardDone: boolean;
}

/**
 * Snapshots the graph below `root` as plain data: nodes in topological order
 * (ids are positions), one edge per operand from input to output, and whether
 * `root.backward()` has run. Iterative, so deep graphs are fine.
 *
 * @example f(x, y, z) = (x + y)z
 * ```ts
 * import { Value, valueGraph } from "./value.ts";
 * import assert from "node:assert/strict";
 * const x = new Value(-2, "x"), y = new Value(5, "y"), z = new Value(-4, "z");
 * const q = x.add(y);
 * q.label = "q";
 * const f = q.mul(z);
 * f.label = "f";
 * f.backward();
 * const g = valueGraph(f);
 * assert.deepEqual(g.nodes.map((n) => n.label), ["x", "y", "q", "z", "f"]);
 * assert.deepEqual(g.nodes.map((n) => n.grad), [-4, -4, -4, 3, 1]);
 * assert.deepEqual(g.edges, [
 *   { from: 0, to: 2 },
 *   { from: 1, to: 2 },
 *   { from: 2, to: 4 },
 *   { from: 3, to: 4 },
 * ]);
 * assert.equal(g.backwardDone, true);
 * ```
 */
export function valueGraph(root: Value): ValueGraph {
  const topo = root.topo();
  const ids = new Map<Value, number>();
  const nodes: ValueGraphNode[] = [];
  const edges: { from: number; to: number }[] = [];
  for (const v of topo) {
    const id = nodes.length;
    ids.set(v, id);
    const node: ValueGraphNode = { id, op: v.op, data: v.data, grad: v.grad };
    if (v.label !== undefined) node.label = v.label;
    nodes.push(node);
    for (const c of v.children) edges.push({ from: ids.get(c)!, to: id });
  }
  return { nodes, edges, backwardDone: root.backwardDone };
}
