"""Render the report in headless Chromium and check the rendered page.

Needs Debian's ``chromium`` package. Skipped, with the reason, when it is not
installed, except under CI (``CI=true``), where a missing browser fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from hubspoke.report.build import build_report
from report_sample import sample_report_data

pytestmark = pytest.mark.browser

SECTIONS = ("overview", "outcomes", "indicators", "trends", "data-quality", "provenance")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def _chromium() -> str:
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but chromium is not installed (apt-get install chromium)")
        pytest.skip("headless Chromium not installed: apt-get install chromium to run this test")
    return found


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=180, check=False)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_report(sample_report_data(), tmp_path_factory.mktemp("browser"))


def test_rendered_dom_has_every_section_and_chart(
    report: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    browser = _chromium()
    profile = tmp_path_factory.mktemp("profile")
    done = _run(
        [browser, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", report.resolve().as_uri()]
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    for section in SECTIONS:
        assert f'id="{section}"' in dom
    assert dom.count("<svg") >= 8
    assert 'role="img"' in dom
    assert "[c]" in dom
    assert "Northern Lights Alliance" in dom
    assert "<script" not in dom.lower()


def test_screenshot_is_drawn(report: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    browser = _chromium()
    profile = tmp_path_factory.mktemp("profile-shot")
    shot = tmp_path_factory.mktemp("shot") / "report.png"
    done = _run(
        [
            browser,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={shot}",
            "--window-size=1280,4000",
            report.resolve().as_uri(),
        ]
    )
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 50_000  # a blank page compresses to a few kilobytes
