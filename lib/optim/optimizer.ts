/**
 * The optimizer base class: parameter groups with their own hyperparameters,
 * per-parameter state, `step()` and `zeroGrad()`. Subclasses (`SGD`, `Adam`)
 * only say how one parameter is updated from its gradient.
 *
 * Updates are built from tensor ops inside `noGrad`, and written with
 * `param.assign(newValue)`, which keeps the parameter's identity (so models,
 * checkpoints and other optimizers holding it see the new values) and works
 * on every backend.
 *
 * @module
 */
import { noGrad } from "../engine.ts";
import { Tensor } from "../tensor.ts";
import { toBackend } from "../ops/creation.ts";

/**
 * Hyperparameters every optimizer has.
 *
 * @example
 * ```ts
 * import type { BaseOptimizerOptions } from "./optimizer.ts";
 * const opts: BaseOptimizerOptions = { lr: 0.1, weightDecay: 1e-4 };
 * ```
 */
export interface BaseOptimizerOptions {
  /** Learning rate η. */
  lr: number;
  /** L2 weight decay λ: the gradient becomes g + λw (0 = off). */
  weightDecay: number;
}

/**
 * One parameter group as given to a constructor: its parameters plus any
 * hyperparameters that differ from the optimizer's defaults.
 *
 * @example LeCun's η ∝ 1/√fan-in, one group per layer
 * ```ts
 * import { zeros } from "../../mod.ts";
 * import type { ParamGroupSpec } from "./optimizer.ts";
 * import type { SGDOptions } from "./sgd.ts";
 * const layers = [zeros([100, 784]), zeros([10, 100])];
 * const groups: ParamGroupSpec<SGDOptions>[] = layers.map((w) => ({
 *   params: [w],
 *   lr: 0.5 / Math.sqrt(w.shape[1]),
 * }));
 * ```
 */
export type ParamGroupSpec<O extends BaseOptimizerOptions = BaseOptimizerOptions> =
  & { params: readonly Tensor[] }
  & Partial<O>;

/**
 * A parameter group as the optimizer holds it: every hyperparameter filled in.
 * Change `lr` (or any other field) between steps to change it for this group;
 * learning-rate schedules do exactly that.
 *
 * @example
 * ```ts
 * import { zeros } from "../../mod.ts";
 * import { SGD } from "./sgd.ts";
 * import assert from "node:assert/strict";
 * const opt = new SGD([zeros([2], { requiresGrad: true })], { lr: 0.1 });
 * opt.paramGroups[0].lr = 0.01;
 * assert.equal(opt.paramGroups[0].lr, 0.01);
 * ```
 */
export type ParamGroup<O extends BaseOptimizerOptions = BaseOptimizerOptions> =
  & { params: Tensor[] }
  & O;

/**
 * Per-parameter optimizer state: how many updates the parameter has had and
 * named buffers (e.g. SGD's `velocity`, Adam's `m` and `v`), each shaped
 * like the parameter.
 *
 * @example
 * ```ts
 * import type { ParamState } from "./optimizer.ts";
 * const fresh: ParamState = { step: 0, buffers: {} };
 * ```
 */
export interface ParamState {
  /** Updates applied to this parameter so far. */
  step: number;
  /** Named state tensors, shaped like the parameter. */
  buffers: Record<string, Tensor>;
}

/**
 * What {@linkcode Optimizer.exportState} returns.
 *
 * @example
 * ```ts
 * import type { OptimizerState } from "./optimizer.ts";
 * const fresh: OptimizerState = { stepCount: 0, groups: [{ lr: 0.1, weightDecay: 0 }], params: [null] };
 * ```
 */
export interface OptimizerState {
  /** `step()` calls so far. */
  stepCount: number;
  /** Each group's hyperparameters (without its parameters). */
  groups: Record<string, unknown>[];
  /** Each parameter's state, by position in `params` (null before its first update). */
  params: (ParamState | null)[];
}

/**
 * Registers a tensor computed during an update as temporary, to be disposed
 * once the parameter's update is written (never pass a parameter, its
 * gradient or a state buffer).
 *
 * @example
 * ```ts
 * import type { Temp } from "./optimizer.ts";
 * const keep: Temp = (t) => t; // a no-op Temp, e.g. for a test
 * ```
 */
export type Temp = <T extends Tensor>(t: T) => T;

