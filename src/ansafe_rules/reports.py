"""The printable 检查报告: one report per project (policy), as HTML for A4, PDF and XLSX.

Why: a regulator, an insurer's risk team or the insured needs a document to read, file and
audit later, not a terminal table. A :class:`ProjectReport` holds what the document says —
the project, the rules applied and their versions, the breaches grouped by duty holder and
severity with each clause and its original text, the upcoming obligations, and the
provenance (engine version, ruleset digests, holiday data, input digest) — so the HTML, the
PDF and the workbook say the same thing and a test can check one against the other.

HTML is self-contained (inline CSS, no script, no network), every value escaped. The PDF is
that HTML printed by headless Chromium (:func:`print_pdf`); the workbook is written with the
spreadsheet writers of :mod:`ansafe_rules.spreadsheets`. Pure except for the files written:
the date is the caller's, never the wall clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import html
import io
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import holidays
from pydantic import BaseModel, ConfigDict, Field

from ._errors import AnsafeError, InputError, error_at
from ._version import __version__
from ._yaml import read_bytes
from .breaches import Breach, BreachCounts, BreachKind, breach_counts, breaches, summary_text
from .calendar import WorkCalendar, default_calendar
from .evaluate import evaluate_rows
from .i18n import MESSAGES, Lang, _render_subject, label, normalise_lang
from .i18n import text as _t
from .inputs import (
    DEFAULT_LIMITS,
    Limits,
    ParsedCase,
    load_case_bytes,
    load_case_file,
    loads_json,
    parse_case,
)
from .model import PolicyCase
from .outputs import RulesetStamp, Status
from .portfolio import RulesetCache, iter_lines, jurisdiction_error
from .results import Evaluation
from .rulesets import DutyHolder, ResolvedRuleset, Severity
from .spreadsheets import (
    FINDINGS_SHEET,
    TODO_SHEET,
    FindingSheetRow,
    as_text,
    finding_sheet_rows,
    write_xlsx,
)
from .todo import TODO_STATUS_LABELS, TodoItem, TodoStatus, todo

__all__ = [
    "BREACHES_SHEET",
    "BreachSheetRow",
    "ChromiumMissing",
    "ProjectReport",
    "Provenance",
    "Regime",
    "ReportFiles",
    "find_chromium",
    "load_case_bytes",
    "print_pdf",
    "project_report",
    "render_html",
    "write_project_reports",
    "write_report_xlsx",
]

BREACHES_SHEET = "违反义务"


class ChromiumMissing(AnsafeError):
    """No Chromium to print the PDF with."""


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Regime(_Out):
    """One layer of the rules applied: the document and its version."""

    layer: str = Field(description="层级 — ruleset layer id")
    title: str = Field(description="文件 — the document's title")
    title_en: str = Field(description="the document's English title")
    document_number: str | None = Field(default=None, description="文号 — document number")
    published: dt.date | None = Field(default=None, description="发布日期 — published")
    in_force: dt.date | None = Field(default=None, description="施行日期 — in force from")
    digest: str | None = Field(
        default=None,
        description="规则集摘要 — SHA-256 of the ruleset resolved up to this layer (national "
        "first), as ResolvedRuleset.digest",
    )


class Provenance(_Out):
    """What a report was produced from, so that it can be audited and reproduced."""

    engine_version: str = Field(description="引擎版本 — ansafe_rules version")
    ruleset_id: str = Field(description="the ruleset evaluated (top layer)")
    ruleset_digest: str = Field(description="SHA-256 of the resolved ruleset evaluated")
    holidays_version: str = Field(description="节假日数据 — version of the holidays package")
    official_years: tuple[int, int] = Field(
        description="first and last year whose official holiday schedule the calendar holds"
    )
    calendar_overrides: dict[int, str] = Field(
        default_factory=dict, description="years whose schedule a calendar override supplied"
    )
    input_name: str = Field(description="输入文件 — the input's file name")
    input_sha256: str = Field(description="输入摘要 — SHA-256 of the input's bytes")


class ProjectReport(_Out):
    """What the 检查报告 of one project says (:func:`render_html` prints it)."""

    policy_id: str = Field(description="保单号")
    project: str | None = Field(default=None, description="项目")
    insurer: str = Field(description="保险机构")
    insured: str = Field(description="投保单位")
    term_start: dt.date
    term_end: dt.date
    as_of: dt.date = Field(description="检查截至")
    lang: Lang = Field(description="language of the sentences")
    regimes: tuple[Regime, ...] = Field(description="the layers applied, national first")
    counts: BreachCounts
    finding_counts: dict[Status, int] = Field(description="findings by status (every row)")
    breaches: tuple[Breach, ...] = Field(description="breaches of a duty")
    not_breaches: tuple[Breach, ...] = Field(description="advisory and assessment violations")
    upcoming: tuple[TodoItem, ...] = Field(
        description="dated obligations due soon or later, by date; requirement in ``lang``"
    )
    provenance: Provenance


# -- building --------------------------------------------------------------------------------
def _input_bytes(path: Path, limits: Limits) -> bytes:
    """What the input digest is taken over: the file's bytes; for a folder of CSV files, each
    file's name and bytes in name order."""
    if not path.is_dir():
        return read_bytes(path, InputError, limits.max_file_bytes)
    parts = []
    for f in sorted(path.glob("*.csv")):
        parts += [f.name.encode("utf-8"), b"\0", read_bytes(f, InputError, limits.max_file_bytes)]
    return b"".join(parts)


