"""Write docs/openapi.json, the HTTP service's OpenAPI 3.1 document, from the application
itself (``create_app``); ``--check`` exits 1 when the checked-in copy is stale.

    python tools/gen_openapi.py          # regenerate
    python tools/gen_openapi.py --check  # CI: is docs/openapi.json fresh?
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "openapi.json"


def render() -> str:
    """The document as checked in: sorted keys off (FastAPI's order), two-space indent."""
    from ansafe_rules.server import ServerSettings, create_app

    doc = create_app(ServerSettings()).openapi()
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="exit 1 if docs/openapi.json is stale")
    args = p.parse_args(argv)
    text = render()
    if args.check:
        if not TARGET.is_file() or TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET.relative_to(ROOT)} is stale: run python tools/gen_openapi.py")
            return 1
        print(f"{TARGET.relative_to(ROOT)} is fresh")
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
