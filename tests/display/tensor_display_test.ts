// tensorBundle: header, tables for small 1-D / 2-D tensors, PNG images for
// image-like 2-D / 3-D / 4-D tensors (decoded here to check the pixels),
// truncation of big tensors.
import assert from "node:assert/strict";
import { arange, type Tensor, tensor, zeros } from "../../mod.ts";
import { tensorBundle } from "../../lib/display/mod.ts";
import { crc32 } from "../../lib/display/_png.ts";

const html = async (t: Tensor, options = {}) =>
  (await tensorBundle(t, options))["text/html"] as string;

/** Decodes the RGB PNGs of data URLs in `markup`: width, height and pixels. */
async function images(markup: string) {
  const out: { width: number; height: number; rgb: Uint8Array }[] = [];
  for (const [, b64] of markup.matchAll(/src="data:image\/png;base64,([^"]+)"/g)) {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(bytes.buffer);
    let offset = 8, width = 0, height = 0;
    const idat: Uint8Array[] = [];
    while (offset < bytes.length) {
      const length = view.getUint32(offset);
      const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
      const data = bytes.subarray(offset + 8, offset + 8 + length);
      assert.equal(
        view.getUint32(offset + 8 + length),
        crc32(bytes.subarray(offset + 4, offset + 8 + length)),
      );
      if (type === "IHDR") {
        width = view.getUint32(offset + 8), height = view.getUint32(offset + 12);
        assert.deepEqual([...data.subarray(8)], [8, 2, 0, 0, 0]);
      }
      if (type === "IDAT") idat.push(data);
      offset += 12 + length;
    }
    const stream = new Blob(idat as Uint8Array<ArrayBuffer>[]).stream().pipeThrough(
      new DecompressionStream("deflate"),
    );
    const raw = new Uint8Array(await new Response(stream).arrayBuffer());
    assert.equal(raw.length, height * (1 + 3 * width));
    const rgb = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      assert.equal(raw[y * (1 + 3 * width)], 0); // filter: none
      rgb.set(raw.subarray(y * (1 + 3 * width) + 1, (y + 1) * (1 + 3 * width)), y * 3 * width);
    }
    out.push({ width, height, rgb });
  }
  return out;
}

Deno.test("tensorBundle: header, text, 0-D and 1-D", async () => {
  const b = await tensorBundle(tensor([1.5, -2, 3]));
  assert.equal(b["text/plain"], "tensor([ 1.5, -2. ,  3. ])");
  const h = b["text/html"] as string;
  assert.match(h, /<b>Tensor<\/b> \[3\] · float32 · cpu/);
  assert.deepEqual([...h.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]), ["1.5", "-2", "3"]);
  assert.match(await html(tensor(7)), /<b>Tensor<\/b> \[\] · float32 · cpu<\/div><code>7<\/code>/);
  const x = tensor([1, 2], { requiresGrad: true });
  assert.match(await html(x), / · requiresGrad/);
  assert.match(await html(x.mul(2)), / · grad_fn=mul/);
  // Long 1-D: both ends and an ellipsis.
  const long = await html(arange(100), { edgeItems: 3 });
  const cells = [...long.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);
  assert.deepEqual(cells, ["0", "1", "2", "…", "97", "98", "99"]);
});

Deno.test("tensorBundle: small 2-D tensors as a table with indices", async () => {
  const h = await html(tensor([[1, 2, 3], [4, 5, 6]], { dtype: "int32" }));
  assert.match(h, /\[2, 3\] · int32 · cpu/);
  const rows = [...h.matchAll(/<tr>(.*?)<\/tr>/g)].map((m) =>
    [...m[1].matchAll(/<t[dh][^>]*>([^<]*)<\/t[dh]>/g)].map((c) => c[1])
  );
  assert.deepEqual(rows, [["", "0", "1", "2"], ["0", "1", "2", "3"], ["1", "4", "5", "6"]]);
  assert.doesNotMatch(h, /<img/);
  // Big 2-D tables are cut to both ends of each axis.
  const big = await html(zeros([50, 3]), { edgeItems: 2, imageMinSide: 100 });
  const bigRows = [...big.matchAll(/<tr>(.*?)<\/tr>/g)];
  assert.equal(bigRows.length, 1 + 5); // header, 2 rows, ⋮, 2 rows
  assert.match(big, /⋮/);
});

Deno.test("tensorBundle: an image-like 2-D tensor as a PNG, black = min, white = max", async () => {
  const t = tensor(Array.from({ length: 8 * 10 }, (_, i) => i), { shape: [8, 10] });
  const h = await html(t);
  const [img] = await images(h);
  assert.deepEqual([img.width, img.height], [10, 8]);
  assert.deepEqual([...img.rgb.subarray(0, 3)], [0, 0, 0]);
  assert.deepEqual([...img.rgb.subarray(-3)], [255, 255, 255]);
  assert.match(h, /black 0 · white 79/);
  assert.match(h, /width="140" height="112"/); // scaled up 14×, pixelated
  assert.match(h, /<details><summary[^>]*>values<\/summary><table/); // values still there
});

Deno.test("tensorBundle: signed values use blue–white–red around 0", async () => {
  const t = tensor(Array.from({ length: 64 }, (_, i) => (i < 32 ? -1 : 0.5)), { shape: [8, 8] });
  const h = await html(t);
  const [img] = await images(h);
  assert.deepEqual([...img.rgb.subarray(0, 3)], [0, 0, 255]); // -1: full blue
  assert.deepEqual([...img.rgb.subarray(-3)], [255, 128, 128]); // 0.5 of 1: half red
  assert.match(h, /blue -1 · white 0 · red 1/);
});

Deno.test("tensorBundle: 3-D and 4-D stacks as one image per slice, limited", async () => {
  const maps = tensor(Array.from({ length: 3 * 8 * 8 }, (_, i) => Math.floor(i / 64)), {
    shape: [3, 8, 8],
  });
  const h = await html(maps);
  const imgs = await images(h);
  assert.equal(imgs.length, 3);
  assert.deepEqual(imgs.map((i) => i.rgb[0]), [0, 128, 255]); // one shared scale
  assert.deepEqual([...h.matchAll(/<figcaption[^>]*>([^<]*)</g)].map((m) => m[1]), [
    "[0]",
    "[1]",
    "[2]",
  ]);
  const batch = await html(zeros([5, 2, 8, 8]), { maxImages: 4 });
  assert.equal((await images(batch)).length, 4);
  assert.deepEqual(
    [...batch.matchAll(/<figcaption[^>]*>([^<]*)</g)].map((m) => m[1]),
    ["[0, 0]", "[0, 1]", "[1, 0]", "[1, 1]"],
  );
  assert.match(batch, /… 6 more of 10 slices/);
});

Deno.test("tensorBundle: small 3-D tensors as one table per slice", async () => {
  const h = await html(arange(12).reshape([3, 2, 2]));
  assert.equal([...h.matchAll(/<table/g)].length, 3);
  assert.deepEqual([...h.matchAll(/margin-top:4px">(\[\d\])</g)].map((m) => m[1]), [
    "[0]",
    "[1]",
    "[2]",
  ]);
  const many = await html(zeros([6, 2, 2]));
  assert.equal([...many.matchAll(/<table/g)].length, 4);
  assert.match(many, /… 2 more of 6 slices/);
});

Deno.test("tensorBundle: a disposed tensor says so", async () => {
  const t = tensor([1, 2]);
  t.dispose();
  const b = await tensorBundle(t);
  assert.match(b["text/html"] as string, /<i>disposed<\/i>/);
  assert.match(b["text/plain"] as string, /disposed/);
});