def project_report(
    ev: Evaluation,
    ruleset: ResolvedRuleset,
    policy: PolicyCase,
    *,
    input_bytes: bytes,
    input_name: str,
    layer_digests: dict[str, str] | None = None,
    calendar: WorkCalendar | None = None,
    lang: Lang | str = "zh",
) -> ProjectReport:
    """The report of one evaluated policy. ``ev`` is :func:`ansafe_rules.evaluate_rows`'s
    result for ``policy`` with ``ruleset``; ``input_bytes`` the input as read (its SHA-256 is
    the input digest); ``layer_digests`` the digest of the ruleset resolved up to each layer
    (``RulesetCache.digest``), where known; ``calendar`` the one evaluated with."""
    lang = normalise_lang(lang)
    cal = calendar or default_calendar()
    digests = layer_digests or {}
    regimes = tuple(
        Regime(
            layer=li.id,
            title=li.title,
            title_en=li.title_en,
            document_number=li.document_number,
            published=li.effective.published,
            in_force=li.effective.in_force,
            digest=digests.get(li.id),
        )
        for li in ruleset.layers
        if li.id in ev.layers
    )
    every = breaches(ev, include=list(BreachKind))
    requirements = {(o.rule_id, o.subject): o.text(lang) for o in ev.obligations}
    upcoming = tuple(
        t.model_copy(
            update={"requirement": requirements.get((t.rule_id, t.subject), t.requirement)}
        )
        for t in todo(ev, calendar=cal)
        if t.status in (TodoStatus.due_soon, TodoStatus.upcoming)
    )
    official = sorted(cal.official_years)
    prefix = f"holidays {holidays.__version__}"
    return ProjectReport(
        policy_id=ev.policy_id,
        project=policy.project,
        insurer=policy.insurer,
        insured=policy.insured,
        term_start=policy.term_start,
        term_end=policy.term_end,
        as_of=ev.as_of,
        lang=lang,
        regimes=regimes,
        counts=breach_counts(ev),
        finding_counts=dict(ev.counts),
        breaches=tuple(b for b in every if b.kind is BreachKind.breach),
        not_breaches=tuple(b for b in every if b.kind is not BreachKind.breach),
        upcoming=upcoming,
        provenance=Provenance(
            engine_version=__version__,
            ruleset_id=ruleset.id,
            ruleset_digest=ruleset.digest,
            holidays_version=holidays.__version__,
            official_years=(official[0], official[-1]),
            calendar_overrides={y: s for y, s in cal.sources.items() if s != prefix},
            input_name=input_name,
            input_sha256=hashlib.sha256(input_bytes).hexdigest(),
        ),
    )


