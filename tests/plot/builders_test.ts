// The plot builders: each gives the Plotly spec Plotly expects (trace types,
// axes, subplot references) from tensors or plain arrays.
import assert from "node:assert/strict";
import { Linear, Sequential, type Tensor, tensor } from "../../mod.ts";
import {
  confusionMatrixPlot,
  contourPlot,
  decisionBoundary,
  heatmap,
  histogram,
  historyPlot,
  imageGrid,
  lineChartSvg,
  linePlot,
  scatterByClass,
  surfacePlot,
} from "../../lib/plot/mod.ts";

type Obj = Record<string, unknown>;

Deno.test("linePlot: scatter traces in lines mode with axis titles", async () => {
  const fig = await linePlot({
    series: [{ name: "a", y: tensor([3, 2, 1]) }, { name: "b", x: [0, 5], y: [1, 1], dash: "dot" }],
    title: "T",
    xLabel: "step",
    yLabel: "loss",
    logY: true,
  });
  assert.deepEqual(fig.data.map((t) => [t.type, t.mode]), [
    ["scatter", "lines+markers"],
    ["scatter", "lines+markers"],
  ]);
  assert.deepEqual(fig.data[0].x, [0, 1, 2]);
  assert.deepEqual(fig.data[1].line, { color: "#ff7f0e", dash: "dot" });
  assert.deepEqual(fig.layout.title, { text: "T" });
  assert.deepEqual(fig.layout.yaxis, { title: { text: "loss" }, type: "log" });
  const long = await linePlot({ series: [{ y: new Float32Array(100) }] });
  assert.equal(long.data[0].mode, "lines");
});

Deno.test("linePlot panels: own axes per panel, four to a row, titles above, y label on the left", async () => {
  const series = [0, 1, 2, 3, 4].map((p) => ({ y: [p, p + 1], panel: p }));
  series.push({ y: [9, 9], panel: 1 });
  const fig = await linePlot({
    series,
    panelTitles: ["a", "b", "c", "d", "e"],
    xLabel: "v",
    yLabel: "φ",
    logY: true,
  });
  assert.deepEqual(fig.data.map((t) => t.xaxis), ["x", "x2", "x3", "x4", "x5", "x2"]);
  assert.deepEqual(fig.data.map((t) => t.yaxis), ["y", "y2", "y3", "y4", "y5", "y2"]);
  assert.deepEqual(fig.layout.grid, { rows: 2, columns: 4, pattern: "independent" });
  assert.equal(fig.layout.height, 800);
  assert.deepEqual(fig.layout.yaxis, { title: { text: "φ" }, type: "log" });
  assert.deepEqual(fig.layout.yaxis2, { type: "log" });
  assert.deepEqual(fig.layout.yaxis5, { title: { text: "φ" }, type: "log" });
  assert.deepEqual(fig.layout.xaxis5, { title: { text: "v" } });
  const notes = fig.layout.annotations as Obj[];
  assert.deepEqual(notes.map((a) => [a.text, a.xref, a.yref]), [
    ["a", "x domain", "y domain"],
    ["b", "x2 domain", "y2 domain"],
    ["c", "x3 domain", "y3 domain"],
    ["d", "x4 domain", "y4 domain"],
    ["e", "x5 domain", "y5 domain"],
  ]);
  await assert.rejects(
    linePlot({ series: [{ y: [1], panel: 1.5 }] }),
    /series 0 has panel 1.5; use 0, 1, 2/,
  );
});

