// Figures carry their numbers as Plotly typed arrays ({ dtype, bdata, shape }): the encoding
// round-trips, a representative animated figure's bundle stays small, and plotly.js (the pinned
// 4.1.2, as the page's script and the HTML renders use it) draws the decoded numbers and animates
// frames that leave the unchanged x out.
/// <reference lib="dom" />
import assert from "node:assert/strict";
import {
  decodeTypedArray,
  decodeTypedArrays,
  encodeTypedArray,
  encodeTypedArrays,
  MIN_TYPED_LENGTH,
} from "../../lib/plot/_typed_arrays.ts";
import { animate, type Figure, linePlot, plotlyLibrarySource } from "../../lib/plot/mod.ts";
import { launchBrowser } from "../../tools/_browser.ts";

const PLOTLY_MIME = "application/vnd.plotly.v1+json";
const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

Deno.test("typed arrays: float32 values round-trip exactly as f4", () => {
  const values = Array.from(new Float32Array(range(100, (i) => Math.sin(i) * 1e3 + 0.1)));
  const spec = encodeTypedArray(values)!;
  assert.equal(spec.dtype, "f4");
  assert.equal(spec.shape, undefined);
  assert.equal(spec.bdata.length, 536); // base64 of 400 bytes
  assert.deepEqual(decodeTypedArray(spec), values);
});

Deno.test("typed arrays: integers take the narrowest integer type", () => {
  const cases: [number[], string][] = [
    [[0, 255], "u1"],
    [[-128, 127], "i1"],
    [[0, 65535], "u2"],
    [[-32768, 32767], "i2"],
    [[0, 4294967295], "u4"],
    [[-2147483648, 2147483647], "i4"],
    [[0, 2 ** 40], "f8"],
  ];
  for (const [ends, dtype] of cases) {
    const values = [...ends, ...range(20, (i) => ends[0] + i)];
    const spec = encodeTypedArray(values)!;
    assert.equal(spec.dtype, dtype, `${ends}`);
    assert.deepEqual(decodeTypedArray(spec), values);
  }
});

Deno.test("typed arrays: float64 where float32 would blur the steps; nested arrays keep their shape", () => {
  // Milliseconds since 1970 a second apart: float32 would merge them.
  const times = range(30, (i) => 1.7e12 + i * 1000 + 0.5);
  const t = encodeTypedArray(times)!;
  assert.equal(t.dtype, "f8");
  assert.deepEqual(decodeTypedArray(t), times);
  const grid = range(3, (r) => range(5, (c) => r * 5 + c + 0.25));
  const g = encodeTypedArray(grid)!;
  assert.deepEqual([g.dtype, g.shape], ["f4", "3,5"]);
  assert.deepEqual(decodeTypedArray(g), grid);
  const image = range(2, (r) => range(3, (c) => [r, c, 255]));
  const im = encodeTypedArray(image)!;
  assert.deepEqual([im.dtype, im.shape], ["u1", "2,3,3"]);
  assert.deepEqual(decodeTypedArray(im), image);
});

Deno.test("typed arrays: gaps, text, ragged rows and short arrays stay plain JSON", () => {
  const long = range(MIN_TYPED_LENGTH, (i) => i / 2);
  assert.equal(encodeTypedArray([...long, null]), null);
  assert.equal(encodeTypedArray([...long, NaN]), null);
  assert.equal(encodeTypedArray([...long, "a"]), null);
  assert.equal(encodeTypedArray([long, long.slice(1)]), null);
  const trace = {
    type: "scatter",
    x: long.slice(0, MIN_TYPED_LENGTH - 1), // short: stays
    y: long, // long: encoded
    text: long.map(String),
    marker: { size: long }, // nested attributes too
  };
  const layout = { xaxis: { tickvals: long } }; // the layout is left alone
  const encoded = encodeTypedArrays({ data: [trace], layout });
  const t = encoded.data[0] as Record<string, unknown>;
  assert.deepEqual(t.x, trace.x);
  assert.deepEqual(t.text, trace.text);
  assert.equal((t.y as { dtype: string }).dtype, "f4");
  assert.equal((t.marker as { size: { dtype: string } }).size.dtype, "f4");
  assert.equal(encoded.layout, layout);
  assert.deepEqual(decodeTypedArrays(encoded), { data: [trace], layout });
});

