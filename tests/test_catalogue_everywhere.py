"""One place for every human-readable string: Chinese text in the package lives in the message
catalogue (``i18n.py`` + ``locale/``), not in label tables scattered over the modules.

The check reads every module's syntax tree and lists the string literals holding Chinese that
are neither docstrings nor a model's field descriptions (those are the model's Chinese labels,
which ``i18n.field_label`` reads: the model is where a field's label belongs). What must stay
elsewhere is allow-listed below, each with its reason."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from ansafe_rules import i18n
from ansafe_rules.monitor.alerts import KIND_LABELS, AlertKind
from ansafe_rules.server.messages import PROBLEMS, text, title
from ansafe_rules.todo import TODO_STATUS_LABELS, TodoStatus

PKG = Path(i18n.__file__).resolve().parent
CJK = re.compile(r"[\u4e00-\u9fff]")
#: keyword arguments whose Chinese is documentation or a model label, not a message
LABEL_KEYWORDS = {"description", "summary", "title"}

#: (module, a piece of the literal) -> why it stays where it is
ALLOWED: dict[tuple[str, str], str] = {
    ("periods.py", "当天"): "Period.label() and its unit table: the rule syntax's period words, "
    "part of the frozen English sentences ('5个工作日 (5 workdays)')",
    ("periods.py", "工作日"): "the unit table of Period.label() (as above)",
    ("periods.py", "小时"): "the unit table of Period.label() (as above)",
    ("periods.py", "个月"): "the unit table of Period.label() (as above)",
    ("periods.py", "年"): "the unit table of Period.label() (as above)",
    ("periods.py", "日"): "the unit table of Period.label() (as above)",
    ("periods.py", "民法典"): "DueDate.explanation cites the Civil Code by its name (traces, "
    "frozen in the engine's results)",
    ("rulesets.py", ""): "DUTY_HOLDER_ZH and the kinds' vocabulary: part of the ruleset format",
    ("spark.py", ""): "Spark row columns' descriptions: the rows' labels, as a model's are",
    ("testing.py", ""): "sample data of the test helpers (Chinese names of parties)",
    ("spreadsheets.py", "义务清单"): "sheet names are data: workbooks are read back by them",
    ("spreadsheets.py", "检查结果"): "sheet names are data: workbooks are read back by them",
    ("ical.py", "提醒时间格式错误"): "parse_reminders' ValueError, both languages in one "
    "message (argparse prints it as is)",
    ("ical.py", "应为数字加单位"): "the same ValueError (its f-string's second piece)",
    ("cli.py", "应为非负整数"): "argparse type error, both languages in one message",
    (
        "checklists.py",
        "",
    ): "the 绍兴 检查表's 检查内容 and section names: law text, checked word for "
    "word against the source (tests/test_checklist_xlsx.py); they belong with the checklist in "
    "rulesets/shaoxing.yaml, whose checklist format holds only 序号 and 检查要点 so far",
    ("cli.py", "检查报告 per project"): "English --help naming the Chinese document it writes",
    ("cli.py", "保单.csv"): "English --help naming the Chinese file names the reader expects",
    ("cli.py", "适用地区"): "English --help naming the template's Chinese field",
    ("cli.py", "绍兴 检查表"): "English --help naming the Chinese form",
    ("cli.py", "序号 | 检查内容"): "English --help naming the Chinese form's columns",
    ("reports.py", "违反义务"): "a sheet name: data, read back by it (as spreadsheets.py's)",
    ("workbooks.py", "字段 | 值 | 说明"): "docs/spreadsheets.md's generated column reference "
    "(bilingual documentation, like the model's descriptions)",
    ("workbooks.py", "列 column"): "the generated column reference (as above)",
    ("workbooks.py", "必填 required"): "the generated column reference (as above)",
    (
        "workbooks.py",
        "的",
    ): "a column's note made of the model's labels (服务记录的编号)",
    ("workbooks.py", "年"): "the date pattern cells are parsed with (2025年7月1日), not a message",
    ("workbooks.py", "是"): "the boolean vocabulary of cells (是/否), read and written as data",
    ("workbooks.py", "否"): "the boolean vocabulary of cells (是/否), read and written as data",
    ("monitor/core.py", ""): "alerts' message_zh sentences: the monitor's record format, not a "
    "label table (its events are frozen in tests/test_monitor*.py)",
}


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            out.add(id(node.value))  # attribute docstrings
    return out


def _labels(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in LABEL_KEYWORDS:
            out |= {id(n) for n in ast.walk(node.value) if isinstance(n, ast.Constant)}
    return out


def chinese_literals() -> list[tuple[str, int, str]]:
    """(module path, line, literal) of each Chinese string literal that is a message."""
    found = []
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG).as_posix()
        if rel == "i18n.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _docstrings(tree) | _labels(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in skip
                and CJK.search(node.value)
            ):
                found.append((rel, node.lineno, node.value))
    return found


def _allowed_by(key: tuple[str, str], rel: str, literal: str) -> bool:
    mod, piece = key
    return rel == mod and piece in literal


def _allowed(rel: str, literal: str) -> bool:
    return any(_allowed_by(k, rel, literal) for k in ALLOWED)


def test_no_chinese_message_outside_the_catalogue() -> None:
    stray = [
        f"{rel}:{line}: {lit!r}" for rel, line, lit in chinese_literals() if not _allowed(rel, lit)
    ]
    assert not stray, "Chinese outside the catalogue (move to i18n.py + .po):\n" + "\n".join(stray)


def test_every_allowance_is_used() -> None:
    """An allowance that matches nothing is stale: remove it."""
    found = chinese_literals()
    unused = [k for k in ALLOWED if not any(_allowed_by(k, rel, lit) for rel, _, lit in found)]
    assert not unused


def test_the_check_finds_a_label_table() -> None:
    """The check is not vacuous: a module with a label dictionary is reported."""
    tree = ast.parse('LABELS = {"done": ("已完成", "done")}\n"""文档"""\n')
    skip = _docstrings(tree)
    hits = [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant)
        and id(n) not in skip
        and isinstance(n.value, str)
        and CJK.search(n.value)
    ]
    assert hits == ["已完成"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_moved_tables_read_from_the_catalogue(lang: str) -> None:
    """The label tables are the catalogue's messages, both languages, unchanged."""
    assert TODO_STATUS_LABELS[TodoStatus.due_soon] == ("即将到期", "due soon")
    assert KIND_LABELS[AlertKind.fulfilled_late] == ("逾期履行", "fulfilled late")
    assert set(TODO_STATUS_LABELS) == set(TodoStatus) and set(KIND_LABELS) == set(AlertKind)
    assert PROBLEMS["timeout"] == ("评估超时", "Evaluation timed out")
    want = {
        "zh": "批量有 1,200 行，超过 1,000 行的上限（max_batch_lines）",
        "en": "the batch has 1,200 lines, more than the limit of 1,000 (max_batch_lines)",
    }
    assert text("batch_limit", lang, n=1200, limit=1000) == want[lang]
    assert title("not-found", lang) == {"zh": "未找到该路径", "en": "No such path"}[lang]