Deno.test("historyPlot: loss and accuracy panels, train solid and validation dashed", async () => {
  const history = {
    steps: [
      { epoch: 1, step: 1, loss: 1 },
      { epoch: 1, step: 2, loss: 0.8 },
      { epoch: 2, step: 1, loss: 0.6 },
      { epoch: 2, step: 2, loss: 0.5 },
    ],
    epochs: [
      {
        epoch: 1,
        loss: 0.9,
        accuracy: 0.6,
        valLoss: 1,
        valAccuracy: 0.5,
        seconds: 1,
        examplesPerSecond: 1,
      },
      {
        epoch: 2,
        loss: 0.55,
        accuracy: 0.8,
        valLoss: 0.7,
        valAccuracy: 0.7,
        seconds: 1,
        examplesPerSecond: 1,
      },
    ],
  };
  const fig = await historyPlot(history, { steps: true });
  assert.deepEqual(
    fig.data.map((t) => [t.name, t.xaxis, t.yaxis, (t.line as Obj).dash ?? "solid"]),
    [
      ["train loss (steps)", "x", "y", "solid"],
      ["train loss", "x", "y", "solid"],
      ["validation loss", "x", "y", "dash"],
      ["train accuracy", "x2", "y2", "solid"],
      ["validation accuracy", "x2", "y2", "dash"],
    ],
  );
  assert.deepEqual(fig.data[0].x, [0.5, 1, 1.5, 2]);
  assert.deepEqual(fig.data[1].x, [1, 2]);
  assert.deepEqual(fig.data[4].y, [0.5, 0.7]);
  assert.deepEqual(fig.layout.grid, { rows: 1, columns: 2, pattern: "independent" });
  assert.equal((fig.layout.yaxis2 as Obj).tickformat, ".0%");
  // Regression: one panel, no accuracy traces.
  const reg = await historyPlot({
    epochs: [{ epoch: 1, loss: 2, seconds: 1, examplesPerSecond: 1 }],
  });
  assert.deepEqual(reg.data.map((t) => t.name), ["train loss"]);
  assert.equal(reg.layout.grid, undefined);
});

Deno.test("scatterByClass: one marker trace per class from tensors, rows or flat arrays", async () => {
  const points = tensor([[0, 0], [1, 1], [2, 2], [3, 3]]);
  const labels = tensor([1, 0, 1, 2], { dtype: "int32" });
  const fig = await scatterByClass(points, labels, { classNames: ["a", "b", "c"], title: "S" });
  assert.deepEqual(fig.data.map((t) => [t.type, t.mode, t.name, t.x, t.y]), [
    ["scatter", "markers", "a", [1], [1]],
    ["scatter", "markers", "b", [0, 2], [0, 2]],
    ["scatter", "markers", "c", [3], [3]],
  ]);
  assert.deepEqual(fig.data.map((t) => (t.marker as Obj).color), ["#1f77b4", "#ff7f0e", "#2ca02c"]);
  const rows = await scatterByClass([[0, 1], [2, 3]], [0, 0]);
  assert.deepEqual([rows.data[0].x, rows.data[0].y], [[0, 2], [1, 3]]);
  // One-hot / score rows are read as their argmax.
  const oneHot = await scatterByClass(new Float64Array([0, 1, 2, 3]), [[0, 1], [1, 0]]);
  assert.deepEqual(oneHot.data.map((t) => t.name), ["class 0", "class 1"]);
  await assert.rejects(scatterByClass([0, 0, 1, 1], [0]), /2 points but 1 labels/);
  await assert.rejects(scatterByClass(tensor([1, 2, 3]), [0]), /shape \[N, 2\]/);
});

Deno.test("heatmap: z in matrix order, labels as categories, annotations", async () => {
  const fig = await heatmap([[1, 2, 3], [4, 5, 6]], {
    xLabels: ["a", "b", "c"],
    yLabels: [10, 20],
    annotate: true,
    digits: 1,
    zmin: 0,
  });
  const [t] = fig.data;
  assert.deepEqual([t.type, t.x, t.y, t.zmin, t.texttemplate], [
    "heatmap",
    ["a", "b", "c"],
    ["10", "20"],
    0,
    "%{text}",
  ]);
  assert.deepEqual(fig.layout.yaxis, { type: "category", autorange: "reversed" });
  const plain = await heatmap(tensor([[0.123, 1]]), { matrixOrder: false });
  assert.equal(plain.data[0].text, undefined);
  assert.deepEqual([plain.layout.xaxis, plain.layout.yaxis], [{ dtick: 1 }, { dtick: 1 }]);
  await assert.rejects(heatmap(tensor([1, 2])), /expected a 2-D tensor/);
  await assert.rejects(heatmap([[1, 2], [3]]), /row 1 has 1 values/);
  await assert.rejects(heatmap([[1, 2]], { xLabels: ["a"] }), /1 column labels for 2 columns/);
});

