#!/usr/bin/python3
"""Runs one notebook through a Jupyter kernel with nbconvert and writes, into
OUT_DIR, the executed notebook (NAME.ipynb), its HTML render (NAME.html) and
a status file (NAME.status.json: ok, seconds, the failing cell's error).

Driven by tools/notebooks.ts (`deno task notebooks`); run it with Debian's
/usr/bin/python3 and its python3-nbconvert. It is nbconvert's own
ExecutePreprocessor and HTMLExporter with three changes:

* Late outputs are kept. Deno's kernel publishes console output (through a
  channel) and a cell's result (from a promise it does not await) on its own
  schedule, so on a busy machine they can reach the client just after the
  cell's "idle" status; nbclient would drop them. After "idle" this keeps
  reading for a short grace period (NEURONBOOK_LATE_OUTPUT_GRACE seconds,
  default 0.3) and files what arrives under the cell that produced it.
* A failing cell stops the run as usual, but the partial notebook and its
  HTML are still written, so the error can be read in context.
* A cell's outputs get 60 s (not nbclient's 4) to come through after its
  reply, and running out of that time is an error: nbclient would otherwise
  drop them without a word. On a busy machine the first plot of a notebook
  (which carries plotly.js, megabytes) can take longer than 4 s, and the
  page's later plots then fail to draw for want of the library.

For grading (`deno task grade`, tools/grade.ts) it also takes:
--allow-errors (a failing cell does not stop the run), --max-output-chars N
(a cell's outputs beyond N characters are dropped, with a note saying so),
--cwd DIR (the folder the cells run in, whose deno.json applies; default the
notebook's) and --no-html. A notebook that runs out of time has its kernel
killed; the cells run so far keep their outputs.

The HTML render loads plotly.js and MathJax from the URLs given
(--plotly-url, --mathjax-url: files that tools/notebooks.ts writes beside
the renders), so figures draw and math is typeset offline, from disk and
over HTTP; the notebooks themselves carry neither. A figure's HTML draws the
output's own Plotly JSON, which nbconvert leaves out of the page: the render
gets a copy of it beside each figure (with_figure_specs; the saved notebook
holds the one copy).

usage: nbexec.py NOTEBOOK OUT_DIR [--kernel deno] [--cell-timeout S] [--timeout S]
                 [--allow-errors] [--max-output-chars N] [--cwd DIR] [--no-html]
                 [--plotly-url URL] [--mathjax-url URL]
       nbexec.py --preflight [--kernel deno]
"""

import argparse
import json
import os
import queue
import re
import signal
import sys
import time

import nbformat
from lxml.html.clean import clean_html as lxml_clean_html
from nbclient.exceptions import CellExecutionComplete
from nbclient.util import ensure_async
from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import ExecutePreprocessor
from traitlets import Float, Integer


class LateOutputExecutePreprocessor(ExecutePreprocessor):
    """ExecutePreprocessor that also keeps outputs arriving just after "idle"."""

    late_output_grace = Float(
        0.3, config=True, help="Seconds to keep reading a cell's outputs after its idle status."
    )
    max_output_chars = Integer(
        0, config=True, help="Characters of output kept per cell (0: no limit); errors always kept."
    )

    def process_message(self, msg, cell, cell_index):
        if self.max_output_chars and msg["msg_type"] in ("stream", "display_data", "execute_result"):
            used = cell.metadata.get("nbexec_output_chars", 0) + len(json.dumps(msg["content"]))
            cell.metadata["nbexec_output_chars"] = used
            if used > self.max_output_chars:
                if not cell.metadata.get("nbexec_output_cut"):
                    cell.metadata["nbexec_output_cut"] = True
                    cell.outputs.append(
                        nbformat.v4.new_output(
                            "stream",
                            name="stderr",
                            text=f"[output beyond {self.max_output_chars} characters dropped]\n",
                        )
                    )
                return None
        return super().process_message(msg, cell, cell_index)

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        assert self.kc is not None
        # nbclient's loop: process this cell's messages until its idle status.
        while True:
            msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=None))
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    break
        # Then whatever of this cell's output is still on its way.
        while True:
            try:
                msg = await ensure_async(
                    self.kc.iopub_channel.get_msg(timeout=self.late_output_grace)
                )
            except queue.Empty:
                return
            if msg["parent_header"].get("msg_id") != parent_msg_id:
                continue
            if msg["msg_type"] in ("status", "execute_input"):
                continue
            try:
                self.process_message(msg, cell, cell_index)
            except CellExecutionComplete:
                pass