/** The sigmoid with six steepnesses, 801 points each with its derivative (notebook 01's figure). */
function sigmoidFigure(): Promise<Figure> {
  const xs = range(801, (i) => -10 + i / 40);
  const steepness = [0.5, 1, 2, 3, 5, 8];
  return animate(
    steepness.map((k) => {
      const s = xs.map((x) => 1 / (1 + Math.exp(-k * x)));
      return linePlot({
        series: [{ name: "φ", x: xs, y: s }, {
          name: "φ′",
          x: xs,
          y: s.map((v) => k * v * (1 - v)),
        }],
        title: `steepness ${k}`,
      });
    }),
    { labels: steepness, label: "k", active: 3 },
  );
}

Deno.test("figure bundle: numbers as typed arrays; saved as a notebook writes it, under 100 kB", async () => {
  const fig = await sigmoidFigure();
  const bundle = fig.toBundle();
  const plotly = bundle[PLOTLY_MIME] as ReturnType<Figure["toJSON"]>;
  // Every number is there (float32 of the 7-digit values), the frames without the unchanged x.
  const decoded = decodeTypedArrays(plotly);
  const json = fig.toJSON();
  const close = (a: unknown, b: unknown) =>
    assert.deepEqual(a, Array.from(new Float32Array(b as number[])));
  close(decoded.data[0].x, json.data[0].x);
  close(decoded.data[1].y, json.data[1].y);
  assert.equal(decoded.frames!.length, 6);
  for (const [i, frame] of decoded.frames!.entries()) {
    assert.deepEqual(Object.keys(frame.data[0]).sort(), ["type", "y"]);
    close(frame.data[1].y, json.frames![i].data[1].y);
  }
  // Jupyter writes outputs with indent=1; one plain number per line, x in every frame and a
  // full-resolution static picture and a deflated copy of the spec in the HTML made this bundle
  // 423 kB.
  const saved = new TextEncoder().encode(JSON.stringify(bundle, null, 1)).length;
  assert.ok(saved < 100_000, `the bundle takes ${saved} bytes in a saved notebook`);
});

Deno.test({
  name: "figure bundle: plotly.js draws the typed arrays and animates frames without x",
  permissions: { read: true, write: true, env: true, run: "inherit", net: ["127.0.0.1"] },
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const browser = await launchBrowser();
    try {
      const fig = await sigmoidFigure();
      await Deno.writeTextFile(`${dir}/plotly.js`, await plotlyLibrarySource());
      // As an HTML render has it: the figure's HTML and its Plotly JSON beside it.
      const bundle = fig.toBundle();
      const html = bundle["text/html"] as string;
      const id = /<div id="([^"]+)"/.exec(html)![1];
      await Deno.writeTextFile(
        `${dir}/page.html`,
        `<html><head><script src="plotly.js"></script></head><body>${html}` +
          `<script type="application/json" id="${id}-spec">` +
          `${
            JSON.stringify(bundle[PLOTLY_MIME]).replaceAll("<", "\\u003c")
          }</script></body></html>`,
      );
      const page = await browser.newPage();
      await page.goto(`file://${dir}/page.html`);
      await page.waitForSelector(".neuronbook-plot .main-svg", { timeout: 20_000 });
      const read = () =>
        page.evaluate(() => {
          const gd = document.querySelector(".neuronbook-plot") as unknown as {
            _fullData: { x: ArrayLike<number>; y: ArrayLike<number> }[];
          };
          return gd._fullData.map((t) => [Array.from(t.x), Array.from(t.y)]);
        });
      const json = fig.toJSON();
      const f32 = (v: unknown) => Array.from(new Float32Array(v as number[]));
      const shown = await read();
      assert.deepEqual(shown[1], [f32(json.data[1].x), f32(json.data[1].y)]); // the active step
      await page.evaluate(() => {
        const P = (window as unknown as { Plotly: { animate(...a: unknown[]): Promise<void> } })
          .Plotly;
        return P.animate(document.querySelector(".neuronbook-plot"), ["0.5"], {
          mode: "immediate",
          frame: { duration: 0, redraw: true },
          transition: { duration: 0 },
        });
      });
      const after = await read();
      assert.deepEqual(after[0], [f32(json.data[0].x), f32(json.frames![0].data[0].y)]);
      assert.deepEqual(after[1][1], f32(json.frames![0].data[1].y));
    } finally {
      await browser.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