Deno.test("confusionMatrixPlot: true down, predicted across, counts or row fractions", async () => {
  const m = [[8, 2], [1, 9]];
  const fig = await confusionMatrixPlot(m);
  const [t] = fig.data;
  assert.deepEqual([t.x, t.y, t.z, t.text], [["0", "1"], ["0", "1"], m, [["8", "2"], ["1", "9"]]]);
  assert.deepEqual((fig.layout.yaxis as Obj).title, { text: "true" });
  assert.deepEqual(fig.layout.title, { text: "Confusion matrix" });
  const norm = await confusionMatrixPlot(tensor(m), { normalize: true, classNames: ["no", "yes"] });
  const [n] = norm.data;
  assert.deepEqual(n.z, [[0.8, 0.2], [0.1, 0.9]]);
  assert.deepEqual(n.text, [["80.0%", "20.0%"], ["10.0%", "90.0%"]]);
  await assert.rejects(confusionMatrixPlot([[1, 2]]), /square/);
});

Deno.test("imageGrid: misclassified first, captions, subplot axes, truncation", async () => {
  // 5 images 2×3 whose pixels are their index, so each trace can be traced back.
  const images = tensor(Array.from({ length: 5 * 6 }, (_, i) => Math.floor(i / 6)), {
    shape: [5, 1, 2, 3],
  });
  const labels = [0, 1, 2, 3, 4];
  const scores = tensor([
    [1, 0, 0, 0, 0], // 0 right
    [1, 0, 0, 0, 0], // 1 → 0 wrong
    [0, 0, 1, 0, 0], // 2 right
    [0, 0, 0, 0, 1], // 3 → 4 wrong
    [0, 0, 0, 0, 1], // 4 right
  ]);
  const fig = await imageGrid(images, {
    labels,
    predicted: scores,
    misclassifiedFirst: true,
    columns: 2,
    max: 4,
  });
  assert.deepEqual(fig.data.map((t) => t.name), ["#1", "#3", "#0", "#2"]);
  assert.deepEqual(fig.data.map((t) => (t.z as number[][])[0][0]), [1, 3, 0, 2]);
  assert.deepEqual(fig.data.map((t) => [t.type, t.xaxis, t.yaxis]), [
    ["heatmap", "x", "y"],
    ["heatmap", "x2", "y2"],
    ["heatmap", "x3", "y3"],
    ["heatmap", "x4", "y4"],
  ]);
  assert.deepEqual(fig.data[0].z, [[1, 1, 1], [1, 1, 1]]);
  assert.deepEqual([fig.data[0].zmin, fig.data[0].zmax], [0, 4]); // shared over all images
  assert.deepEqual(fig.layout.grid, {
    rows: 2,
    columns: 2,
    pattern: "independent",
    xgap: 0.08,
    ygap: 0.3,
  });
  assert.deepEqual(fig.layout.yaxis2, {
    visible: false,
    autorange: "reversed",
    scaleanchor: "x2",
    constrain: "domain",
  });
  const notes = fig.layout.annotations as Obj[];
  assert.deepEqual(notes.map((a) => a.text), [
    "true 1 · pred 0",
    "true 3 · pred 4",
    "true 0 · pred 0",
    "true 2 · pred 2",
  ]);
  assert.deepEqual(notes.map((a) => (a.font as Obj).color), [
    "#d62728",
    "#d62728",
    "#222222",
    "#222222",
  ]);
  assert.deepEqual([notes[1].xref, notes[1].yref], ["x2 domain", "y2 domain"]);
  // Input order without misclassifiedFirst; nested arrays [N][H][W]; class names.
  const plain = await imageGrid([[[0, 1]], [[1, 0]]], {
    labels: [0, 1],
    classNames: ["zero", "one"],
  });
  assert.deepEqual(plain.data.map((t) => t.name), ["#0", "#1"]);
  assert.deepEqual((plain.layout.annotations as Obj[]).map((a) => a.text), ["zero", "one"]);
  await assert.rejects(imageGrid(tensor([1, 2])), /expected images/);
  await assert.rejects(imageGrid(images, { labels: [1] }), /5 images but 1 labels/);
});