/**
 * Base class of the optimizers. The constructor takes either a list of
 * parameters or a list of groups `{ params, lr?, weightDecay?, ... }`, each
 * with its own hyperparameters (missing ones come from the defaults).
 * `step()` updates every parameter that has a gradient; `zeroGrad()` clears
 * the gradients (they accumulate across `backward()` calls).
 *
 * @example Plain gradient descent in a subclass of four lines
 * ```ts
 * import { sub, mul, tensor, type Tensor } from "../../mod.ts";
 * import { type BaseOptimizerOptions, Optimizer, type ParamGroup, type Temp } from "./optimizer.ts";
 * import assert from "node:assert/strict";
 * class GD extends Optimizer<BaseOptimizerOptions> {
 *   protected update(p: Tensor, g: Tensor, group: ParamGroup, _s: unknown, temp: Temp) {
 *     p.assign(temp(sub(p, temp(mul(g, group.lr)))));
 *   }
 * }
 * const w = tensor([1, 2], { requiresGrad: true });
 * const opt = new GD([w], { lr: 0.5, weightDecay: 0 });
 * w.mul(w).sum().backward(); // gradient 2w
 * opt.step();
 * assert.deepEqual(w.arraySync(), [0, 0]);
 * opt.zeroGrad();
 * assert.equal(w.grad, null);
 * ```
 */
export abstract class Optimizer<O extends BaseOptimizerOptions = BaseOptimizerOptions> {
  /** The parameter groups, each with its own hyperparameters. */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** The hyperparameters a group gets unless it sets its own. */
  readonly defaults: Readonly<O>;
  /** Number of `step()` calls so far. */
  stepCount = 0;
  #state = new Map<Tensor, ParamState>();

  /**
   * Creates the groups: one from a parameter list, or one per group spec.
   *
   * @param params Parameters, or parameter groups with their own hyperparameters.
   * @param defaults Hyperparameters for groups that do not set them.
   */
  constructor(params: readonly Tensor[] | readonly ParamGroupSpec<O>[], defaults: O) {
    this.defaults = Object.freeze({ ...defaults });
    if (params.length === 0) {
      throw new Error(`${this.constructor.name}: got an empty parameter list`);
    }
    if (params.every((p) => p instanceof Tensor)) {
      this.addParamGroup({ params: params as readonly Tensor[] } as ParamGroupSpec<O>);
    } else {
      (params as readonly ParamGroupSpec<O>[]).forEach((g) => this.addParamGroup(g));
    }
  }

  /**
   * Adds a group (e.g. layers unfrozen while fine-tuning); hyperparameters it
   * does not set come from the defaults. A parameter may be in one group only.
   */
  addParamGroup(spec: ParamGroupSpec<O>): void {
    const name = this.constructor.name;
    const index = this.paramGroups.length;
    if (!spec || typeof spec !== "object" || !Array.isArray(spec.params)) {
      throw new Error(
        `${name}: parameter group ${index} must be { params: Tensor[], ... }, got ${spec}`,
      );
    }
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    spec.params.forEach((p, i) => {
      if (!(p instanceof Tensor)) {
        throw new Error(`${name}: parameter ${i} of group ${index} is not a Tensor`);
      }
      if (p.dtype === "int32") {
        throw new Error(
          `${name}: parameter ${i} of group ${index} (shape [${p.shape}]) is int32; ` +
            `parameters must be float tensors`,
        );
      }
      if (seen.has(p)) {
        throw new Error(
          `${name}: parameter ${i} of group ${index} (shape [${p.shape}]) appears twice; ` +
            `a parameter may be in one group only`,
        );
      }
      seen.add(p);
    });
    const group = { ...this.defaults, ...definedOnly(spec), params: [...spec.params] };
    this.validate(group as ParamGroup<O>, index);
    this.paramGroups.push(group as ParamGroup<O>);
  }

  /** Checks a group's hyperparameters; subclasses extend it (call `super.validate`). */
  protected validate(group: ParamGroup<O>, index: number): void {
    const name = this.constructor.name;
    if (!(Number.isFinite(group.lr) && group.lr >= 0)) {
      throw new Error(
        `${name}: lr of group ${index} must be a finite number >= 0, got ${group.lr}`,
      );
    }
    if (!(Number.isFinite(group.weightDecay) && group.weightDecay >= 0)) {
      throw new Error(
        `${name}: weightDecay of group ${index} must be a finite number >= 0, ` +
          `got ${group.weightDecay}`,
      );
    }
  }