def clean_html_keeping_svg(html):
    """nbconvert's clean_html filter, except for SVG outputs.

    Debian's nbconvert (6.5) passes every image/svg+xml output through
    lxml's clean_html, which strips an SVG to its bare <svg> tag (Graphviz
    graphs came out blank). Our notebooks are trusted, as in JupyterLab.
    """
    text = html.decode("utf-8") if isinstance(html, bytes) else str(html)
    if re.match(r"\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!DOCTYPE[^>]*>\s*)?<svg[\s>]", text, re.S | re.I):
        return text
    return lxml_clean_html(html)


class NotebookTimeout(Exception):
    pass


def first_error(nb):
    """The first cell with an error output: its index, source and the error."""
    for index, cell in enumerate(nb.cells):
        if "raises-exception" in cell.get("metadata", {}).get("tags", []):
            continue  # an error this cell is meant to show
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return {
                    "cell": index,
                    "source": cell.source,
                    "ename": out.get("ename", ""),
                    "evalue": out.get("evalue", ""),
                    "traceback": out.get("traceback", []),
                }
    return None


def preflight(kernel):
    import nbconvert
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(kernel)
    except NoSuchKernel:
        print(
            json.dumps(
                {
                    "ok": False,
                    "error": f'no Jupyter kernel named "{kernel}": run `deno jupyter --install`',
                }
            )
        )
        return 1
    print(
        json.dumps(
            {
                "ok": True,
                "nbconvert": nbconvert.__version__,
                "python": sys.version.split()[0],
                "kernel": kernel,
                "argv": spec.argv,
            }
        )
    )
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("notebook", nargs="?")
    ap.add_argument("out_dir", nargs="?")
    ap.add_argument("--kernel", default="deno")
    ap.add_argument("--cell-timeout", type=int, default=900)
    ap.add_argument("--timeout", type=int, default=1800, help="whole notebook")
    ap.add_argument("--preflight", action="store_true")
    ap.add_argument("--allow-errors", action="store_true")
    ap.add_argument("--max-output-chars", type=int, default=0)
    ap.add_argument("--cwd", help="folder the cells run in (default: the notebook's)")
    ap.add_argument("--no-html", action="store_true")
    ap.add_argument("--plotly-url", help="plotly.js for the HTML render (relative to it)")
    ap.add_argument("--mathjax-url", help="MathJax 3 (configured) for the HTML render")
    args = ap.parse_args()
    if args.preflight:
        return preflight(args.kernel)
    if not args.notebook or not args.out_dir:
        ap.error("NOTEBOOK and OUT_DIR are required")

    path = os.path.abspath(args.notebook)
    name = os.path.splitext(os.path.basename(path))[0]
    os.makedirs(args.out_dir, exist_ok=True)
    nb = nbformat.read(path, as_version=4)

    grace = float(os.environ.get("NEURONBOOK_LATE_OUTPUT_GRACE", "0.3"))
    ep = LateOutputExecutePreprocessor(
        kernel_name=args.kernel,
        timeout=args.cell_timeout,
        late_output_grace=grace,
        iopub_timeout=60,
        raise_on_iopub_timeout=True,
        allow_errors=args.allow_errors,
        max_output_chars=args.max_output_chars,
    )

    def on_alarm(signum, frame):
        raise NotebookTimeout(f"the notebook ran longer than {args.timeout} s")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(args.timeout)
    status = {"notebook": args.notebook, "ok": True}
    start = time.monotonic()
    try:
        # Cells run in the notebook's folder, so its deno.json applies.
        ep.preprocess(nb, {"metadata": {"path": args.cwd or os.path.dirname(path)}})
    except Exception as e:  # a cell's error, a timeout, a dead kernel
        if isinstance(e, NotebookTimeout):
            kill_kernel(ep)
        status["ok"] = False
        status["stopped"] = {"ename": type(e).__name__, "evalue": str(e)}
        status["error"] = first_error(nb) or {
            "cell": None,
            "source": "",
            "ename": type(e).__name__,
            "evalue": str(e),
            "traceback": [],
        }
    finally:
        signal.alarm(0)
    status["seconds"] = round(time.monotonic() - start, 2)
    for cell in nb.cells:
        cell.metadata.pop("nbexec_output_chars", None)
        cell.metadata.pop("nbexec_output_cut", None)

    nbformat.write(nb, os.path.join(args.out_dir, name + ".ipynb"))
    if not args.no_html:
        write_html(nb, name, args.out_dir, args.plotly_url, args.mathjax_url)
    with open(os.path.join(args.out_dir, name + ".status.json"), "w", encoding="utf-8") as f:
        json.dump(status, f, indent=1)
    return 0 if status["ok"] else 1


