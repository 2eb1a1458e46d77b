"""report.html renders in headless Chromium without console errors, and shows the tables'
numbers. .ci/run installs Debian's chromium and sets NEWSETL_REQUIRE_CHROMIUM=1."""
import csv
import json
import os
import re
import shutil
import subprocess

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--enable-logging=stderr", "--v=0",
]


def chromium(tmp_path, *args):
    if not CHROMIUM:
        if os.environ.get("NEWSETL_REQUIRE_CHROMIUM"):
            pytest.fail("chromium is not installed")
        pytest.skip("chromium is not installed")
    profile = tmp_path / "profile"
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=120,
    )


def test_report_renders_without_console_errors_and_shows_the_tables(output, tmp_path):
    report = output / "report.html"
    assert report.is_file()
    html = report.read_text()
    assert "http://" not in html and "https://" not in html, "the report must not load anything"

    shot = tmp_path / "report.png"
    result = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1300,2400", report.as_uri())
    assert shot.is_file() and shot.stat().st_size > 10_000, result.stderr[-2000:]
    dom = chromium(tmp_path, "--dump-dom", report.as_uri())
    console = [l for l in dom.stderr.splitlines() if "CONSOLE" in l]
    assert not console, console
    page = dom.stdout

    manifest = json.loads((output / "manifest.json").read_text())
    for field in ["files", "records", "documents", "rejects"]:
        shown = re.search(rf'data-field="{field}">(\d+)<', page).group(1)
        assert int(shown) == manifest["input"][field], field
    for table in ["figures", "places", "terms"]:
        rows = [r for r in csv.DictReader(open(output / f"{table}.csv")) if r.get("policy", "true") == "true"][:15]
        shown = re.findall(rf'data-table="{table}" data-entity="([^"]*)" data-mentions="(\d+)"', page)
        assert shown == [(r["entity"], r["mentions"]) for r in rows], table