# -- HTML ------------------------------------------------------------------------------------
_CSS = """
@page { size: A4; margin: 14mm 13mm 16mm 13mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
  "Microsoft YaHei", "PingFang SC", sans-serif; font-size: 9.5pt; line-height: 1.45;
  color: #1a1a1a; }
@media screen { body { max-width: 210mm; margin: 0 auto; padding: 10mm 13mm; } }
h1 { font-size: 18pt; margin: 0 0 1mm; letter-spacing: 0.06em; }
h2 { font-size: 12pt; margin: 6mm 0 2mm; padding-bottom: 1mm; border-bottom: 1.5px solid #1f3f6e;
  color: #1f3f6e; break-after: avoid; }
h3 { font-size: 10pt; margin: 4mm 0 1.5mm; break-after: avoid; }
.subtitle { color: #555; margin: 0 0 4mm; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; margin: 0 0 2mm; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { border: 0.6pt solid #b8c2cc; padding: 1.2mm 1.6mm; vertical-align: top; text-align: left;
  overflow-wrap: break-word; word-break: normal; }
th { background: #e8eef5; font-weight: 600; }
table.facts th { width: 24%; }
.digest, .mono { font-family: "DejaVu Sans Mono", "Noto Sans Mono", monospace; font-size: 8pt;
  word-break: break-all; }
.quote { margin: 0.8mm 0 0; padding-left: 2mm; border-left: 2px solid #c9a227; color: #333;
  font-size: 8.5pt; }
.cite + .cite { margin-top: 1.6mm; padding-top: 1.6mm; border-top: 0.5pt dashed #c6ccd2; }
.clause { font-weight: 600; }
.rule { color: #666; font-size: 7.5pt; font-family: "DejaVu Sans Mono", monospace;
  word-break: break-all; }
.sev-critical { color: #a1001a; font-weight: 700; }
.sev-major { color: #b34700; font-weight: 600; }
.note { color: #555; font-size: 8.5pt; }
.summary { font-size: 10.5pt; font-weight: 600; margin: 1mm 0 2mm; }
.muted { color: #666; }
footer { margin-top: 6mm; color: #666; font-size: 8pt; border-top: 0.6pt solid #b8c2cc;
  padding-top: 1.5mm; }
"""

_SEVERITY_ORDER = {s: i for i, s in enumerate(Severity)}


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _layer_name(layer: str, lang: Lang) -> str:
    mid = f"report.layer.{layer}"
    try:
        return _t(mid, lang)
    except KeyError:
        return layer


def _holder_text(holder: DutyHolder | None, lang: Lang) -> str:
    if holder is None:
        return "-"
    mid = f"report.holder.{holder.value}"
    return _t(mid, lang) if mid in MESSAGES else label("DutyHolder", holder, lang)


def _when(due_date: dt.date | None, due_at: dt.datetime | None) -> str:
    if due_at is not None:
        return due_at.strftime("%Y-%m-%d %H:%M")
    return str(due_date) if due_date else ""


def _breach_rows(items: Sequence[Breach], lang: Lang) -> str:
    head = (
        f"<thead><tr><th style='width:17%'>{_e(_t('report.col.subject', lang))}</th>"
        f"<th style='width:31%'>{_e(_t('report.col.finding', lang))}</th>"
        f"<th style='width:40%'>{_e(_t('report.col.clause', lang))}</th>"
        f"<th style='width:12%'>{_e(_t('report.col.due', lang))}</th></tr></thead>"
    )
    rows = []
    for b in items:
        finding = _e(b.message(lang))
        if b.liable_party is not None:
            party = _holder_text(b.liable_party, lang)
            finding += (
                f"<div class='note'>{_e(_t('report.liable', lang).format(party=party))}</div>"
            )
        cites = []
        for c in b.citations:
            due = _when(c.due_date, c.due_at)
            extra = (
                f" · {_e(_t('report.col.due', lang))} {_e(due)}"
                if due and len(b.citations) > 1
                else ""
            )
            binding = (
                f" · {_e(_t('report.binding', lang))}"
                if len(b.citations) > 1 and c.rule_id == b.binding_rule_id
                else ""
            )
            cites.append(
                f"<div class='cite'><span class='clause'>{_e(_layer_name(c.layer, lang))} "
                f"{_e(c.clause)}</span>{binding}{extra}"
                f"<div class='quote'>{_e(c.quote)}</div>"
                f"<div class='rule'>{_e(c.rule_id)}</div></div>"
            )
        due = _when(b.due_date, b.due_at)
        if due and any(c.provisional for c in b.citations):
            due += f" ({_t('report.provisional', lang)})"
        rows.append(
            f"<tr><td>{_e(_render_subject(b.subject, lang))}</td><td>{finding}</td>"
            f"<td>{''.join(cites)}</td><td>{_e(due)}</td></tr>"
        )
    return f"<table class='breaches'>{head}<tbody>{''.join(rows)}</tbody></table>"


