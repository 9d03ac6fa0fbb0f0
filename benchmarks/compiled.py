"""What compiling the engine would gain (issue 8, one core), measured before anything is built
on it: this checkout's engine modules compiled unchanged with Cython, against the same
checkout as plain Python, on the same cases, side by side in one run.

A copy of ``src`` and ``rulesets`` is made in a temporary folder and the modules the default
output runs through are compiled there to C extensions (Cython 3, ``language_level=3``, no
annotations added, so the code is the same). Modules defining pydantic models (their methods
become compiled functions pydantic rejects as fields: ``periods``, ``bindings``, ...) and
``calendar`` (a starred expression Cython does not accept) stay Python. Then the two trees
take turns (one pass of each, ``--repeats`` times), in fresh processes, measured by the
worker of ``benchmarks/engine.py``: CPU ms per policy at 50 records of the lean evaluation,
of building and writing what it shows, and of both together (what ``check`` does by default).

Needs Cython and setuptools (``pip install cython setuptools``) and a C compiler; the build
takes a few minutes (printed). Not a dependency of the project: a measured route, see
docs/performance.md.
Run: python benchmarks/compiled.py [--policies 20] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engine import JURISDICTIONS, ROOT, _combine, _measure

# The modules the default output spends its time in that Cython compiles as they are.
COMPILED = (
    "ansafe_rules/kinds/deadline.py",
    "ansafe_rules/kinds/frequency.py",
    "ansafe_rules/kinds/preferred_window.py",
    "ansafe_rules/kinds/prohibition.py",
    "ansafe_rules/kinds/qualification.py",
    "ansafe_rules/kinds/required_fields.py",
    "ansafe_rules/kinds/retention.py",
    "ansafe_rules/conditions.py",
    "ansafe_rules/context.py",
    "ansafe_rules/evaluate.py",
    "ansafe_rules/i18n.py",
    "ansafe_rules/portfolio.py",
    "ansafe_rules/results.py",
)

_SETUP = """
from setuptools import setup
from Cython.Build import cythonize
setup(ext_modules=cythonize({files!r}, compiler_directives={{"language_level": "3"}},
                            nthreads={jobs}, quiet=True))
"""


def _compiled_tree(into: Path) -> tuple[Path, float]:
    """A copy of this checkout's ``src`` (with ``rulesets`` beside it, where the loader finds
    them) whose :data:`COMPILED` modules are C extensions; and the build's wall time."""
    shutil.copytree(ROOT / "src", into / "src")
    shutil.copytree(ROOT / "rulesets", into / "rulesets")
    src = into / "src"
    (src / "setup.py").write_text(_SETUP.format(files=list(COMPILED), jobs=os.cpu_count() or 1))
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "setup.py", "build_ext", "--inplace", "-q"],
        cwd=src,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        raise SystemExit(f"the build failed:\n{out.stderr[-4000:]}")
    built = sorted(str(p.relative_to(src)) for p in (src / "ansafe_rules").rglob("*.so"))
    if len(built) != len(COMPILED):
        raise SystemExit(f"expected {len(COMPILED)} extensions, built {built}")
    return src, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--policies", type=int, default=20, help="policies per measure")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    try:
        import Cython  # noqa: F401
    except ImportError:
        raise SystemExit("needs Cython: pip install cython setuptools") from None
    cfg = {"jurisdictions": JURISDICTIONS, "sizes": [50], "policies": args.policies,
           "repeats": 1, "full": False}  # fmt: skip
    runs: dict[str, list[dict]] = {"python": [], "compiled": []}
    with tempfile.TemporaryDirectory() as tmp:
        src, took = _compiled_tree(Path(tmp))
        print(f"compiled {len(COMPILED)} modules in {took:.0f} s (wall)", flush=True)
        for _ in range(args.repeats):
            runs["python"].append(_measure(ROOT / "src", cfg))
            runs["compiled"].append(_measure(src, cfg))
    py, cy = _combine(runs["python"]), _combine(runs["compiled"])
    print(f"\nCPU ms per policy at 50 records (min of {args.repeats}; median in brackets)")
    print(f"{'ruleset':<11}{'part':<10}{'python':>16}{'compiled':>16}{'speed-up':>10}")
    sums = {"python": dict.fromkeys(("evaluate", "write", "output"), 0.0)}
    sums["compiled"] = dict(sums["python"])
    for j in JURISDICTIONS:
        for part in ("evaluate", "write", "output"):
            a, b = py[f"{j}/50"][part], cy[f"{j}/50"][part]
            sums["python"][part] += a[0] / len(JURISDICTIONS)
            sums["compiled"][part] += b[0] / len(JURISDICTIONS)
            print(
                f"{j if part == 'evaluate' else '':<11}{part:<10}"
                f"{a[0] * 1e3:>8.2f} [{a[1] * 1e3:5.2f}]{b[0] * 1e3:>8.2f} [{b[1] * 1e3:5.2f}]"
                f"{a[0] / b[0]:>9.2f}x"
            )
    for part in ("evaluate", "write", "output"):
        a, b = sums["python"][part], sums["compiled"][part]
        print(f"{'mixed' if part == 'evaluate' else '':<11}{part:<10}{a * 1e3:>8.2f}"
              f"{'':>8}{b * 1e3:>8.2f}{'':>8}{a / b:>9.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
