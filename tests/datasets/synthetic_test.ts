import assert from "node:assert/strict";
import { blobs, circles, type Dataset2D, moons, spirals, xor } from "../../datasets/synthetic.ts";

const GENERATORS: Record<string, (o: { n?: number; seed?: number }) => Dataset2D> = {
  blobs,
  xor,
  circles,
  moons,
  spirals,
};

function classCounts(d: Dataset2D): number[] {
  const counts = new Array(d.classes).fill(0);
  for (const c of d.y) counts[c]++;
  return counts;
}

/**
 * Multiclass perceptron with bias. It converges (zero mistakes in an epoch)
 * only if the classes are linearly separable, so convergence proves it.
 */
function perceptronSeparates(d: Dataset2D, epochs = 2000): boolean {
  const w = new Float64Array(d.classes * 3);
  for (let e = 0; e < epochs; e++) {
    let mistakes = 0;
    for (let i = 0; i < d.n; i++) {
      const px = d.x[2 * i], py = d.x[2 * i + 1];
      let best = 0, bestScore = -Infinity;
      for (let c = 0; c < d.classes; c++) {
        const s = w[3 * c] * px + w[3 * c + 1] * py + w[3 * c + 2];
        if (s > bestScore) [best, bestScore] = [c, s];
      }
      const t = d.y[i];
      if (best !== t) {
        mistakes++;
        w[3 * t] += px, w[3 * t + 1] += py, w[3 * t + 2] += 1;
        w[3 * best] -= px, w[3 * best + 1] -= py, w[3 * best + 2] -= 1;
      }
    }
    if (mistakes === 0) return true;
  }
  return false;
}

Deno.test("every generator: shape, finite values, labels in range, balanced classes", () => {
  for (const [name, gen] of Object.entries(GENERATORS)) {
    for (const n of [1, 7, 100, 301]) {
      const d = gen({ n, seed: 3 });
      assert.equal(d.n, n, name);
      assert.equal(d.x.length, 2 * n, name);
      assert.equal(d.y.length, n, name);
      assert.ok(d.x instanceof Float64Array && d.y instanceof Int32Array);
      assert.ok(d.x.every(Number.isFinite), name);
      assert.ok(d.y.every((c) => c >= 0 && c < d.classes), name);
      const counts = classCounts(d);
      assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `${name} n=${n}: ${counts}`);
    }
  }
  assert.equal(blobs().classes, 3);
  assert.equal(blobs({ centers: 5 }).classes, 5);
  assert.equal(blobs({ classes: 4 }).classes, 4);
  assert.equal(spirals({ classes: 5 }).classes, 5);
  assert.equal(xor().classes, 2);
  assert.deepEqual(classCounts(blobs({ n: 300, centers: 3 })), [100, 100, 100]);
});

Deno.test("every generator: same seed same data, different seed different data", () => {
  for (const [name, gen] of Object.entries(GENERATORS)) {
    const a = gen({ n: 120, seed: 42 });
    const b = gen({ n: 120, seed: 42 });
    const c = gen({ n: 120, seed: 43 });
    assert.deepEqual(a.x, b.x, name);
    assert.deepEqual(a.y, b.y, name);
    assert.notDeepEqual(a.x, c.x, name);
  }
});