def _grouped(items: Sequence[Breach], lang: Lang) -> str:
    """Breaches by duty holder (in the order of the vocabulary), then severity (gravest
    first), each group a heading and a table."""
    out = []
    keys = sorted(
        {(b.duty_holder, b.severity) for b in items},
        key=lambda k: (list(DutyHolder).index(k[0]), _SEVERITY_ORDER[k[1]]),
    )
    for holder, severity in keys:
        group = [b for b in items if (b.duty_holder, b.severity) == (holder, severity)]
        title = _t("report.group", lang).format(
            holder=_holder_text(holder, lang),
            severity=label("Severity", severity, lang),
            n=len(group),
        )
        out.append(f"<h3 class='sev-{severity.value}'>{_e(title)}</h3>")
        out.append(_breach_rows(group, lang))
    return "".join(out)


def _upcoming(items: Sequence[TodoItem], lang: Lang) -> str:
    if not items:
        return f"<p>{_e(_t('report.none', lang))}</p>"
    zh_or_en = 0 if lang == "zh" else 1
    colon = "：" if lang == "zh" else ": "
    head = (
        f"<thead><tr><th style='width:15%'>{_e(_t('report.col.date', lang))}</th>"
        f"<th style='width:11%'>{_e(_t('report.col.status', lang))}</th>"
        f"<th style='width:44%'>{_e(_t('report.col.requirement', lang))}</th>"
        f"<th style='width:15%'>{_e(_t('report.col.clause_only', lang))}</th>"
        f"<th style='width:15%'>{_e(_t('report.col.holder', lang))}</th></tr></thead>"
    )
    rows = []
    for t in items:
        when = t.due_at.strftime("%Y-%m-%d %H:%M") if t.due_at else str(t.date)
        if t.provisional:
            when += f" ({_t('report.provisional', lang)})"
        rows.append(
            f"<tr><td>{_e(when)}</td><td>{_e(TODO_STATUS_LABELS[t.status][zh_or_en])}</td>"
            f"<td>{_e(_render_subject(t.subject, lang))}{colon}{_e(t.requirement)}</td>"
            f"<td>{_e(_layer_name(t.layer, lang))} {_e(t.clause)}</td>"
            f"<td>{_e(_holder_text(t.duty_holder, lang))}</td></tr>"
        )
    return f"<table class='upcoming'>{head}<tbody>{''.join(rows)}</tbody></table>"


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal, safe inside a ``<style>`` element (quotes, backslashes,
    line breaks and ``<`` escaped, so no input can end the string or the element)."""
    out = []
    for ch in text:
        if ch in '\\"<>' or ord(ch) < 32 or ord(ch) == 127:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _page_css(r: ProjectReport) -> str:
    """The printed pages' margins: the policy and as-of date at the bottom left, the page
    number of the total at the bottom right (CSS page-margin boxes, which Chromium prints)."""
    left = _css_string(_t("report.page", r.lang).format(policy_id=r.policy_id, as_of=r.as_of))
    parts = []  # 第 {page} 页，共 {pages} 页 -> "第 " counter(page) " 页，共 " counter(pages) " 页"
    for piece in re.split(r"(\{pages?\})", _t("report.page_number", r.lang)):
        if piece in ("{page}", "{pages}"):
            parts.append(f"counter({piece[1:-1]})")
        elif piece:
            parts.append(_css_string(piece))
    box = "font-size: 7.5pt; color: #666;"
    return (
        f"@page {{ @bottom-left {{ content: {left}; {box} }} "
        f"@bottom-right {{ content: {' '.join(parts)}; {box} }} }}"
    )


def render_html(r: ProjectReport) -> str:
    """The report as one self-contained HTML page (inline CSS, no script, no network) laid
    out for A4 paper: tables fit the page width, their headers repeat on every page."""
    lang = r.lang
    t = _t
    facts = [
        (t("report.policy", lang), r.policy_id),
        (t("report.project", lang), r.project or "-"),
        (t("report.insurer", lang), r.insurer),
        (t("report.insured", lang), r.insured),
        (t("report.term", lang), f"{r.term_start} – {r.term_end}"),
        (t("report.as_of", lang), str(r.as_of)),
    ]
    fact_rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in facts)
    regime_rows = "".join(
        f"<tr><td>{_e(_layer_name(g.layer, lang))}<div class='rule'>{_e(g.layer)}</div></td>"
        f"<td>{_e(g.title)}{'' if lang == 'zh' else f'<div class=note>{_e(g.title_en)}</div>'}"
        f"</td><td>{_e(g.document_number or '-')}</td><td>{_e(g.in_force or '-')}</td></tr>"
        for g in r.regimes
    )
    regimes = (
        f"<table class='regimes'><thead><tr><th style='width:18%'>{_e(t('report.col.layer', lang))}"
        f"</th><th style='width:52%'>{_e(t('report.col.document', lang))}</th>"
        f"<th style='width:15%'>{_e(t('report.col.number', lang))}</th>"
        f"<th style='width:15%'>{_e(t('report.col.in_force', lang))}</th></tr></thead>"
        f"<tbody>{regime_rows}</tbody></table>"
    )
    p = r.provenance
    overrides = "".join(f"; {y}: {s}" for y, s in p.calendar_overrides.items())
    calendar = t("report.prov.calendar", lang).format(
        version=p.holidays_version,
        first=p.official_years[0],
        last=p.official_years[1],
        overrides=overrides,
    )
    prov = [
        (t("report.prov.engine", lang), f"ansafe-rules {p.engine_version}", ""),
        (t("report.prov.ruleset", lang).format(id=p.ruleset_id), p.ruleset_digest, "digest"),
        *(
            (t("report.prov.ruleset", lang).format(id=g.layer), g.digest, "digest")
            for g in r.regimes
            if g.digest and g.layer != p.ruleset_id
        ),
        (t("report.prov.holidays", lang), calendar, ""),
        (t("report.prov.input", lang), p.input_name, "mono"),
        (t("report.prov.input_digest", lang), p.input_sha256, "digest"),
    ]
    prov_rows = "".join(
        f"<tr><th>{_e(k)}</th><td class='{c}'>{_e(v)}</td></tr>" for k, v, c in prov
    )
    summary = summary_text(r.counts, r.finding_counts, lang)
    breaches_html = (
        _grouped(r.breaches, lang) if r.breaches else f"<p>{_e(t('report.none', lang))}</p>"
    )
    apart = (
        f"<h2>{_e(t('report.advisory', lang))}</h2>{_breach_rows(r.not_breaches, lang)}"
        if r.not_breaches
        else ""
    )
    title = f"{t('report.title', lang)} — {r.policy_id}"
    return (
        "<!DOCTYPE html>\n"
        f"<html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head><meta charset='utf-8'>"
        f"<title>{_e(title)}</title><style>{_CSS}{_page_css(r)}</style></head><body>"
        f"<h1>{_e(t('report.title', lang))}</h1>"
        f"<p class='subtitle'>{_e(t('report.subtitle', lang))}</p>"
        f"<table class='facts'><tbody>{fact_rows}</tbody></table>"
        f"<h2>{_e(t('report.regimes', lang))}</h2>{regimes}"
        f"<h2>{_e(t('report.summary', lang))}</h2><p class='summary'>{_e(summary)}</p>"
        f"<h2>{_e(t('report.breaches', lang))}</h2>{breaches_html}"
        f"{apart}"
        f"<h2>{_e(t('report.upcoming', lang))}</h2>"
        f"<p class='note'>{_e(t('report.upcoming_note', lang).format(as_of=r.as_of))}</p>"
        f"{_upcoming(r.upcoming, lang)}"
        f"<h2>{_e(t('report.provenance', lang))}</h2>"
        f"<table class='facts'><tbody>{prov_rows}</tbody></table>"
        f"<footer>{_e(t('report.footer', lang).format(version=p.engine_version))}</footer>"
        "</body></html>\n"
    )


# -- PDF -------------------------------------------------------------------------------------
_CHROMIUMS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium(explicit: str | Path | None = None, path: str | None = None) -> str:
    """The Chromium to print with: ``explicit`` if given (it must exist), else the first of
    chromium, chromium-browser, google-chrome on ``path`` (default: the PATH environment
    variable). Raises :class:`ChromiumMissing`, in both languages, when there is none."""
    if explicit is not None:
        found = shutil.which(str(explicit))
        if found is None:
            raise ChromiumMissing(
                f"--chromium {explicit}: {_t('report.no_chromium', 'zh')} — "
                f"{_t('report.no_chromium', 'en')}"
            )
        return found
    for name in _CHROMIUMS:
        found = shutil.which(name, path=path)
        if found:
            return found
    raise ChromiumMissing(f"{_t('report.no_chromium', 'zh')} — {_t('report.no_chromium', 'en')}")


def chromium_command(chromium: str, profile: Path) -> list[str]:
    """Headless Chromium, isolated from any user profile, with no network of its own."""
    return [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        f"--user-data-dir={profile}",
    ]


def print_pdf(html_file: Path, pdf_file: Path, chromium: str, timeout: float = 180) -> None:
    """Print ``html_file`` to ``pdf_file`` (A4, the page's own margins, no header or footer
    added by the browser) with headless ``chromium``; errors name the file."""
    with tempfile.TemporaryDirectory(prefix="ansafe-chromium-") as profile:
        cmd = [
            *chromium_command(chromium, Path(profile)),
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf_file.resolve()}",
            html_file.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise AnsafeError(_chromium_failed(pdf_file, str(exc))) from None
    if done.returncode != 0 or not pdf_file.is_file() or pdf_file.stat().st_size == 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [
            f"exit code {done.returncode}"
        ]
        raise AnsafeError(_chromium_failed(pdf_file, tail[0]))


def _chromium_failed(target: Path, error: str) -> str:
    return (
        f"{_t('report.chromium_failed', 'zh').format(target=target, error=error)} — "
        f"{_t('report.chromium_failed', 'en').format(target=target, error=error)}"
    )


# -- XLSX ------------------------------------------------------------------------------------
class BreachSheetRow(BaseModel):
    """One breach (or advisory / assessment violation) as a spreadsheet row."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    policy_id: str = Field(description="保单号 — policy id")
    kind: BreachKind = Field(description="类别 — breach, advisory or assessment")
    severity: Severity = Field(description="严重程度 — severity")
    duty_holder: DutyHolder = Field(description="义务主体 — who owes it")
    liable_party: DutyHolder | None = Field(
        default=None, description="责任承担方 — who bears liability, where it differs"
    )
    subject: str = Field(description="对象 — what was judged")
    title: str = Field(description="事项 — what the rule is about")
    message: str = Field(description="说明 — the binding finding's judgement")
    due_date: dt.date | None = Field(default=None, description="截止日期 — the binding due date")
    rules: str = Field(description="规则 — the rules breached, national first")
    clauses: str = Field(description="条款 — layer and clause of each")
    quotes: str = Field(description="原文 — each clause's text, verbatim")


