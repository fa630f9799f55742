/**
 * Datasets for neuronbook as plain typed arrays: MNIST / Fashion-MNIST
 * (IDX files from a local directory, a verified cache or the public mirrors),
 * seeded 2-D toy sets, and split / scaling helpers.
 *
 * @example
 * ```ts
 * import { blobs, fitStandardizer, takeRows, trainValTestSplit } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const d = blobs({ n: 200, seed: 0 });
 * const split = trainValTestSplit(d.n, { val: 0.2, seed: 0 });
 * const scaler = fitStandardizer(d.x, d.n, 2, { rows: split.train });
 * const xTrain = scaler.apply(takeRows(d.x, 2, split.train));
 * assert.equal(xTrain.length, 2 * 160);
 * ```
 *
 * @module
 */
export { type IdxArray, parseIdx, type ParseIdxOptions, readIdxFile } from "./idx.ts";
export {
  type ImageSet,
  loadMnist,
  type LoadMnistOptions,
  type MnistData,
  type MnistKind,
  pixelStats,
  sliceImageSet,
  toFloat,
  type ToFloatOptions,
} from "./mnist.ts";
export {
  blobs,
  type BlobsOptions,
  circles,
  type CirclesOptions,
  type Dataset2D,
  moons,
  type MoonsOptions,
  spirals,
  type SpiralsOptions,
  type SyntheticOptions,
  xor,
  type XorOptions,
} from "./synthetic.ts";
export {
  type FeatureScaler,
  fitMinMax,
  fitStandardizer,
  type MinMaxScaler,
  type RowArray,
  type ScalerFitOptions,
  type SplitIndices,
  type SplitOptions,
  type Standardizer,
  takeRows,
  trainValTestSplit,
} from "./split.ts";
export { imageData, type ImageDataOptions, pointData } from "./tensors.ts";
