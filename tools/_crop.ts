import puppeteer from "puppeteer-core";
const [src, out, y, h] = Deno.args;
const html = `/tmp/fe/crop.html`;
Deno.writeTextFileSync(html, `<body style="margin:0"><img src="file://${Deno.realPathSync(src)}">`);
const b = await puppeteer.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--allow-file-access-from-files"],
});
const p = await b.newPage();
await p.setViewport({ width: 1280, height: Number(h) });
await p.goto("file://" + html, { waitUntil: "load" });
await p.screenshot({
  path: out as `${string}.png`,
  clip: { x: 0, y: Number(y), width: 1280, height: Number(h) },
  captureBeyondViewport: true,
});
await b.close();