Deno.test("shuffle: points are mixed by default, grouped by class with shuffle: false", () => {
  const grouped = moons({ n: 10, shuffle: false });
  assert.deepEqual([...grouped.y], [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
  const mixed = moons({ n: 100 });
  let changes = 0;
  for (let i = 1; i < 100; i++) if (mixed.y[i] !== mixed.y[i - 1]) changes++;
  assert.ok(changes > 20, `only ${changes} label changes`);
});

Deno.test("blobs are linearly separable (perceptron converges, nearest center is exact)", () => {
  for (const k of [2, 3, 4, 6, 10]) {
    for (const seed of [0, 1, 2]) {
      const d = blobs({ n: 400, centers: k, seed });
      assert.ok(perceptronSeparates(d), `k=${k} seed=${seed}`);
      // Nearest class mean (a linear rule) classifies every point.
      const mean = new Float64Array(2 * k), cnt = new Float64Array(k);
      for (let i = 0; i < d.n; i++) {
        mean[2 * d.y[i]] += d.x[2 * i];
        mean[2 * d.y[i] + 1] += d.x[2 * i + 1];
        cnt[d.y[i]]++;
      }
      for (let c = 0; c < k; c++) mean[2 * c] /= cnt[c], mean[2 * c + 1] /= cnt[c];
      for (let i = 0; i < d.n; i++) {
        let best = -1, bestDist = Infinity;
        for (let c = 0; c < k; c++) {
          const dist = (d.x[2 * i] - mean[2 * c]) ** 2 + (d.x[2 * i + 1] - mean[2 * c + 1]) ** 2;
          if (dist < bestDist) [best, bestDist] = [c, dist];
        }
        assert.equal(best, d.y[i]);
      }
    }
  }
  // Explicit centers and std are honoured.
  const d = blobs({ n: 2000, centers: [[10, -5], [0, 0]], std: 0.1, seed: 9 });
  let sx = 0, sy = 0, m = 0;
  for (let i = 0; i < d.n; i++) if (d.y[i] === 0) sx += d.x[2 * i], sy += d.x[2 * i + 1], m++;
  assert.ok(Math.abs(sx / m - 10) < 0.02 && Math.abs(sy / m + 5) < 0.02);
});

function orient(a: number[], b: number[], c: number[]): number {
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

Deno.test("xor is not linearly separable (convex hulls intersect; perceptron fails)", () => {
  for (const seed of [0, 1, 2, 3]) {
    const d = xor({ n: 400, seed });
    // Means of class-0 points right/left of the y axis and class-1 points
    // right/left lie in the convex hull of their class; the two segments
    // cross, so the hulls intersect and no line separates the classes.
    const sums = [[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]];
    for (let i = 0; i < d.n; i++) {
      const g = d.y[i] * 2 + (d.x[2 * i] > 0 ? 0 : 1);
      sums[g][0] += d.x[2 * i], sums[g][1] += d.x[2 * i + 1], sums[g][2]++;
    }
    const [a, b, c, e] = sums.map(([x, y, m]) => [x / m, y / m]);
    assert.ok(orient(a, b, c) * orient(a, b, e) < 0, `seed ${seed}`);
    assert.ok(orient(c, e, a) * orient(c, e, b) < 0, `seed ${seed}`);
    assert.equal(perceptronSeparates(d, 200), false);
    // Labels follow the quadrant of the cluster center.
    let agree = 0;
    for (let i = 0; i < d.n; i++) {
      agree += (d.x[2 * i] * d.x[2 * i + 1] > 0 ? 0 : 1) === d.y[i] ? 1 : 0;
    }
    assert.ok(agree / d.n > 0.9);
  }
});

Deno.test("circles: radii by class, factor and noise", () => {
  const d = circles({ n: 1000, factor: 0.3, noise: 0.02, seed: 4 });
  const r = [0, 0], m = [0, 0];
  for (let i = 0; i < d.n; i++) {
    r[d.y[i]] += Math.hypot(d.x[2 * i], d.x[2 * i + 1]);
    m[d.y[i]]++;
  }
  assert.ok(Math.abs(r[0] / m[0] - 1) < 0.01);
  assert.ok(Math.abs(r[1] / m[1] - 0.3) < 0.01);
  assert.equal(perceptronSeparates(d, 100), false);
  assert.throws(() => circles({ factor: 1 }), RangeError);
});

Deno.test("moons: without noise the points lie on the two arcs", () => {
  const d = moons({ n: 200, noise: 0, seed: 6 });
  for (let i = 0; i < d.n; i++) {
    const [x, y] = [d.x[2 * i], d.x[2 * i + 1]];
    if (d.y[i] === 0) {
      assert.ok(Math.abs(Math.hypot(x, y) - 1) < 1e-12 && y >= -1e-12);
    } else {
      assert.ok(Math.abs(Math.hypot(x - 1, y - 0.5) - 1) < 1e-12 && y <= 0.5 + 1e-12);
    }
  }
  assert.equal(perceptronSeparates(moons({ n: 400, seed: 1 }), 200), false);
});

Deno.test("spirals: k arms within the unit disc, radius spread evenly", () => {
  const d = spirals({ n: 600, classes: 4, seed: 8 });
  assert.deepEqual(classCounts(d), [150, 150, 150, 150]);
  for (let i = 0; i < d.n; i++) {
    const r = Math.hypot(d.x[2 * i], d.x[2 * i + 1]);
    assert.ok(r > 0 && r <= 1 + 1e-12);
  }
  assert.equal(perceptronSeparates(spirals({ n: 300, seed: 2 }), 200), false);
});

Deno.test("invalid options are rejected", () => {
  assert.throws(() => blobs({ n: 0 }), /n must be a positive integer/);
  assert.throws(() => xor({ n: 2.5 }), RangeError);
  assert.throws(() => blobs({ centers: [] }), /must not be empty/);
  assert.throws(() => blobs({ std: -1 }), /std must be/);
  assert.throws(() => moons({ noise: NaN }), /noise must be/);
  assert.throws(() => spirals({ classes: 0 }), /classes must be/);
});
