/**
 * Tensor's chaining methods (`x.add(y).relu().sum()`, `loss.backward()`),
 * declared in `tensor.ts` and installed here, in one place, each one line
 * calling its op. Installing them from above keeps the core one straight
 * stack: `tensor.ts` imports no op and no autograd.
 *
 * @module
 */
import { Tensor } from "../tensor.ts";
import { noGrad } from "../engine.ts";
import { backward } from "../autograd/backward.ts";
import { toBackend } from "./creation.ts";
import {
  abs,
  add,
  cast,
  clamp,
  div,
  eq,
  exp,
  gt,
  log,
  lt,
  maximum,
  minimum,
  mul,
  neg,
  pow,
  sqrt,
  sub,
} from "./elementwise.ts";
import { flatten, permute, reshape, slice, take, transpose } from "./movement.ts";
import { argmax, max, mean, min, sum } from "./reduce.ts";
import { matmul } from "./linalg.ts";
import { logSoftmax, relu, sigmoid, softmax, tanh } from "./nn.ts";

type Methods = Pick<
  Tensor,
  | "backward"
  | "to"
  | "clone"
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "pow"
  | "maximum"
  | "minimum"
  | "neg"
  | "exp"
  | "log"
  | "sqrt"
  | "abs"
  | "clamp"
  | "eq"
  | "gt"
  | "lt"
  | "cast"
  | "relu"
  | "sigmoid"
  | "tanh"
  | "softmax"
  | "logSoftmax"
  | "sum"
  | "mean"
  | "max"
  | "min"
  | "argmax"
  | "matmul"
  | "reshape"
  | "flatten"
  | "transpose"
  | "permute"
  | "slice"
  | "take"
>;

const methods: Methods & ThisType<Tensor> = {
  backward(gradient) {
    backward(this, gradient);
  },
  to(backendName) {
    return toBackend(this, backendName);
  },
  clone() {
    return noGrad(() => add(this, 0));
  },
  add(other) {
    return add(this, other);
  },
  sub(other) {
    return sub(this, other);
  },
  mul(other) {
    return mul(this, other);
  },
  div(other) {
    return div(this, other);
  },
  pow(other) {
    return pow(this, other);
  },
  maximum(other) {
    return maximum(this, other);
  },
  minimum(other) {
    return minimum(this, other);
  },
  neg() {
    return neg(this);
  },
  exp() {
    return exp(this);
  },
  log() {
    return log(this);
  },
  sqrt() {
    return sqrt(this);
  },
  abs() {
    return abs(this);
  },
  clamp(lo, hi) {
    return clamp(this, lo, hi);
  },
  eq(other) {
    return eq(this, other);
  },
  gt(other) {
    return gt(this, other);
  },
  lt(other) {
    return lt(this, other);
  },
  cast(dtype) {
    return cast(this, dtype);
  },
  relu() {
    return relu(this);
  },
  sigmoid() {
    return sigmoid(this);
  },
  tanh() {
    return tanh(this);
  },
  softmax(axis = -1) {
    return softmax(this, axis);
  },
  logSoftmax(axis = -1) {
    return logSoftmax(this, axis);
  },
  sum(axis, keepdims = false) {
    return sum(this, axis, keepdims);
  },
  mean(axis, keepdims = false) {
    return mean(this, axis, keepdims);
  },
  max(axis, keepdims = false) {
    return max(this, axis, keepdims);
  },
  min(axis, keepdims = false) {
    return min(this, axis, keepdims);
  },
  argmax(axis = -1, keepdims = false) {
    return argmax(this, axis, keepdims);
  },
  matmul(other) {
    return matmul(this, other);
  },
  reshape(shape) {
    return reshape(this, shape);
  },
  flatten(start = 0, end = -1) {
    return flatten(this, start, end);
  },
  transpose(axis0 = -2, axis1 = -1) {
    return transpose(this, axis0, axis1);
  },
  permute(perm) {
    return permute(this, perm);
  },
  slice(...ranges) {
    return slice(this, ranges);
  },
  take(indices) {
    return take(this, indices);
  },
};

// Methods, like a class's own: on the prototype and not enumerable.
for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, {
    value: fn,
    writable: true,
    configurable: true,
  });
}