Deno.test("imageGrid: zmin/zmax set the shared color range (zero in the middle for weights)", async () => {
  const weights = tensor([-0.5, 0.25, 0.1, -0.2], { shape: [2, 1, 1, 2] });
  const fig = await imageGrid(weights, { zmin: -1, zmax: 1, colorscale: "RdBu" });
  assert.deepEqual(fig.data.map((t) => [t.zmin, t.zmax, t.colorscale]), [
    [-1, 1, "RdBu"],
    [-1, 1, "RdBu"],
  ]);
  const one = await imageGrid(weights, { zmax: 2 }); // the other end stays the data's
  assert.deepEqual([one.data[0].zmin, one.data[0].zmax], [-0.5, 2]);
  // Three channels: values outside the range are clipped to 0 and 255.
  const rgb = await imageGrid(tensor([-1, 0, 2, 0.5, 0.5, 0.5], { shape: [1, 3, 1, 2] }), {
    zmin: 0,
    zmax: 1,
  });
  assert.deepEqual(rgb.data[0].z, [[[0, 255, 128], [0, 128, 128]]]);
  await assert.rejects(
    imageGrid(weights, { zmin: 1, zmax: 1 }),
    /zmin \(1\) must be below zmax \(1\)/,
  );
});

Deno.test("imageGrid: a narrow grid is still wide enough for its title", async () => {
  const one = [[[0, 1], [1, 0]]];
  const plain = await imageGrid(one, { cellSize: 100 });
  assert.equal(plain.layout.width, 200); // one 100 px cell: the minimum width
  const title = "Gradient magnitude: edges in every direction"; // 44 characters
  const titled = await imageGrid(one, { cellSize: 100, title });
  assert.equal(titled.layout.width, 10 * 44 + 60);
});

Deno.test("imageGrid: three-channel images become image traces scaled to 0..255", async () => {
  const rgb = tensor([0, 1, 1, 0, 0.5, 0.5], { shape: [1, 3, 1, 2] }); // R, G, B planes
  const fig = await imageGrid(rgb);
  assert.equal(fig.data[0].type, "image");
  assert.deepEqual(fig.data[0].z, [[[0, 255, 128], [255, 0, 128]]]);
});

Deno.test("surfacePlot: sampled grid, path lifted onto the surface", async () => {
  const f = (x: number, y: number) => x + 10 * y;
  const fig = await surfacePlot(f, {
    xRange: [0, 2],
    yRange: [0, 1],
    resolution: 3,
    path: tensor([[2, 1], [1, 0.5]]),
    title: "plane",
  });
  const [s, path, ends] = fig.data;
  assert.deepEqual([s.type, s.x, s.y], ["surface", [0, 1, 2], [0, 0.5, 1]]);
  assert.deepEqual(s.z, [[0, 1, 2], [5, 6, 7], [10, 11, 12]]);
  assert.deepEqual([path.type, path.mode, path.z], ["scatter3d", "lines+markers", [12, 6]]);
  assert.deepEqual([ends.text, ends.z], [["start", "end"], [12, 6]]);
  assert.deepEqual(Object.keys(fig.layout.scene as Obj), ["xaxis", "yaxis", "zaxis"]);
  // A sampled grid: path heights interpolated bilinearly; explicit heights kept.
  const grid = { x: [0, 1], y: [0, 1], z: [[0, 1], [2, 3]] };
  const sampled = await surfacePlot(grid, { path: [[0.5, 0.5], [1, 0, 7]] });
  assert.deepEqual(sampled.data[1].z, [1.5, 7]);
  await assert.rejects(surfacePlot({ x: [0, 1], y: [0], z: [[1]] }), /needs y.length × x.length/);
});