  /** Every parameter, in group order. */
  get params(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /**
   * Applies one update to every parameter that has a gradient (parameters
   * whose `.grad` is null are skipped), inside `noGrad`.
   */
  step(): void {
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const param of group.params) {
          const grad = param.grad;
          if (!grad) continue;
          if (grad.dtype !== param.dtype || grad.size !== param.size) {
            throw new Error(
              `${this.constructor.name}: the gradient of a parameter (${param.dtype} ` +
                `[${param.shape}]) is ${grad.dtype} [${grad.shape}]`,
            );
          }
          let state = this.#state.get(param);
          if (!state) this.#state.set(param, state = { step: 0, buffers: {} });
          state.step++;
          const temps: Tensor[] = [];
          const temp: Temp = (t) => (temps.push(t), t);
          this.update(param, grad, group, state, temp);
          const keep = new Set<Tensor>([param, grad, ...Object.values(state.buffers)]);
          for (const t of temps) if (!keep.has(t)) t.dispose();
        }
      }
    });
    this.stepCount++;
  }

  /**
   * Updates one parameter from its gradient (called inside `noGrad`). Write
   * the parameter and state buffers with `assign`, and pass every
   * intermediate tensor through `temp` so it is disposed afterwards.
   */
  protected abstract update(
    param: Tensor,
    grad: Tensor,
    group: ParamGroup<O>,
    state: ParamState,
    temp: Temp,
  ): void;

  /** Frees every parameter's gradient and sets `.grad` to null. */
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }

  /** The state of `param` (step count and buffers), or undefined before its first update. */
  stateOf(param: Tensor): Readonly<ParamState> | undefined {
    return this.#state.get(param);
  }

  /**
   * Everything needed to continue later exactly where this optimizer is:
   * the step count, each group's hyperparameters (a schedule changes `lr`)
   * and each parameter's state, by position in {@linkcode Optimizer.params}
   * (the buffers are the optimizer's own tensors: copy them before changing
   * them). `fit` saves it in its checkpoints.
   *
   * @example
   * ```ts
   * import { SGD, tensor } from "../../mod.ts";
   * import assert from "node:assert/strict";
   * const w = tensor([1, 2], { requiresGrad: true });
   * const a = new SGD([w], { lr: 0.1, momentum: 0.9 });
   * w.sum().backward();
   * a.step();
   * const b = new SGD([w], { lr: 0.5, momentum: 0.9 });
   * b.importState(a.exportState());
   * assert.equal(b.paramGroups[0].lr, 0.1);
   * const velocity = (o: SGD) => o.stateOf(w)!.buffers.velocity.arraySync();
   * assert.deepEqual(velocity(b), velocity(a));
   * ```
   */
  exportState(): OptimizerState {
    return {
      stepCount: this.stepCount,
      groups: this.paramGroups.map(({ params: _, ...hyper }) => ({ ...hyper })),
      params: this.params.map((p) => this.#state.get(p) ?? null),
    };
  }

  /**
   * Continues from a state taken with {@linkcode Optimizer.exportState} (the
   * same groups and parameter shapes; buffers are copied onto each
   * parameter's backend). Checks everything before changing anything.
   */
  importState(state: OptimizerState): void {
    const name = this.constructor.name;
    const params = this.params;
    if (state.groups.length !== this.paramGroups.length || state.params.length !== params.length) {
      throw new Error(
        `${name}.importState: the state has ${state.groups.length} groups and ` +
          `${state.params.length} parameters, this optimizer ${this.paramGroups.length} and ` +
          `${params.length}`,
      );
    }
    state.params.forEach((s, i) => {
      for (const [key, b] of Object.entries(s?.buffers ?? {})) {
        if (b.size !== params[i].size) {
          throw new Error(
            `${name}.importState: buffer '${key}' of parameter ${i} has shape [${b.shape}], ` +
              `the parameter [${params[i].shape}]`,
          );
        }
      }
    });
    this.stepCount = state.stepCount;
    state.groups.forEach((g, i) => Object.assign(this.paramGroups[i], g));
    this.resetState();
    noGrad(() =>
      state.params.forEach((s, i) => {
        if (!s) return;
        const p = params[i];
        const buffers = Object.fromEntries(
          Object.entries(s.buffers).map(([k, b]) => {
            const moved = toBackend(b, p.backend.name);
            return [k, moved === b ? b.clone() : moved];
          }),
        );
        this.#state.set(p, { step: s.step, buffers });
      })
    );
  }

  /** Forgets all per-parameter state (momentum, moment estimates, step counts). */
  resetState(): void {
    this.#state.clear();
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
