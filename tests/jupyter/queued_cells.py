"""Queues many cells at once on Deno's Jupyter kernel, as a frontend's "Run All" does,
and reports where each output landed.

usage: queued_cells.py PREAMBLE_FILE N
Cell i (after the preamble) is `const v<i> = <i> * 2; v<i>`, ending in a value;
its execute_result must carry cell i's parent header, arrive before cell i's idle
status, and show 2i. Prints one JSON object: {"cells", "outputs", "misplaced": [...]}.
"""
import json
import queue
import re
import sys
import time

from jupyter_client.manager import start_new_kernel

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def drain(kc):
    while True:
        try:
            kc.get_iopub_msg(timeout=0.5)
        except queue.Empty:
            return


def shown_value(content):
    text = content.get("text") or content.get("data", {}).get("text/plain", "")
    text = ANSI.sub("", str(text)).strip()
    return int(text.split()[0]) if text else None


def run(kc, n):
    ids = [kc.execute(f"const v{i} = {i} * 2; v{i}") for i in range(n)]
    cell_of = {msg_id: i for i, msg_id in enumerate(ids)}
    idle, outputs, misplaced = set(), 0, []
    deadline = time.time() + 60 + n
    while len(idle) < n and time.time() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=10)
        except queue.Empty:
            break
        parent = msg["parent_header"].get("msg_id")
        kind = msg["msg_type"]
        if kind == "status" and msg["content"]["execution_state"] == "idle" and parent in cell_of:
            idle.add(parent)
        if kind in ("execute_result", "display_data", "stream"):
            outputs += 1
            cell, value = cell_of.get(parent), shown_value(msg["content"])
            if parent in idle or cell is None or value != 2 * cell:
                misplaced.append({"value": value, "under_cell": cell, "after_idle": parent in idle})
    return {"cells": n, "finished": len(idle), "outputs": outputs, "misplaced": misplaced}


def main():
    preamble, n = open(sys.argv[1]).read(), int(sys.argv[2])
    km, kc = start_new_kernel(kernel_name="deno", startup_timeout=120)
    try:
        reply = kc.execute_interactive(preamble, timeout=120, output_hook=lambda _msg: None)
        if reply["content"]["status"] != "ok":
            raise SystemExit(f"the preamble failed: {reply['content']}")
        drain(kc)
        print(json.dumps(run(kc, n)))
    finally:
        km.shutdown_kernel(now=True)


main()