Deno.test("contourPlot: contour trace, path on top, ranges around the path", async () => {
  const fig = await contourPlot((x, y) => x * x + y * y, {
    path: [[1, 1], [0.5, 0.5], [0, 0]],
    resolution: 11,
    levels: 10,
  });
  const [c, path] = fig.data;
  assert.deepEqual([c.type, c.ncontours, path.type], ["contour", 10, "scatter"]);
  // Path spans [0, 1]: padded by max(0.5, 25%) on each side.
  assert.deepEqual([(c.x as number[])[0], (c.x as number[]).at(-1)], [-0.5, 1.5]);
  assert.deepEqual(path.text, ["step 0: f = 2", "step 1: f = 0.5", "step 2: f = 0"]);
  const log = await contourPlot((x, y) => x * x + y * y, { logLevels: true, resolution: 3 });
  assert.equal((log.data[0].z as number[][])[1][1], 0); // log1p(0 - min)
  assert.equal(log.data.length, 1);
});

Deno.test("contourPlot and surfacePlot: several named paths, one color each", async () => {
  const f = (x: number, y: number) => x * x + y * y;
  const paths = [
    { name: "η = 0.1", path: [[1, 1], [0.8, 0.8]] },
    { name: "η = 0.5", path: tensor([[-3, 1], [0, 0]]) },
  ];
  const fig = await contourPlot(f, { paths, resolution: 5 });
  const [c, a, aEnds, b, bEnds] = fig.data;
  assert.equal(c.type, "contour");
  assert.deepEqual([a.name, b.name], ["η = 0.1", "η = 0.5"]);
  const colorOfLine = (t: Obj) => (t.line as Obj).color;
  assert.notEqual(colorOfLine(a), colorOfLine(b));
  assert.deepEqual([aEnds.mode, aEnds.legendgroup, aEnds.text], ["markers", "η = 0.1", undefined]);
  assert.deepEqual((bEnds.marker as Obj).color, ["#ffffff", colorOfLine(b)]);
  // The legend of the paths goes in a row under the plot, clear of the color bar.
  assert.equal((fig.layout.legend as Obj).orientation, "h");
  // The sampled range covers every path: x from -3 to 1, padded by 25% of 4.
  assert.deepEqual([(c.x as number[])[0], (c.x as number[]).at(-1)], [-4, 2]);
  // With `path` as well, the single path comes first, red, with its ends written.
  const both = await surfacePlot(f, { path: [[0, 1], [0, 0]], paths, resolution: 3 });
  assert.deepEqual(both.data.map((t) => t.name), [
    "f(x, y)",
    "gradient descent",
    "start / end",
    "η = 0.1",
    "start / end",
    "η = 0.5",
    "start / end",
  ]);
  assert.deepEqual([both.data[2].text, both.data[6].z], [["start", "end"], [10, 0]]);
});

Deno.test("decisionBoundary: the grid holds the classifier's argmax at every point", async () => {
  // Three classes by region: left third, right half of the rest split by y.
  const score = (x: number, y: number) => [-x, x + y, x - y];
  const argmax = (v: number[]) => v.indexOf(Math.max(...v));
  let seen = 0;
  const classifier = async (xy: Tensor) => {
    seen = xy.shape[0];
    const v = await xy.data();
    const out: number[][] = [];
    for (let i = 0; i < xy.shape[0]; i++) out.push(score(v[2 * i], v[2 * i + 1]));
    return tensor(out);
  };
  const data = {
    x: tensor([[-1, -1], [1, 1], [1, -1], [0, 0]]),
    y: tensor([0, 1, 2, 1], { dtype: "int32" }),
  };
  const fig = await decisionBoundary(classifier, data, { resolution: 9, padding: 0.25 });
  assert.equal(seen, 81);
  const [regions, ...points] = fig.data;
  const xs = regions.x as number[], ys = regions.y as number[], z = regions.z as number[][];
  assert.equal(regions.type, "heatmap");
  assert.deepEqual([xs.length, ys.length, z.length, z[0].length], [9, 9, 9, 9]);
  assert.deepEqual([xs[0], xs[8], ys[0], ys[8]], [-1.5, 1.5, -1.5, 1.5]);
  for (let j = 0; j < 9; j++) {
    for (let i = 0; i < 9; i++) {
      const x = Math.fround(xs[i]), y = Math.fround(ys[j]); // the grid goes in as float32
      assert.equal(z[j][i], argmax(score(x, y)), `at (${xs[i]}, ${ys[j]})`);
    }
  }
  assert.deepEqual([regions.zmin, regions.zmax], [-0.5, 2.5]);
  assert.deepEqual(points.map((t) => [t.type, t.name, (t.x as number[]).length]), [
    ["scatter", "class 0", 1],
    ["scatter", "class 1", 2],
    ["scatter", "class 2", 1],
  ]);
});

