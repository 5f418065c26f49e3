"""Open every HTML report in headless chromium over the DevTools protocol, offline, and check what an auditor sees.

Asserts per page: no console errors or uncaught exceptions, every plotly chart drew an SVG with data, no request
left the machine, the text holds the key Chinese figures, and a CJK font is available. Saves a screenshot beside
each report (reports/<doc_id>/<name>.png) for a reviewer.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from juesuan import config
from juesuan.report import run_reports

pytestmark = pytest.mark.browser

SAMPLE = config.DATA_RAW / "2023-tongcheng-renshe.txt"
SAMPLE_ID = "2023-tongcheng-renshe"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-default-apps",
    "--no-default-browser-check", "--hide-scrollbars", "--window-size=1280,900", "--remote-debugging-port=0",
]
MAX_SHOT_HEIGHT = 6000  # px: whole report, but bounded for very long tables
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:", "chrome:", "devtools:")
KEY_TEXT = {
    "01_yoy_change.html": ["收支总计", "2820.06", "216.99", "2603.07"],
    "02_budget_vs_actual.html": ["2366.08", "119", "三公经费", "34.96", "21.75", "公务接待费", "15.29", "169.84"],
    "03_target_deviation.html": ["未按偏离度调减", "2023年鉴证劳动合同份数", "4824份", "满分 100 分"],
    "index.html": ["通城县人力资源和社会保障局", "同比变化分析", "预算与决算对比", "绩效目标偏差分析"],
}
EXPECT_CHARTS = {"01_yoy_change.html", "02_budget_vs_actual.html", "03_target_deviation.html"}
CHARTS_JS = """(() => [...document.querySelectorAll('.plotly-graph-div')].map(d => ({
    id: d.id,
    svg: !!d.querySelector('svg.main-svg'),
    traces: (d._fullData || []).length,
    drawn: d.querySelectorAll('g.trace, g.waterfall, g.bars').length,
    points: d.querySelectorAll('path.point, g.point, path.js-line').length,
})))()"""


class CDP:
    """A minimal Chrome DevTools Protocol client: commands in order, events collected."""

    def __init__(self, ws_url: str):
        import websocket  # websocket-client (dev extra)

        self.ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_for(self, method: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for e in self.events:
                if e.get("method") == method:
                    self.events.remove(e)
                    return e
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            self.events.append(json.loads(self.ws.recv()))
        raise TimeoutError(method)

    def evaluate(self, expression: str):
        r = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return r["result"].get("value")

    def close(self) -> None:
        self.ws.close()


@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        pytest.skip("chromium not installed: run `bash tests/browser/install.sh`")
    profile = tmp_path_factory.mktemp("chromium-profile")
    proc = subprocess.Popen([exe, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port_file = profile / "DevToolsActivePort"
    for _ in range(300):
        if port_file.exists() and port_file.read_text().strip():
            break
        time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("chromium did not start")
    port = int(port_file.read_text().split()[0])
    yield port
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def pages() -> list[Path]:
    """The sample's reports, freshly generated into reports/, plus any other report already there."""
    assert run_reports([str(SAMPLE)], prior=[], out=config.REPORTS) == 0
    found = sorted(config.REPORTS.glob("*/*.html"))
    assert found
    return found


def _open(port: int, url: str) -> CDP:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:  # noqa: S310 - localhost
        target = next(t for t in json.load(r) if t["type"] == "page")
    cdp = CDP(target["webSocketDebuggerUrl"])
    for domain in ["Page", "Runtime", "Log", "Network"]:
        cdp.send(f"{domain}.enable")
    cdp.send("Network.setBlockedURLs", urls=["http://*", "https://*", "ws://*", "wss://*"])
    cdp.send("Page.navigate", url=url)
    cdp.wait_for("Page.loadEventFired", timeout=60)
    return cdp


def test_every_report_in_browser(chromium, pages):
    failures: list[str] = []
    for page in pages:
        cdp = _open(chromium, page.as_uri())
        try:
            failures += _check_page(cdp, page)
        finally:
            cdp.send("Page.navigate", url="about:blank")
            cdp.close()
    assert not failures, "\n".join(failures)


def _check_page(cdp: CDP, page: Path) -> list[str]:
    name = f"{page.parent.name}/{page.name}"
    problems = []
    charts: list[dict] = []
    for _ in range(50):  # plotly draws right after load; give slow machines a moment
        charts = cdp.evaluate(CHARTS_JS) or []
        if all(c["svg"] and c["drawn"] for c in charts):
            break
        time.sleep(0.1)
    if page.parent.name == SAMPLE_ID and page.name in EXPECT_CHARTS and not charts:
        problems.append(f"{name}: no plotly chart on the page")
    problems += [f"{name}: chart {c['id']} did not draw ({c})" for c in charts
                 if not (c["svg"] and c["traces"] and c["drawn"])]

    text = cdp.evaluate("document.body.innerText") or ""
    if page.parent.name == SAMPLE_ID:
        problems += [f"{name}: text lacks {k!r}" for k in KEY_TEXT.get(page.name, []) if k not in text]
    elif not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        problems.append(f"{name}: no Chinese text")
    if not cdp.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '决算')"):
        problems.append(f"{name}: no CJK font (install fonts-noto-cjk)")

    size = cdp.send("Page.getLayoutMetrics")["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], MAX_SHOT_HEIGHT), "scale": 1}
    shot = cdp.send("Page.captureScreenshot", format="png", captureBeyondViewport=True, clip=clip)
    page.with_suffix(".png").write_bytes(base64.b64decode(shot["data"]))

    for e in cdp.events:
        method, p = e.get("method"), e.get("params", {})
        if method == "Runtime.exceptionThrown":
            problems.append(f"{name}: uncaught exception {p['exceptionDetails'].get('text')}"
                            f" {p['exceptionDetails'].get('exception', {}).get('description', '')[:200]}")
        elif method == "Runtime.consoleAPICalled" and p.get("type") in {"error", "assert"}:
            problems.append(f"{name}: console.{p['type']}: {[a.get('value', a.get('description')) for a in p['args']]}")
        elif method == "Log.entryAdded" and p["entry"].get("level") == "error":
            problems.append(f"{name}: log error: {p['entry'].get('text')} {p['entry'].get('url', '')}")
        elif method == "Network.requestWillBeSent" and not p["request"]["url"].startswith(LOCAL_SCHEMES):
            problems.append(f"{name}: request left the machine: {p['request']['url']}")
    return problems
