"""The static dashboard (`credwatch report`), tested in Debian's headless chromium.

The fixture database (tests/analyst_fixture.py) is published with the real
publish step; the dashboard is built from it and loaded from the file in a
real browser driven over the DevTools protocol (websockets, no driver
package): no console errors or exceptions, every chart rendered with data
marks (counted in the rendered SVG DOM), and a screenshot saved to
tests/artifacts/dashboard.png.

Chromium that is missing is installed with apt-get (root); when that is
impossible the browser test is skipped with the reason.
"""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from analyst_fixture import build_published
from credwatch.dashboard import build
from warehouse.models import published_tables, run_sql, tables

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1400,1000",
]
# The chart of each panel and the published table it needs.
PANELS = {"demand": "credential_demand_weekly", "inflation": "credential_inflation",
          "supply": "credential_supply_weekly", "degrees": "degree_requirements_weekly",
          "health": "source_health_weekly"}


def ensure_chromium() -> Path:
    """Debian's chromium, installed with apt-get when missing; skip (with the
    reason) when it cannot be installed here."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("chromium is not installed (/usr/bin/chromium) and this test cannot install it "
                    "(needs root and apt-get): run `apt-get install -y chromium chromium-driver`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "chromium", "chromium-driver"]):
        proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)
        if proc.returncode != 0:
            pytest.skip(f"could not install chromium: `{' '.join(cmd)}` exited {proc.returncode}: {proc.stdout[-800:]}")
    if not CHROMIUM.exists():
        pytest.skip("apt-get installed chromium but /usr/bin/chromium does not exist")
    return CHROMIUM


class DevTools:
    """A minimal Chrome DevTools Protocol client over one page's websocket."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, params: dict | None = None, timeout: float = 60) -> dict:
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while True:
            msg = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def evaluate(self, expr: str):
        res = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True})
        return res.get("result", {}).get("value")

    def errors(self) -> list[str]:
        out = []
        for ev in self.events:
            m, p = ev["method"], ev.get("params", {})
            if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append("console.error: " + " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
            elif m == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                out.append("exception: " + str(d.get("exception", {}).get("description") or d.get("text")))
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                out.append("log: " + p["entry"].get("text", "") + " " + p["entry"].get("url", ""))
        return out


def open_in_chromium(html: Path, profile: Path, timeout_s: float = 90) -> dict:
    """Load `html` in headless chromium; wait for the charts; return the DOM
    figures, the console errors and a PNG screenshot."""
    chromium = ensure_chromium()
    profile.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [str(chromium), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not port_file.exists() or not port_file.read_text().strip():
            if proc.poll() is not None:
                raise AssertionError(f"chromium exited {proc.returncode}: {proc.stderr.read()[-2000:]}")
            if time.monotonic() > deadline:
                raise AssertionError("chromium did not open its DevTools port within 60 s")
            time.sleep(0.2)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as r:
            page = next(t for t in json.load(r) if t["type"] == "page")
        from websockets.sync.client import connect

        with connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=30) as ws:
            dt = DevTools(ws)
            for domain in ("Runtime", "Log", "Page"):
                dt.call(f"{domain}.enable")
            dt.call("Page.navigate", {"url": html.resolve().as_uri()})
            deadline = time.monotonic() + timeout_s
            while dt.evaluate("document.body && document.body.dataset.rendered") is None:
                if time.monotonic() > deadline:
                    raise AssertionError(f"charts did not finish rendering in {timeout_s} s; errors: {dt.errors()}")
                time.sleep(0.25)
            figures = dt.evaluate("""JSON.stringify({
                rendered: document.body.dataset.rendered, failed: document.body.dataset.failed,
                charts: Array.from(document.querySelectorAll('.chart')).map(el => ({
                    id: el.id, nodata: el.dataset.nodata || null,
                    svgs: el.querySelectorAll('svg').length,
                    marks: el.querySelectorAll('svg g.role-mark > path, svg g.role-mark > rect, svg g.role-mark > g, svg g.role-mark > line').length
                })),
                dataDocs: (document.getElementById('data-docs-link') || {}).outerHTML || null
            })""")
            height = dt.evaluate("document.documentElement.scrollHeight")
            dt.call("Emulation.setDeviceMetricsOverride",
                    {"width": 1400, "height": int(height), "deviceScaleFactor": 1, "mobile": False})
            shot = dt.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
            time.sleep(0.3)  # late console messages
            dt.evaluate("1")
            return {"figures": json.loads(figures), "errors": dt.errors(), "png": base64.b64decode(shot["data"])}
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    root = tmp_path_factory.mktemp("dashboard")
    mp = pytest.MonkeyPatch()
    mp.setenv("CREDWATCH_WAREHOUSE", str(root / "warehouse"))
    mp.setenv("CREDWATCH_LAKE", str(root / "lake"))
    try:
        build_published()
        docs = root / "warehouse" / "quality" / "data_docs" / "index.html"
        docs.parent.mkdir(parents=True)
        docs.write_text("<html><body>data docs</body></html>")
        res = build()
        yield {"root": root, "result": res, "path": Path(res["path"]), "html": Path(res["path"]).read_text()}
    finally:
        mp.undo()


def test_dashboard_is_one_offline_file(dashboard):
    html = dashboard["html"]
    assert dashboard["path"].name == "index.html"
    # no external script, stylesheet or image: everything is inline (the
    # markup outside the inline scripts loads nothing)
    markup = re.sub(r"<script>.*?</script>", "<script></script>", html, flags=re.S)
    assert markup.count("<script>") == 4  # vega, vega-lite, vega-embed, the page's own
    assert not re.search(r"<(script|img|iframe)[^>]+src=", markup), "external resource in the dashboard"
    assert not re.search(r"<link[^>]+href=\"?https?:", markup)
    assert "vegaEmbed" in html and len(html) > 500_000  # the inlined Vega builds
    # the data-quality report is linked relatively, so the folder can move
    assert 'href="../../quality/data_docs/index.html"' in html


def test_every_published_panel_has_data(dashboard):
    published = {t.name for t in published_tables()}
    for key, table in PANELS.items():
        state = dashboard["result"]["charts"][key]
        if table in published:
            assert isinstance(state, int) and state > 0, f"{key} panel has no data: {state}"
        else:
            assert state.startswith("no data yet"), state


def test_tooltips_carry_the_definitions(dashboard):
    con = duckdb.connect()
    run_sql(con, next(t for t in tables() if t.name == "credential_demand_weekly").ddl)
    (definition,) = con.execute(
        "SELECT comment FROM duckdb_columns() WHERE table_name = 'credential_demand_weekly' AND column_name = 'demand_share_4wk'"
    ).fetchone()
    assert json.dumps(definition)[1:-1].replace("</", "<\\/") in dashboard["html"]
    assert '"title":"definition"' in dashboard["html"]


def test_missing_marts_say_no_data_yet(lake, tmp_path):
    """A database with only the demand mart: the other panels say so, nothing fails."""
    db = tmp_path / "partial.duckdb"
    con = duckdb.connect(str(db))
    for t in tables():
        if t.name in ("credential_demand_weekly", "dim_week", "dim_credential"):
            run_sql(con, t.ddl)
    con.close()
    res = build(tmp_path / "out" / "index.html", db=db)
    assert res["charts"]["inflation"] == "no data yet: credential_inflation is not published yet"
    assert res["charts"]["health"] == "no data yet: source_health_weekly is not published yet"
    assert res["charts"]["demand"].startswith("no data yet")  # the table exists but is empty
    html = (tmp_path / "out" / "index.html").read_text()
    assert html.count('class="chart nodata"') == len(PANELS)


def test_dashboard_renders_in_headless_chromium(dashboard):
    got = open_in_chromium(dashboard["path"], dashboard["root"] / "chromium-profile")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "dashboard.png"
    shot.write_bytes(got["png"])
    assert got["png"][:8] == b"\x89PNG\r\n\x1a\n" and len(got["png"]) > 20_000, "screenshot is empty"
    assert got["errors"] == [], f"console errors: {got['errors']}"
    fig = got["figures"]
    assert fig["failed"] == "0"
    charts = {c["id"].removeprefix("chart-"): c for c in fig["charts"]}
    assert set(charts) == set(PANELS)
    published = {t.name for t in published_tables()}
    for key, table in PANELS.items():
        c = charts[key]
        if table not in published:
            assert c["nodata"], f"{key}: expected a 'no data yet' panel"
            continue
        assert c["nodata"] is None, f"{key}: {c['nodata']}"
        assert c["svgs"] >= 1 and c["marks"] > 0, f"{key} rendered no data marks: {c}"
    assert int(fig["rendered"]) == sum(1 for t in PANELS.values() if t in published)
    assert "data_docs/index.html" in fig["dataDocs"]


def test_report_command_writes_dashboard_and_run_report(lake, capsys):
    """`credwatch report` (also what `make demo` runs at its end)."""
    from credwatch.cli import main

    build_published()
    assert main(["report"]) == 0
    out = capsys.readouterr().out
    wh = lake / "warehouse"
    assert f"wrote {wh / 'reports' / 'dashboard' / 'index.html'}" in out
    assert (wh / "reports" / "run_report.md").exists()
    html = (wh / "reports" / "dashboard" / "index.html").read_text()
    assert 'href="../run_report.md"' in html and "2026-W42" in html
