"""Open every HTML report in headless chromium over the DevTools protocol, offline, and check what an auditor sees.

Asserts per page, on the reports of all three bundled samples (`make report` builds them; missing ones are built
here): no console errors or uncaught exceptions, every plotly chart drew an SVG with data, no request left the
machine, the text holds the key Chinese figures, a CJK font is available; the first screen shows the summary box;
every amount or percentage in a summary cites its page; no identifier of the code's vocabulary is visible; the
appendix is collapsed; file sizes stay under the targets. Saves a screenshot beside each report
(reports/<doc_id>/<name>.png) for a reviewer.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from juesuan import config
from juesuan.report import run_reports
from test_report import AMOUNT_RE, CITE_RE, PLOTLY_HEADER, VOCAB_RE

pytestmark = pytest.mark.browser

SAMPLE = config.DATA_RAW / "2023-tongcheng-renshe.txt"
SAMPLE_ID = "2023-tongcheng-renshe"
SAMPLES = sorted([*config.DATA_RAW.glob("*.txt"), *config.DATA_RAW.glob("*.pdf")])
VIEWPORT_HEIGHT = 900  # --window-size below: "the first screen"
KB, MB = 1000, 1000 * 1000
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-default-apps",
    "--no-default-browser-check", "--hide-scrollbars", "--window-size=1280,900", "--remote-debugging-port=0",
]
MAX_SHOT_HEIGHT = 6000  # px: whole report, but bounded for very long tables
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:", "chrome:", "devtools:")
KEY_TEXT = {
    "01_yoy_change.html": ["收支总计", "2,820.06", "216.99", "2,603.07", "第 12 页"],
    "02_budget_vs_actual.html": ["2,366.08", "119", "三公经费", "34.96", "21.75", "公务接待费", "15.29", "169.84"],
    "03_target_deviation.html": ["未按偏离度调减", "2023年鉴证劳动合同份数", "4824份", "超出目标（≥1.2 倍）"],
    "04_consistency_checks.html": ["疑为小数点错位", "附录：通过的检查"],
    "05_departments.html": ["只有通城县人力资源和社会保障局一个部门的公开", "2,820.06", "第 14 页，第 174 行",
                            "2023-tongcheng-renshe.txt"],
    "index.html": ["通城县人力资源和社会保障局", "同比变化分析", "预算与决算对比", "绩效目标偏差分析", "解析警告"],
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


SUMMARY_JS = """(() => { const box = document.querySelector('.juesuan-summary');
    if (!box) return null; const r = box.getBoundingClientRect();
    return {top: r.top + window.scrollY, height: r.height, visible: r.width > 0 && r.height > 0,
            items: [...box.querySelectorAll('li')].map(li => li.innerText)}; })()"""
APPENDIX_JS = """(() => [...document.querySelectorAll('details.juesuan-appendix')].map(d => ({
    open: d.open, shown: [...d.children].filter(c => c.tagName !== 'SUMMARY' && c.checkVisibility()).length})))()"""


@pytest.fixture(scope="session")
def pages() -> list[Path]:
    """The reports of every bundled sample (built by `make report`; any missing are built here), the index
    across departments, and any other report already in reports/."""
    missing = [str(p) for p in SAMPLES if not (config.REPORTS / p.stem / "index.html").exists()]
    if missing:
        assert run_reports(missing, prior=[], out=config.REPORTS) == 0
    found = sorted(config.REPORTS.glob("*/*.html")) + [config.REPORTS / "index.html"]
    assert all((config.REPORTS / p.stem / "04_consistency_checks.html").exists() for p in SAMPLES)
    return found


def test_sizes_under_the_targets(pages):
    """A report without charts under 300 KB; a department's report set (HTML, workbook, text) under 8 MB."""
    for page in pages:
        if PLOTLY_HEADER not in page.read_text(encoding="utf-8"):
            assert page.stat().st_size < 300 * KB, page
    for sample in SAMPLES:
        folder = config.REPORTS / sample.stem
        total = sum(f.stat().st_size for f in folder.iterdir() if f.suffix != ".png")  # screenshots are ours
        assert total < 8 * MB, (folder, total)


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
    box = cdp.evaluate(SUMMARY_JS)
    if not box or not box["visible"]:
        problems.append(f"{name}: no summary box (主要发现)")
    else:
        if box["top"] >= VIEWPORT_HEIGHT:
            problems.append(f"{name}: the summary box starts at {box['top']:.0f} px, below the first screen")
        problems += [f"{name}: a finding with an amount cites no page: {t[:80]}" for t in box["items"]
                     if AMOUNT_RE.search(t) and not CITE_RE.search(t)]
    leaks = sorted(set(VOCAB_RE.findall(text)))
    if leaks:
        problems.append(f"{name}: code identifiers visible: {leaks}")
    for d in cdp.evaluate(APPENDIX_JS) or []:
        if d["open"] or d["shown"] > 0:
            problems.append(f"{name}: an appendix is open ({d})")
    if page.name == "05_departments.html":
        problems += _check_departments(cdp, name, text, charts)
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


ROWS_JS = """[...document.querySelectorAll('table.juesuan-table tbody tr')].map(tr =>
    [...tr.querySelectorAll('td')].map(td => td.innerText))"""
AMOUNT_CELL = re.compile(r"^-?\d[\d,]*\.\d\d$")  # an amount as printed (2,820.06), first line of a cell
PAGE_RE = re.compile(r"第 \d+(–\d+)? 页")


def _check_departments(cdp: CDP, name: str, text: str, charts: list[dict]) -> list[str]:
    """Report 05: every row cites its document or a page, every amount its page; a year with one department
    says so and draws no chart comparing nothing; several departments get their charts."""
    problems = []
    for cells in cdp.evaluate(ROWS_JS) or []:
        for cell in cells:
            if AMOUNT_CELL.match(cell.split("\n")[0].strip()) and not PAGE_RE.search(cell):
                problems.append(f"{name}: an amount cites no page: {cells}")
        if cells and not any(PAGE_RE.search(c) or re.search(r"\.(txt|pdf)$", c.strip()) for c in cells):
            problems.append(f"{name}: a row cites no source: {cells}")
    alone = "无从与其他部门比较" in text
    if alone and charts:
        problems.append(f"{name}: one department, yet {len(charts)} charts compare departments")
    if not alone and not charts:
        problems.append(f"{name}: several departments and no chart")
    return problems