def breach_sheet_rows(r: ProjectReport) -> list[BreachSheetRow]:
    """The report's breaches, then its advisory and assessment violations, one row each."""
    return [
        BreachSheetRow(
            policy_id=r.policy_id,
            kind=b.kind,
            severity=b.severity,
            duty_holder=b.duty_holder,
            liable_party=b.liable_party,
            subject=b.subject,
            title=b.title,
            message=b.message(r.lang),
            due_date=b.due_date,
            rules="; ".join(b.rule_ids),
            clauses="; ".join(f"{c.layer} {c.clause}" for c in b.citations),
            quotes="\n".join(c.quote for c in b.citations),
        )
        for b in (*r.breaches, *r.not_breaches)
    ]


def write_report_xlsx(
    r: ProjectReport,
    ev: Evaluation,
    stamp: RulesetStamp,
    target: Path,
    calendar: WorkCalendar | None = None,
) -> None:
    """One workbook for the project: its breaches (违反义务), every finding (检查结果) and its
    to-do list (义务清单, on ``calendar``, as the HTML's), each sheet written by
    :func:`ansafe_rules.write_xlsx` (Chinese headers, frozen header row, filters) and gathered
    into one file. Sentences in the report's language."""
    summary = ev.summary(stamp, obligations=False, lang=r.lang)
    items = todo(ev, calendar=calendar, lang=r.lang)
    sheets: list[tuple[list[BaseModel], type[BaseModel], str]] = [
        (list(breach_sheet_rows(r)), BreachSheetRow, BREACHES_SHEET),
        (list(finding_sheet_rows(r.policy_id, summary.findings)), FindingSheetRow, FINDINGS_SHEET),
        (list(items), TodoItem, TODO_SHEET),
    ]
    parts = []
    for rows, model, name in sheets:
        buf = io.BytesIO()
        write_xlsx(rows, model, buf, sheet=name)  # XlsxUnavailable without openpyxl
        parts.append(buf.getvalue())
    _gather(parts, target)


