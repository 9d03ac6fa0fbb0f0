"""Regenerate the generated parts of docs/ from the rulesets.

Run: python tools/gen_docs.py          (writes the files)
     python tools/gen_docs.py --check  (exit 1 when a file is stale)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import ansafe_rules as ar

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- BEGIN GENERATED INDEX -->", "<!-- END GENERATED INDEX -->"


def interpretations_index() -> str:
    rows = ["| rule | parameter | reading |", "|---|---|---|"]
    seen: set[tuple[str, str]] = set()
    for j in ar.jurisdictions():
        rs = ar.load_ruleset(j)
        for rr in rs.rules:
            for param, reading in rr.rule.interpretive.items():
                if (rr.rule.id, param) in seen:
                    continue
                seen.add((rr.rule.id, param))
                text = " ".join(reading.split()).replace("|", "\\|")
                rows.append(f"| `{rr.rule.id}` | `{param}` | {text} |")
        for rw in rs.windows:
            w = rw.window
            if w.interpretive and (f"window:{w.id}", "") not in seen:
                seen.add((f"window:{w.id}", ""))
                text = " ".join(w.interpretive.split()).replace("|", "\\|")
                rows.append(f"| window `{rw.layer}.{w.id}` | dates | {text} |")
    return "\n".join(rows)


def render(text: str, generated: str) -> str:
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{generated}\n{END}{tail}"


def targets() -> dict[Path, str]:
    doc = ROOT / "docs" / "interpretations.md"
    return {doc: render(doc.read_text(encoding="utf-8"), interpretations_index())}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--check", action="store_true", help="report stale files, write nothing")
    args = ap.parse_args()
    stale = []
    for path, content in targets().items():
        if path.read_text(encoding="utf-8") != content:
            stale.append(path)
            if not args.check:
                path.write_text(content, encoding="utf-8")
    if args.check and stale:
        print("stale (run python tools/gen_docs.py):", *map(str, stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