def kill_kernel(ep):
    """Stops a kernel still busy when the notebook ran out of time (a cell that loops forever)."""
    km = getattr(ep, "km", None)
    try:
        if km is not None and km.has_kernel:
            km.shutdown_kernel(now=True)
    except Exception as e:  # already gone, or the manager is half torn down
        print(f"nbexec: stopping the kernel: {e}", file=sys.stderr)


PLOTLY_MIME = "application/vnd.plotly.v1+json"
FIGURE_ID = re.compile(r'<div id="(neuronbook-figure-[0-9a-f-]+)" class="neuronbook-figure">')


def with_figure_specs(nb):
    """A copy of nb whose figures' HTML also holds their Plotly JSON.

    The HTML render shows a figure's text/html, whose script draws the
    output's Plotly JSON; nbconvert leaves that entry out of the page, so it
    goes beside the figure as <script type="application/json" id="ID-spec">
    (in the render only: the saved notebook keeps one copy).
    """
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            html = data.get("text/html")
            if PLOTLY_MIME not in data or html is None:
                continue
            html = "".join(html) if isinstance(html, list) else html
            spec = json.dumps(data[PLOTLY_MIME], separators=(",", ":"))
            for c in "<>&":  # nothing in the JSON can end the script element
                spec = spec.replace(c, "\\u%04x" % ord(c))
            specs = "".join(
                '<script type="application/json" id="%s-spec">%s</script>\n' % (figure_id, spec)
                for figure_id in FIGURE_ID.findall(html)
            )
            data["text/html"] = specs + html  # before the figure's script
    return nb


def write_html(nb, name, out_dir, plotly_url=None, mathjax_url=None):
    # No require.js in the page: with it, plotly.js registers as an AMD
    # module instead of window.Plotly, and whether Debian's copy exists
    # would decide whether plots draw.
    options = {"mathjax_url": mathjax_url} if mathjax_url else {}
    exporter = HTMLExporter(
        require_js_url="data:text/javascript,",
        filters={"clean_html": clean_html_keeping_svg},
        **options,
    )
    html, _ = exporter.from_notebook_node(
        with_figure_specs(nb), resources={"metadata": {"name": name}}
    )
    if plotly_url:
        # First in <head>: figures' scripts find window.Plotly when they run.
        tag = '<script src="%s"></script>' % plotly_url
        html = re.sub(r"<head[^>]*>", lambda m: m.group(0) + "\n" + tag, html, count=1)
    with open(os.path.join(out_dir, name + ".html"), "w", encoding="utf-8") as f:
        f.write(html)


if __name__ == "__main__":
    sys.exit(main())