def _gather(parts: Sequence[bytes], target: Path) -> None:
    """The first sheet of each workbook in ``parts``, copied into one workbook at ``target``
    (values, number formats, the bold header, frozen panes and filters)."""
    from openpyxl import Workbook, load_workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for data in parts:
        src = load_workbook(io.BytesIO(data)).worksheets[0]
        ws = book.create_sheet(src.title)
        for row in src.iter_rows():
            for c in row:
                new = as_text(ws.cell(row=c.row, column=c.column, value=c.value))
                new.number_format = c.number_format
                if c.row == 1:
                    new.font = bold
        ws.freeze_panes = src.freeze_panes
        ws.auto_filter.ref = src.auto_filter.ref
    book.save(target)


# -- one command: every input's report files -----------------------------------------------------
FORMATS = ("html", "pdf", "xlsx")


class ReportFiles(_Out):
    """What :func:`write_project_reports` did with one input: the files written, or why none."""

    source: str = Field(description="the input file")
    line: int | None = Field(default=None, description="the line, for a .jsonl portfolio")
    policy_id: str | None = None
    files: tuple[str, ...] = Field(default=(), description="the files written")
    error: str | None = Field(default=None, description="why the input has no report")
    error_zh: str | None = Field(
        default=None, description="中文 — why the input has no report, in Chinese (when said)"
    )

    def error_in(self, lang: str) -> str | None:
        """:attr:`error` in ``lang`` (``"zh"``: the Chinese when it was said in both)."""
        return self.error_zh if lang == "zh" and self.error_zh is not None else self.error


