"""docs/matrix.html renders in a real headless browser (Chromium from Debian's packages, which
.ci/run installs), with every obligation row and CJK text laid out."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

import ansafe_rules as ar

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


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    assert CHROMIUM
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args, PAGE],
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


def test_screenshot_is_laid_out(tmp_path: Path) -> None:
    shot = tmp_path / "matrix.png"
    _chromium(tmp_path, "--window-size=1400,900", f"--screenshot={shot}")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1400, 900)
    assert len(data) > 50_000  # a page of text and coloured cells, not a blank image


@pytest.mark.skipif(shutil.which("fc-list") is None, reason="fontconfig not installed")
def test_a_cjk_font_is_available() -> None:
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    assert fonts.strip(), "no CJK font: Chinese would render as boxes (install fonts-wqy-microhei)"