Deno.test("decisionBoundary: probabilities threshold at 0.5, models run in eval mode", async () => {
  const data = { x: [[0, 0], [1, 1]], y: [0, 1] };
  // sigmoid(4(x₁ - 0.6)) > 0.5 ⇔ x₁ > 0.6
  const prob = (xy: Tensor) => xy.matmul(tensor([[4], [0]])).sub(2.4).sigmoid();
  const fig = await decisionBoundary(prob, data, { resolution: 6, padding: 0 });
  const z = fig.data[0].z as number[][];
  const xs = fig.data[0].x as number[];
  assert.deepEqual(z[0], xs.map((x) => (x > 0.6 ? 1 : 0)));
  // A model: forward in eval mode, training mode restored afterwards.
  const model = new Sequential(new Linear(2, 3));
  model.train();
  let modeDuringForward: boolean | undefined;
  const forward = model.forward.bind(model);
  model.forward = (x: Tensor) => ((modeDuringForward = model.training), forward(x));
  const m = await decisionBoundary(model, data, { resolution: 4 });
  assert.equal(modeDuringForward, false);
  assert.equal(model.training, true);
  assert.ok((m.data[0].z as number[][]).flat().every((c) => c >= 0 && c < 3));
  await assert.rejects(
    decisionBoundary(() => tensor([1, 2]), data, { resolution: 4 }),
    /returned shape \[2\] for 16 points/,
  );
});

Deno.test("histogram: counted bins as bar traces, shared bins for several series", async () => {
  const fig = await histogram(tensor([0, 1, 1, 2, 3, 3, 3, NaN]), { bins: 3, title: "h" });
  const [b] = fig.data;
  assert.deepEqual([b.type, b.x, b.y, b.width], ["bar", [0.5, 1.5, 2.5], [1, 2, 4], 1]);
  assert.deepEqual([fig.layout.barmode, fig.layout.bargap], ["overlay", 0]);
  const density = await histogram([0, 0.5, 1, 1.5], { bins: 2, density: true, range: [0, 2] });
  const d = density.data[0].y as number[];
  assert.equal(d.reduce((s, v) => s + v, 0) * 1, 1); // width 1: densities sum to 1
  const two = await histogram([{ name: "a", values: [0, 1] }, {
    name: "b",
    values: tensor([1, 2]),
  }], {
    bins: 2,
  });
  assert.deepEqual(two.data.map((t) => [t.name, t.x, t.y, t.opacity]), [
    ["a", [0.5, 1.5], [1, 1], 0.6],
    ["b", [0.5, 1.5], [0, 2], 0.6],
  ]);
  assert.equal(two.layout.showlegend, true);
  const constant = await histogram([5, 5, 5], { bins: 1 });
  assert.deepEqual([constant.data[0].x, constant.data[0].y], [[5], [3]]);
});

Deno.test("lineChartSvg: averages long series down, percent ticks, legend", () => {
  const points = Array.from({ length: 1000 }, (_, i) => [i, i % 2] as [number, number]);
  const svg = lineChartSvg([{ name: "acc", points }, {
    name: "val",
    points: [[0, 0.5]],
    dash: true,
  }], {
    maxPoints: 100,
    percent: true,
    yRange: [0, 1],
  });
  const polyline = svg.match(/<polyline points="([^"]+)"/)![1].split(" ");
  assert.equal(polyline.length, 100);
  assert.match(svg, />100%</);
  assert.match(svg, />50%</);
  assert.match(svg, /stroke-dasharray/);
  assert.match(svg, />acc<\/text>.*>val<\/text>/);
  assert.match(lineChartSvg([]), /^<svg[\s\S]*<\/svg>$/);
});