def write_project_reports(
    paths: Iterable[Path],
    *,
    as_of: dt.date,
    output_dir: Path,
    formats: Sequence[str] = FORMATS,
    lang: Lang | str = "zh",
    chromium: str | None = None,
    rulesets: RulesetCache | None = None,
    calendar: WorkCalendar | None = None,
    jurisdiction: str | None = None,
    layer: str | None = None,
    duty_holder: DutyHolder | str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[ReportFiles]:
    """For each case file (``.yaml``, ``.json``) in ``paths``: its report as
    ``<output_dir>/<file stem>.html``, ``.pdf`` (printed by ``chromium``, see
    :func:`find_chromium`) and ``.xlsx`` — those of ``formats``. One result per input, in
    order; an input that cannot be read or evaluated gives a result with its ``error`` and the
    others are still written."""
    lang = normalise_lang(lang)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(
            f"{_t('report.unknown_format', 'zh').format(name=unknown[0])} — "
            f"{_t('report.unknown_format', 'en').format(name=unknown[0])}"
        )
    if "pdf" in formats and chromium is None:
        chromium = find_chromium()
    cache = rulesets or RulesetCache()
    output_dir.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()  # lower case: file systems that ignore case would merge names

    def base_for(name: str) -> Path:
        stem, n = name, 1
        while stem.lower() in taken:
            n += 1
            stem = f"{name}-{n}"
        taken.add(stem.lower())
        return output_dir / stem

    settings = _Settings(
        formats, lang, chromium, cache, calendar, jurisdiction, layer, duty_holder, as_of, limits
    )
    for path in paths:
        if path.suffix == ".jsonl":  # a portfolio: one report per line, named after it
            for n, item in iter_lines(path, limits):
                job = functools.partial(_one_line, path, n, item, base_for, settings)
                yield _guarded(job, str(path), n)
            continue
        base = base_for(path.stem if path.is_file() else path.name)
        yield _guarded(functools.partial(_one, path, base, settings), str(path), None)


@dataclasses.dataclass(frozen=True)
class _Settings:
    """What every report of one run shares."""

    formats: Sequence[str]
    lang: Lang
    chromium: str | None
    cache: RulesetCache
    calendar: WorkCalendar | None
    jurisdiction: str | None
    layer: str | None
    duty_holder: DutyHolder | str | None
    as_of: dt.date
    limits: Limits


def _guarded(make: Callable[[], ReportFiles], source: str, line: int | None) -> ReportFiles:
    """One input's report, or the error that prevented it: never the end of the run."""
    where = f"{source}: line {line}" if line else source
    try:
        return make()
    except (AnsafeError, ValueError, OSError) as exc:
        zh = exc.zh if isinstance(exc, AnsafeError) else None
        return ReportFiles(source=source, line=line, error=str(exc), error_zh=zh)
    except Exception as exc:  # the other reports are still written
        error = f"{type(exc).__name__}: {exc}"
        said = error_at(InputError, where, "report.unexpected", error=error)
        return ReportFiles(source=source, line=line, error=str(said), error_zh=said.zh)


def _one_line(
    path: Path,
    n: int,
    item: str | InputError,
    base_for: Callable[[str], Path],
    settings: _Settings,
) -> ReportFiles:
    """The report of line ``n`` of a portfolio (``<stem>-line<n>``; the input digest is the
    line's, without its line break)."""
    if isinstance(item, InputError):
        raise item
    label = f"{path}: line {n}"
    doc = loads_json(item, str(path), limits=settings.limits, line=n)
    parsed = parse_case(doc, label, limits=settings.limits)
    base = base_for(f"{path.stem}-line{n}")
    data = item.rstrip("\r\n").encode("utf-8")  # the line's bytes, without its line break
    files = _write(parsed, data, f"{path.name}:{n}", label, base, settings)
    return files.model_copy(update={"source": str(path), "line": n})


def _one(path: Path, base: Path, settings: _Settings) -> ReportFiles:
    """The report of one case file (YAML, JSON, a workbook or a CSV folder)."""
    limits = settings.limits
    data = _input_bytes(path, limits)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):  # the bytes already read, not the file again
        from .workbooks import read_workbook

        parsed = read_workbook(io.BytesIO(data), limits=limits, source=str(path))
    elif path.is_dir() or suffix == ".csv":  # a CSV folder, read as check reads it
        parsed = load_case_file(path, limits=limits)
    else:
        parsed = load_case_bytes(data, str(path), limits)
    return _write(parsed, data, path.name, str(path), base, settings)


