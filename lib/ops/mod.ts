/**
 * The functional API: every public op, re-exported from one place.
 *
 * @module
 */
export * from "./creation.ts";
export * from "./elementwise.ts";
export * from "./reduce.ts";
export * from "./movement.ts";
export * from "./linalg.ts";
export * from "./nn.ts";
