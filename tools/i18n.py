"""The message catalogue: template, Chinese catalogue, compiled ``.mo`` (with Babel).

    python tools/i18n.py            # write the .pot, merge it into the .po, compile the .mo
    python tools/i18n.py --check    # fail when any of them is stale or a message is untranslated

The source strings are the ``_M(id, English)`` calls of ``src/ansafe_rules/i18n.py`` (Babel
extracts them with the keyword spec ``_M:1c,2``: context = message id, msgid = the English
text), plus the enum values it registers in a loop. The Chinese is written by hand in
``locale/zh_CN/LC_MESSAGES/ansafe_rules.po``; new messages are merged in untranslated (and
``--check`` fails until someone translates them). The ``.mo`` the package reads at run time is
compiled from the ``.po``; ``--check`` compiles it again and compares the bytes.

Babel is a development dependency only (``pip install -e '.[i18n]'``): at run time the library
reads the ``.mo`` with the standard library's :mod:`gettext`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ansafe_rules import i18n  # noqa: E402

SOURCE = ROOT / "src" / "ansafe_rules" / "i18n.py"
LOCALE = ROOT / "src" / "ansafe_rules" / "locale"  # this checkout's, even if another is installed
POT = LOCALE / f"{i18n.DOMAIN}.pot"
PO = LOCALE / "zh_CN" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
MO = PO.with_suffix(".mo")
FIXED_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
HEADER = "Messages of ansafe_rules: findings, obligations, notes, the check table."


def extracted() -> dict[str, str]:
    """Message id -> English text, as Babel extracts the literal ``_M`` calls."""
    found = {}
    for _line, msg, _comments, context in extract_from_file(
        "python", str(SOURCE), keywords={"_M": ((1, "c"), 2)}
    ):
        if context is not None:
            found[context] = msg
    return found


def template() -> Catalog:
    """The template: every registered message, its extras noted for translators."""
    literal = extracted()
    for mid, en in literal.items():
        spec = i18n.MESSAGES.get(mid)
        if spec is None or spec.en != en:
            raise SystemExit(f"{SOURCE}: message {mid!r} extracted by Babel is not registered")
    cat = Catalog(
        project="ansafe_rules",
        domain=i18n.DOMAIN,
        header_comment=f"# {HEADER}",
        fuzzy=False,
        creation_date=FIXED_DATE,  # fixed: the compiled catalogue must be reproducible
        revision_date=FIXED_DATE,
    )
    for mid, spec in i18n.MESSAGES.items():
        notes = []
        if spec.extras:
            notes.append("also available: " + ", ".join("{" + x + "}" for x in sorted(spec.extras)))
        if spec.omit:
            notes.append("may be left out: " + ", ".join("{" + x + "}" for x in sorted(spec.omit)))
        notes.append("every finding's message may also name {subject}")
        cat.add(spec.en, context=mid, auto_comments=notes)
    return cat


def _po_bytes(cat: Catalog) -> bytes:
    buf = io.BytesIO()
    write_po(buf, cat, width=100, omit_header=False, sort_output=False)
    return buf.getvalue()


def _mo_bytes(cat: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, cat, use_fuzzy=False)
    return buf.getvalue()


def _stable(data: bytes) -> bytes:
    """A .po/.pot without its dates (they change on every write)."""
    return b"\n".join(
        line
        for line in data.splitlines()
        if not line.startswith((b'"POT-Creation-Date', b'"PO-Revision-Date'))
    )


def read_catalogue() -> Catalog:
    with PO.open("rb") as fh:
        return read_po(fh, locale="zh_CN", domain=i18n.DOMAIN)


def problems(cat: Catalog) -> list[str]:
    """Messages missing, untranslated, fuzzy or with placeholders that differ, in the .po."""
    out = []
    for mid, spec in i18n.MESSAGES.items():
        m = cat.get(spec.en, context=mid)
        if m is None:
            out.append(f"{mid}: not in {PO.name}")
            continue
        if not m.string or m.fuzzy:
            out.append(f"{mid}: untranslated" + (" (fuzzy)" if m.fuzzy else ""))
            continue
        want, got = i18n.placeholders(spec.en), i18n.placeholders(m.string)
        extra = got - want - spec.extras - {"subject"}
        dropped = want - got - spec.omit
        if extra or dropped:
            out.append(
                f"{mid}: placeholders differ from the msgid's: "
                f"unknown {sorted(extra)}, left out {sorted(dropped)}"
            )
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if anything is stale")
    args = ap.parse_args()
    pot = template()
    po = (
        read_catalogue()
        if PO.exists()
        else Catalog(
            locale="zh_CN",
            domain=i18n.DOMAIN,
            project="ansafe_rules",
            header_comment=f"# {HEADER}",
            copyright_holder="ansafe_rules developers",
            revision_date=FIXED_DATE,
        )
    )
    stale = []
    pot_bytes = _po_bytes(pot)
    if not POT.exists() or _stable(POT.read_bytes()) != _stable(pot_bytes):
        stale.append(str(POT.relative_to(ROOT)))
    merged = po
    merged.update(pot, no_fuzzy_matching=True)
    merged.revision_date = FIXED_DATE
    merged.obsolete.clear()
    po_bytes = _po_bytes(merged)
    if not PO.exists() or _stable(PO.read_bytes()) != _stable(po_bytes):
        stale.append(str(PO.relative_to(ROOT)))
    mo_bytes = _mo_bytes(merged)
    if not MO.exists() or MO.read_bytes() != mo_bytes:
        stale.append(str(MO.relative_to(ROOT)))
    issues = problems(merged)
    if args.check:
        for s in stale:
            print(f"stale: {s} (run python tools/i18n.py)")
        for p in issues:
            print(f"{PO.relative_to(ROOT)}: {p}")
        return 1 if stale or issues else 0
    PO.parent.mkdir(parents=True, exist_ok=True)
    POT.write_bytes(pot_bytes)
    PO.write_bytes(po_bytes)
    MO.write_bytes(mo_bytes)
    print(f"wrote {POT.name}, {PO.name}, {MO.name}: {len(i18n.MESSAGES)} messages")
    for p in issues:
        print(f"{PO.relative_to(ROOT)}: {p}")
    return 1 if issues else 0


if __name__ == "__main__":
    sys.exit(main())
