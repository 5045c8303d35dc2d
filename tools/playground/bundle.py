#!/usr/bin/env python3
"""Bundles the playground into one self-contained HTML file (docs/playground.md).

index.html names what goes where with comments "bundle: NAME":
  NAME.css / NAME.js   the file of that name in tools/playground/ (or tools/timeline/)
  workloads            every workloads/*.py and *.gil, as one JSON object {file name: text}
  worker               worker.js followed by Emscripten's glue (gilsim-engine.js)
  wasm                 gilsim-engine.wasm, deflated (raw) and in base64: engine_client.js unpacks
                       it with DecompressionStream and compiles it once per page

  bundle.py --source DIR --engine build/wasm/tools/playground/gilsim-engine.js --out FILE.html
"""
import argparse
import base64
import json
import pathlib
import re
import sys
import zlib


def fail(message):
    print(f"bundle.py: {message}", file=sys.stderr)
    sys.exit(1)


def inline_text(text, where):
    # Inline <script> and <style> end at the first "</script" or "</style": none may be inside.
    if re.search(r"</(script|style)", text, re.IGNORECASE):
        fail(f"{where} contains '</script' or '</style' and cannot be inlined")
    return text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True, type=pathlib.Path)
    ap.add_argument("--engine", required=True, type=pathlib.Path)
    ap.add_argument("--out", required=True, type=pathlib.Path)
    args = ap.parse_args()

    here = args.source / "tools" / "playground"
    search = [here, args.source / "tools" / "timeline"]
    page = (here / "index.html").read_text(encoding="utf-8")

    workloads = {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted((args.source / "workloads").iterdir())
        if p.suffix in (".py", ".gil")
    }
    engine_js = args.engine.read_text(encoding="utf-8")
    wasm = args.engine.with_suffix(".wasm").read_bytes()
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = packer.compress(wasm) + packer.flush()

    def replacement(name):
        if name == "workloads":
            # "<" escaped so that no script text can end the <script> element early.
            return json.dumps(workloads, ensure_ascii=False).replace("<", "\\u003c")
        if name == "worker":
            worker = (here / "worker.js").read_text(encoding="utf-8")
            return inline_text(worker + "\n" + engine_js, "the worker (worker.js + the engine's glue)")
        if name == "wasm":
            return base64.b64encode(packed).decode("ascii")
        for d in search:
            if (d / name).is_file():
                return inline_text((d / name).read_text(encoding="utf-8"), name)
        fail(f"index.html asks for '{name}', found in none of {', '.join(map(str, search))}")

    # "/* bundle: x */" in CSS, "// bundle: x" in scripts, "<!-- bundle: x -->" in markup.
    pattern = re.compile(r"/\* bundle: ([\w.-]+) \*/|// bundle: ([\w.-]+)|<!-- bundle: ([\w.-]+) -->")
    out = pattern.sub(lambda m: replacement(next(g for g in m.groups() if g)), page)
    args.out.write_text(out, encoding="utf-8")
    print(f"bundle.py: {args.out} ({len(out.encode('utf-8')) / 1e6:.2f} MB; wasm "
          f"{len(wasm) / 1e6:.2f} MB, deflated {len(packed) / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
