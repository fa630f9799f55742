/**
 * The functional API, re-exported from one place, and the core assembled:
 * importing this installs Tensor's chaining methods (`methods.ts`) and
 * registers the CPU backend, the reference and default, so every layer above
 * (nn, losses, optim, train, ...) gets a working core by importing its ops
 * from here.
 *
 * @module
 */
import "../cpu/cpu_backend.ts";
import "./methods.ts";

export * from "./creation.ts";
export * from "./elementwise.ts";
export * from "./reduce.ts";
export * from "./movement.ts";
export * from "./linalg.ts";
export * from "./nn.ts";
export * from "./optim_step.ts";
