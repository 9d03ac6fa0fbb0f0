"""Ruleset mutation check: every number, unit and rule of a ruleset must be pinned by a test.

Each mutant changes ONE thing in the text of one ruleset file — a numeric parameter by +-1
(``numeric``; a fraction such as ``partial_min_share`` by +-0.1), a period unit workdays <-> days
(``unit``), or a whole rule deleted (``drop``) — then runs the behavioural tests relevant to that
ruleset in an isolated copy of the tree. A mutant is *killed* when pytest fails, *survives*
when it passes, and is *invalid* when the strict loader rejects the mutated rulesets (those are
not survivors). The generated-docs freshness check does not count.

Run:  python tools/mutate.py                         (all rulesets, all kinds; exit 1 on survivors)
      python tools/mutate.py --ruleset xinzhou --kind unit --jobs 2
      python tools/mutate.py --list                  (enumerate only)
      python tools/mutate.py --json results.json
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("numeric", "unit", "drop")
COPIED = ("src", "rulesets", "tests", "examples", "docs", "pyproject.toml")
DOCS_FRESHNESS = "tests/test_docs.py::test_generated_docs_are_fresh"
# behavioural test modules run for every mutant (those missing in a tree are skipped);
# test_<ruleset>.py comes first, and a national mutant runs every jurisdiction's module
COMMON_TESTS = (
    "tests/test_national.py",
    "tests/test_examples.py",
    "tests/test_layers.py",
    "tests/test_evaluate.py",
    "tests/test_properties.py",
)
# slow tests that pin no ruleset value: invariants over generated cases, and the CLI (which
# repeats tests/test_examples.py through a subprocess); --thorough runs them too
THOROUGH_TESTS = ("tests/test_cli.py",)
SLOW_TESTS = (
    "tests/test_evaluate.py::test_findings_do_not_depend_on_record_order",
    "tests/test_evaluate.py::test_adding_a_record_never_breaks_a_compliant_frequency",
    "tests/test_evaluate.py::test_evaluation_is_deterministic_and_thread_safe",
    "tests/test_properties.py::test_every_rule_of_every_jurisdiction_is_exercised",
    "tests/test_properties.py::test_shuffling_records_never_changes_the_report",
    "tests/test_properties.py::test_adding_records_never_breaks_a_compliant_frequency",
)
# subtrees never mutated: texts, citations, readings
SKIPPED_KEYS = frozenset(
    {"citation", "interpretive", "not_encoded", "limitations", "checklists", "note"}
)
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
UNIT_SWAP = {"workdays": "days", "days": "workdays"}


@dataclasses.dataclass(frozen=True)
class Mutant:
    """One change to one ruleset file, as text edits ``(start, end, replacement)``."""

    file: str  # file name, e.g. national.yaml
    kind: str  # numeric | unit | drop
    target: str  # rule id, window:<id>, or (layer)
    path: str  # parameter path inside the target, e.g. params.period.amount
    old: str
    new: str
    edits: tuple[tuple[int, int, str], ...]
    # edits of other files the change needs to load (checklist rows naming a dropped rule)
    other_edits: tuple[tuple[str, tuple[tuple[int, int, str], ...]], ...] = ()
    # why the mutant cannot change any result (not run, not a survivor), or None
    equivalent: str | None = None

    @property
    def id(self) -> str:
        return f"{self.file}:{self.target}:{self.path}:{self.old}->{self.new}"

    @property
    def ruleset(self) -> str:
        return Path(self.file).stem

    def apply(self, text: str, edits: Sequence[tuple[int, int, str]] | None = None) -> str:
        for start, end, repl in sorted(self.edits if edits is None else edits, reverse=True):
            text = text[:start] + repl + text[end:]
        return text

    def changed(self, rulesets: Path) -> dict[str, str]:
        """The new text of every file the mutant changes in the folder ``rulesets``."""
        out = {self.file: self.apply((rulesets / self.file).read_text("utf-8"))}
        for name, edits in self.other_edits:
            out[name] = self.apply((rulesets / name).read_text("utf-8"), edits)
        return out


# ------------------------------------------------------------------------------------------
# enumeration
def _get(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v
    return None


def _scalars(node: yaml.Node, path: str) -> Iterator[tuple[str, str, yaml.ScalarNode]]:
    """(path, key, node) of every scalar below ``node``, skipping texts and citations."""
    if isinstance(node, yaml.ScalarNode):
        yield path, path.rsplit(".", 1)[-1], node
    elif isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value not in SKIPPED_KEYS:
                yield from _scalars(v, f"{path}.{k.value}" if path else k.value)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            yield from _scalars(v, f"{path}[{i}]")


def _bumped(node: yaml.ScalarNode) -> list[str]:
    if node.tag == INT:
        n = int(node.value)
        return [str(n - 1), str(n + 1)]
    x = float(node.value)
    return [repr(round(x - 0.1, 6)), repr(round(x + 0.1, 6))]


ONE_UNIT_SWAP = (
    "1 working day after a day is the first working day strictly after it, and 1 day after it "
    "rolled past rest days (民法典 art. 203) is the same day: the two periods are one function"
)


def _value_mutants(file: str, target: str, root: yaml.Node, prefix: str) -> Iterator[Mutant]:
    scalars = list(_scalars(root, prefix))
    values = {path: node.value for path, _, node in scalars}
    for path, key, node in scalars:
        span = (node.start_mark.index, node.end_mark.index)
        if node.tag in (INT, FLOAT):
            for new in _bumped(node):
                yield Mutant(file, "numeric", target, path, node.value, new, ((*span, new),))
        elif key == "unit" and node.value in UNIT_SWAP:
            new = UNIT_SWAP[node.value]
            amount = values.get(path.removesuffix("unit") + "amount")
            same = ONE_UNIT_SWAP if amount == "1" else None
            yield Mutant(file, "unit", target, path, node.value, new, ((*span, new),), (), same)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts += [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    return starts


def _drop_edits(text: str, doc: yaml.Node, rules: yaml.SequenceNode, i: int) -> list:
    """Edits deleting rule ``i`` (its lines up to the next rule) and its checklist mentions."""
    lines = _line_starts(text)
    item = rules.value[i]
    start = lines[item.start_mark.line]
    if i + 1 < len(rules.value):
        end = lines[rules.value[i + 1].start_mark.line]
    else:  # the sequence ends at the next top-level key (column 0) or at the end of the file
        end = rules.end_mark.index if rules.end_mark.column == 0 else len(text)
    return [(start, end, ""), *_checklist_edits(doc, _get(item, "id").value)]


def _checklist_edits(doc: yaml.Node, rule_id: str) -> list[tuple[int, int, str]]:
    """Edits removing ``rule_id`` from the checklist rows of a file (so a drop still loads)."""
    edits = []
    for cl in getattr(_get(doc, "checklists"), "value", []):
        for row in getattr(_get(cl, "rows"), "value", []):
            refs = _get(row, "rules")
            if refs is None or rule_id not in [r.value for r in refs.value]:
                continue
            rest = [r.value for r in refs.value if r.value != rule_id]
            key = next(k for k, v in row.value if v is refs)
            span = (key.start_mark.index, refs.end_mark.index)
            if rest:
                edits.append((*span, "rules: [" + ", ".join(rest) + "]"))
            else:
                edits.append((*span, "not_answerable: mutant dropped the rule"))
    return edits


def enumerate_mutants(path: Path, kinds: Sequence[str] = KINDS) -> list[Mutant]:
    """The mutants of one ruleset file, in file order."""
    text = path.read_text(encoding="utf-8")
    doc = yaml.compose(text, Loader=yaml.SafeLoader)
    file, out = path.name, []
    siblings = {
        p.name: yaml.compose(p.read_text("utf-8"), Loader=yaml.SafeLoader)
        for p in sorted(path.parent.glob("*.yaml"))
        if p != path and "drop" in kinds
    }
    rules = _get(doc, "rules")
    for i, rule in enumerate(getattr(rules, "value", [])):
        rid = _get(rule, "id").value
        for key in ("applies_if", "params"):
            if (sub := _get(rule, key)) is not None:
                out += _value_mutants(file, rid, sub, key)
        if "drop" in kinds:
            edits = tuple(_drop_edits(text, doc, rules, i))
            others = tuple(
                (name, tuple(e))
                for name, other in siblings.items()
                if (e := _checklist_edits(other, rid))
            )
            out.append(Mutant(file, "drop", rid, "rule", "present", "dropped", edits, others))
    for op in getattr(_get(doc, "overrides"), "value", []):
        if (sub := _get(op, "params")) is not None:
            out += _value_mutants(file, _get(op, "rule").value, sub, "override.params")
    for w in getattr(_get(doc, "windows"), "value", []):
        out += _value_mutants(file, f"window.{_get(w, 'id').value}", w, "")
    for key in ("effective", "advisory_unless"):
        if (sub := _get(doc, key)) is not None:
            out += _value_mutants(file, "(layer)", sub, key)
    return [m for m in out if m.kind in kinds]


def rulesets_of(root: Path) -> list[str]:
    return sorted(p.stem for p in (root / "rulesets").glob("*.yaml"))


def mutants(root: Path, names: Sequence[str], kinds: Sequence[str]) -> list[Mutant]:
    out: list[Mutant] = []
    for name in names:
        out += enumerate_mutants(root / "rulesets" / f"{name}.yaml", kinds)
    return out


def tests_for(root: Path, ruleset: str, thorough: bool = False) -> list[str]:
    """The behavioural test modules for a mutant of ``ruleset``, its own module first."""
    own = [f"tests/test_{ruleset}.py"]
    if ruleset == "national":  # every jurisdiction extends it
        own += [f"tests/test_{j}.py" for j in rulesets_of(root)]
        own.append("tests/test_sixth_jurisdiction.py")
    picked = list(dict.fromkeys([*own, *COMMON_TESTS, *(THOROUGH_TESTS if thorough else ())]))
    return [t for t in picked if (root / t).is_file()]


# ------------------------------------------------------------------------------------------
# validity: the strict loader must accept every ruleset after the change
def invalid_reason(root: Path, m: Mutant) -> str | None:
    """Why the loader rejects the mutated tree, or None when it loads."""
    sys.path.insert(0, str(root / "src"))
    try:
        from ansafe_rules.rulesets import load_ruleset
    finally:
        sys.path.pop(0)
    with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
        d = Path(tmp)
        changed = m.changed(root / "rulesets")
        for p in (root / "rulesets").glob("*.yaml"):
            (d / p.name).write_text(changed.get(p.name) or p.read_text("utf-8"), "utf-8")
        try:
            for p in sorted(d.glob("*.yaml")):
                load_ruleset(p)
        except Exception as exc:  # any rejection makes the mutant invalid
            return " ".join(str(exc).split())[:300]
    return None


# ------------------------------------------------------------------------------------------
# running
@dataclasses.dataclass
class Result:
    mutant: Mutant
    status: str  # killed | survived | invalid | equivalent
    seconds: float
    detail: str = ""

    def as_json(self) -> dict:
        m = self.mutant
        return {
            "id": m.id,
            "ruleset": m.ruleset,
            "kind": m.kind,
            "target": m.target,
            "path": m.path,
            "old": m.old,
            "new": m.new,
            "status": self.status,
            "seconds": round(self.seconds, 2),
            "detail": self.detail,
        }


# A warm worker per slot: it imports pytest, hypothesis and the package once, then forks a
# child per mutant that runs pytest.main (the test modules, which load the rulesets, are imported
# afresh in each child; the package caches no ruleset).
_SERVER = r"""
import json, os, signal, sys, time
import hypothesis, pytest
import ansafe_rules, ansafe_rules.testing
ansafe_rules.default_calendar()
for line in sys.stdin:
    job = json.loads(line)
    pid = os.fork()
    if pid == 0:
        fd = os.open(job["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        sys.stdout = os.fdopen(1, "w", buffering=1)
        sys.stderr = sys.stdout
        try:
            rc = int(pytest.main(job["args"]))
        except BaseException:
            rc = 3
        sys.stdout.flush()
        os._exit(rc)
    deadline = time.monotonic() + job["timeout"]
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            rc = os.waitstatus_to_exitcode(status)
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            rc = 124
            break
        time.sleep(0.05)
    print(json.dumps({"rc": rc}), flush=True)
"""


class Worker:
    """A copy of the tree and its warm pytest server."""

    def __init__(self, tree: Path) -> None:
        self.tree = tree
        env = {**os.environ, "PYTHONPATH": str(tree / "src"), "PYTHONDONTWRITEBYTECODE": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-u", "-c", _SERVER],
            cwd=tree,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def pytest(self, tests: Sequence[str], thorough: bool, timeout: float) -> tuple[int, str]:
        args = ["-x", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "--deselect"]
        args += [DOCS_FRESHNESS, "--hypothesis-seed=0"]  # the same examples for every mutant
        if not thorough:
            for t in SLOW_TESTS:
                args += ["--deselect", t]
        out = self.tree.parent / "pytest.out"
        assert self.proc.stdin is not None and self.proc.stdout is not None
        job = {"args": [*args, *tests], "out": str(out), "timeout": timeout}
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        reply = self.proc.stdout.readline()
        if not reply:
            raise RuntimeError("the pytest worker died")
        rc = json.loads(reply)["rc"]
        if rc == 124:
            return rc, f"timeout after {timeout:.0f} s"
        text = out.read_text("utf-8", errors="replace").strip()
        lines = [ln for ln in text.splitlines() if ln.startswith(("FAILED", "ERROR"))]
        return rc, "; ".join(lines[:3] or text.splitlines()[-1:])

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


class Slots:
    """Isolated copies of the tree, one per job; a mutant borrows one and restores it."""

    def __init__(self, root: Path, n: int) -> None:
        self.root = root
        self.tmp = Path(tempfile.mkdtemp(prefix="ansafe-mutate-"))
        self.free: queue.Queue[Worker] = queue.Queue()
        self.workers: list[Worker] = []
        for i in range(n):
            slot = self.tmp / f"slot{i}"
            tree = slot / "tree"
            tree.mkdir(parents=True)
            for name in COPIED:
                src = root / name
                if src.is_dir():
                    shutil.copytree(src, tree / name, ignore=shutil.ignore_patterns("__pycache__"))
                elif src.is_file():
                    shutil.copy2(src, tree / name)
            shared = root.parent / "shared"  # the source texts tests/conftest.py reads
            if shared.is_dir():
                (slot / "shared").symlink_to(shared)
            worker = Worker(tree)
            self.workers.append(worker)
            self.free.put(worker)

    @contextlib.contextmanager
    def borrow(self) -> Iterator[Worker]:
        worker = self.free.get()
        try:
            yield worker
        finally:
            self.free.put(worker)

    def close(self) -> None:
        for w in self.workers:
            with contextlib.suppress(Exception):
                w.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def run_mutant(
    slots: Slots, m: Mutant, thorough: bool, timeout: float, lock: threading.Lock
) -> Result:
    t0 = time.monotonic()
    if m.equivalent is not None:
        return Result(m, "equivalent", 0.0, m.equivalent)
    with lock:  # the loader import is shared; validation is quick
        reason = invalid_reason(slots.root, m)
    if reason is not None:
        return Result(m, "invalid", time.monotonic() - t0, reason)
    with slots.borrow() as worker:
        folder = worker.tree / "rulesets"
        changed = m.changed(folder)
        originals = {name: (folder / name).read_text("utf-8") for name in changed}
        for name, text in changed.items():
            (folder / name).write_text(text, "utf-8")
        try:
            tests = tests_for(worker.tree, m.ruleset, thorough)
            own = [t for t in tests if t not in COMMON_TESTS and t not in THOROUGH_TESTS]
            # the ruleset's own modules first (quick to collect); the rest only if they pass
            for stage in (own, [t for t in tests if t not in own]):
                rc, detail = worker.pytest(stage, thorough, timeout) if stage else (0, "")
                if rc != 0:
                    break
        finally:
            for name, text in originals.items():
                (folder / name).write_text(text, "utf-8")
    status = "survived" if rc == 0 else "killed"
    return Result(m, status, time.monotonic() - t0, "" if rc == 0 else detail)


def summary(results: Sequence[Result]) -> list[str]:
    rows: dict[tuple[str, str], list[int]] = {}
    for r in results:
        c = rows.setdefault((r.mutant.ruleset, r.mutant.kind), [0, 0, 0])
        if r.status == "equivalent":
            continue  # counted apart, below
        c[{"killed": 0, "survived": 1, "invalid": 2}[r.status]] += 1
    out = [
        f"{'ruleset':<12} {'kind':<8} {'killed/valid':>12} {'%':>6} {'survived':>8} {'invalid':>7}"
    ]
    tot = [0, 0, 0]
    for (rs, kind), (k, s, inv) in sorted(rows.items()):
        tot = [tot[0] + k, tot[1] + s, tot[2] + inv]
        pct = f"{100 * k / (k + s):.0f}%" if k + s else "-"
        out.append(f"{rs:<12} {kind:<8} {f'{k}/{k + s}':>12} {pct:>6} {s:>8} {inv:>7}")
    k, s, inv = tot
    pct = f"{100 * k / (k + s):.0f}%" if k + s else "-"
    out.append(f"{'total':<12} {'':<8} {f'{k}/{k + s}':>12} {pct:>6} {s:>8} {inv:>7}")
    same = sum(r.status == "equivalent" for r in results)
    if same:
        out.append(f"{same} equivalent mutant(s) not run (they cannot change any result)")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--ruleset", action="append", help="ruleset name (repeatable; default all)")
    ap.add_argument("--kind", action="append", choices=KINDS, help="mutant kind (repeatable)")
    ap.add_argument(
        "--drop",
        choices=("all", "one-per-ruleset"),
        default="all",
        help="drop every rule, or only each ruleset's first",
    )
    ap.add_argument(
        "--match", action="append", help="only mutants whose id contains this text (repeatable)"
    )
    ap.add_argument("--limit", type=int, help="run at most N mutants")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel pytest runs")
    ap.add_argument("--list", action="store_true", help="enumerate the mutants and stop")
    ap.add_argument("--json", type=Path, help="write the results to this file")
    ap.add_argument(
        "--thorough", action="store_true", help="also run the slow invariants and the CLI tests"
    )
    ap.add_argument("--timeout", type=float, default=900, help="seconds per mutant (killed)")
    ap.add_argument("--no-baseline", action="store_true", help="skip the unmutated run")
    ap.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    root = args.root.resolve()

    names = args.ruleset or rulesets_of(root)
    unknown = set(names) - set(rulesets_of(root))
    if unknown:
        ap.error(f"unknown ruleset(s): {', '.join(sorted(unknown))}")
    todo = mutants(root, names, args.kind or KINDS)
    if args.drop == "one-per-ruleset":
        seen: set[str] = set()
        keep = []
        for m in todo:
            if m.kind != "drop" or m.file not in seen:
                keep.append(m)
                seen.update([m.file] if m.kind == "drop" else [])
        todo = keep
    if args.match:
        todo = [m for m in todo if any(s in m.id for s in args.match)]
    if args.limit is not None:
        todo = todo[: args.limit]
    if args.list:
        for m in todo:
            print(m.id)
        print(f"{len(todo)} mutants", file=sys.stderr)
        return 0

    t0 = time.monotonic()
    jobs = max(1, min(args.jobs, len(todo) or 1))
    slots = Slots(root, jobs)
    try:
        if not args.no_baseline:
            with slots.borrow() as w:  # the unmutated tree must pass every selected test
                tests = [t for m in todo for t in tests_for(w.tree, m.ruleset, args.thorough)]
                rc, detail = w.pytest(list(dict.fromkeys(tests)), args.thorough, args.timeout)
                if rc != 0:
                    print(f"the unmutated tree fails its tests (fix them first): {detail}")
                    return 2
        results: list[Result] = []
        lock = threading.Lock()
        with ThreadPoolExecutor(jobs) as pool:
            futs = [
                pool.submit(run_mutant, slots, m, args.thorough, args.timeout, lock) for m in todo
            ]
            for n, fut in enumerate(as_completed(futs), 1):
                r = fut.result()
                results.append(r)
                extra = f"  [{r.detail}]" if r.status != "killed" and r.detail else ""
                print(f"[{n}/{len(todo)}] {r.status:<8} {r.mutant.id} ({r.seconds:.1f} s){extra}")
                sys.stdout.flush()
    finally:
        slots.close()
    wall = time.monotonic() - t0

    order = {m.id: i for i, m in enumerate(todo)}
    results.sort(key=lambda r: order[r.mutant.id])
    print()
    print("\n".join(summary(results)))
    survivors = [r.mutant.id for r in results if r.status == "survived"]
    print(f"\n{len(survivors)} survivor(s){':' if survivors else ''}")
    for s in survivors:
        print(f"  {s}")
    print(f"wall time {wall:.0f} s, {jobs} job(s)")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "wall_seconds": round(wall, 1),
                    "jobs": jobs,
                    "summary": summary(results),
                    "survivors": survivors,
                    "results": [r.as_json() for r in results],
                },
                ensure_ascii=False,
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