def _write(
    parsed: ParsedCase,
    data: bytes,
    input_name: str,
    source: str,
    base: Path,
    settings: _Settings,
) -> ReportFiles:
    """Evaluate ``parsed`` and write its report files (``base`` + ``.html``/``.pdf``/``.xlsx``)."""
    formats, lang, chromium, cache = (
        settings.formats,
        settings.lang,
        settings.chromium,
        settings.cache,
    )
    calendar, jurisdiction = settings.calendar, settings.jurisdiction
    name = jurisdiction or parsed.case.policy.jurisdiction
    if jurisdiction is not None:
        rs = cache.get(jurisdiction)
    else:
        try:
            rs = cache.get_registered(name)
        except AnsafeError as exc:
            raise jurisdiction_error(source, exc) from None
    ev = evaluate_rows(
        rs,
        parsed,
        as_of=settings.as_of,
        calendar=calendar,
        layer=settings.layer,
        source=source,
        lang=lang,
    )
    if settings.duty_holder is not None:
        ev = ev.for_party(settings.duty_holder)
    digests = {}
    for li in rs.layers:
        try:
            digests[li.id] = rs.digest if li.id == rs.id else cache.digest(li.id)
        except AnsafeError:
            continue  # a layer that is not a registered ruleset of its own
    report = project_report(
        ev,
        rs,
        parsed.case.policy,
        input_bytes=data,
        input_name=input_name,
        layer_digests=digests,
        calendar=calendar,
        lang=lang,
    )
    written = []
    html_file = base.parent / f"{base.name}.html"
    if "html" in formats or "pdf" in formats:
        html_file.write_text(render_html(report), encoding="utf-8")
        if "html" in formats:
            written.append(html_file)
    try:
        if "pdf" in formats:
            assert chromium is not None
            pdf = base.parent / f"{base.name}.pdf"
            print_pdf(html_file, pdf, chromium)
            written.append(pdf)
    finally:
        if "html" not in formats:
            html_file.unlink(missing_ok=True)
    if "xlsx" in formats:
        xlsx = base.parent / f"{base.name}.xlsx"
        write_report_xlsx(report, ev, cache.stamp(name, ev.layers), xlsx, calendar)
        written.append(xlsx)
    return ReportFiles(source=source, policy_id=ev.policy_id, files=tuple(map(str, written)))
