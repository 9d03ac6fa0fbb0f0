"""docs/matrix.html renders in a real headless browser (Chromium from Debian's packages, which
.ci/run installs), with every obligation row and CJK text laid out; printed on A4 (landscape,
the page's print CSS) every jurisdiction's column is in the PDF, headers and cells."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

import ansafe_rules as ar
from ansafe_rules.diff import describe_rule

from .conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium not installed (apt-get install chromium fonts-wqy-microhei; .ci/run does)",
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGE = (ROOT / "docs" / "matrix.html").as_uri()


def _chromium(tmp_path: Path, *args: str, page: str = PAGE) -> subprocess.CompletedProcess[bytes]:
    assert CHROMIUM
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args, page],
        capture_output=True,
        timeout=120,
        check=True,
    )


def test_dom_has_every_obligation_row(tmp_path: Path) -> None:
    dom = _chromium(tmp_path, "--dump-dom").stdout.decode("utf-8")
    keys = {
        rr.rule.obligation
        for j in ar.jurisdictions()
        for rr in ar.load_ruleset(j).rules
        if rr.layer == j
    }
    rows = re.findall(r'<tr><th scope="row"><code>([a-z0-9_.]+)</code>', dom)
    assert sorted(rows) == sorted(keys)
    assert "安责险事故预防技术服务规则对照" in dom
    assert dom.count('class="differs"') >= 5
    headers = re.findall(r'<th class="j">([^<]+)<br>', dom)
    assert headers == ["国家", "广东", "绍兴", "忻州", "宣城"]


def _flat(text: str) -> str:
    """PDF text without the line breaks and spaces the layout put in."""
    return re.sub(r"\s+", "", text)


def _own_rules() -> dict[str, list[ar.ResolvedRule]]:
    return {j: [rr for rr in ar.load_ruleset(j).rules if rr.layer == j] for j in ar.jurisdictions()}


@pytest.mark.parametrize(("page", "lang"), [("matrix.html", "zh"), ("matrix.en.html", "en")])
def test_printed_on_a4_every_column_is_in_the_pdf(tmp_path: Path, page: str, lang: str) -> None:
    pypdf = pytest.importorskip("pypdf")
    pdf = tmp_path / "matrix.pdf"
    uri = (ROOT / "docs" / page).as_uri()
    _chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page=uri)
    reader = pypdf.PdfReader(pdf)
    width, height = (float(x) for x in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    first = _flat(reader.pages[0].extract_text())
    text = _flat("".join(p.extract_text() for p in reader.pages))
    for j, own in _own_rules().items():
        top = ar.load_ruleset(j).layers[-1]
        assert _flat(top.display_name(lang)) in first, f"no {j} column header on page 1"
        # the first and the last cell of the column: the whole column was printed
        for rr in (own[0], own[-1]):
            sentence = _flat(describe_rule(rr, lang))[:24]
            assert sentence in text, f"{j}: {rr.rule.id} ({sentence}) is not in the PDF"


@pytest.mark.parametrize("size", [(1400, 900), (1123, 794)])  # 1400 px; A4 landscape at 96 dpi
def test_screenshot_is_laid_out(tmp_path: Path, size: tuple[int, int]) -> None:
    shot = tmp_path / "matrix.png"
    _chromium(tmp_path, f"--window-size={size[0]},{size[1]}", f"--screenshot={shot}")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == size
    assert len(data) > 50_000  # a page of text and coloured cells, not a blank image


def test_the_table_fits_1400_px(tmp_path: Path) -> None:
    """Every column fits the width: the table (fixed layout, 100% wide) is no wider than the
    window, so xinzhou and xuancheng are not off-screen."""
    probe = tmp_path / "probe.html"
    page = (ROOT / "docs" / "matrix.html").read_text(encoding="utf-8")
    script = (
        "<script>document.addEventListener('DOMContentLoaded',()=>{"
        "const t=document.getElementById('matrix');"
        "document.title='W'+Math.ceil(t.getBoundingClientRect().right)"
        "+'/'+document.documentElement.clientWidth;});</script>"
    )
    probe.write_text(page.replace("</body>", script + "</body>"), encoding="utf-8")
    dom = _chromium(
        tmp_path, "--window-size=1400,900", "--dump-dom", page=probe.as_uri()
    ).stdout.decode("utf-8")
    right, client = map(int, re.search(r"<title>W(\d+)/(\d+)</title>", dom).groups())
    assert right <= client <= 1400


@pytest.mark.skipif(shutil.which("fc-list") is None, reason="fontconfig not installed")
def test_a_cjk_font_is_available() -> None:
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    assert fonts.strip(), "no CJK font: Chinese would render as boxes (install fonts-wqy-microhei)"
