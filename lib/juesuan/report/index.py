"""The index pages: one per disclosure (its reports, top findings, parser warnings, file summary) and one
across the disclosures of an output folder. Markup is in templates/index/ (Jinja, autoescaped); this module
only gathers what the pages show."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from .. import config, labels
from ..highlights import cited
from ..outdir import atomic_write
from .display import CSS, TEMPLATES, esc

SUMMARY_FILE = "summary.json"  # what the cross-department index reads from each report folder
TEXT_FILE = "text.txt"  # the text the PDF reader produced, numbered as reports cite it
INDEX_FINDINGS = 5


REPORT_BLURBS = {  # what each report answers, shown beside its link
    "01_yoy_change": "文本中的同比表述重算；有往年公开时逐项跨年度对比",
    "02_budget_vs_actual": "决算与年初预算、“三公”经费、机关运行经费、项目执行率",
    "03_target_deviation": "绩效指标的完成值与目标值、按规则重算的得分",
    "04_consistency_checks": "勾稽关系：错误、警告、提示，均附证据页码",
    "05_departments": "同一年度各部门并列比较",
}

_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES / "index"),
    autoescape=select_autoescape(default=True),
    keep_trailing_newline=True,
    finalize=lambda v: "" if v is None else v,
)  # None prints as nothing


def _render(template: str, **context: Any) -> str:
    return _ENV.get_template(template).render(
        css=CSS.read_text(encoding="utf-8"), version=config.PARSER_VERSION, **context
    )


def notebook_nav(doc: dict[str, Any]) -> str:
    """A line above the notebook: back to the index, which disclosure this is (all escaped)."""
    where = " ".join(
        x for x in [esc(doc.get("department")), esc(doc.get("year")) and f"{esc(doc.get('year'))} 年度"] if x
    )
    return (
        f'<nav class="juesuan-nav"><a href="index.html">← 报告目录</a> · {where} · '
        f'<span class="src">{esc(Path(str(doc.get("source_path", ""))).name)}</span></nav>'
    )


def summary(disclosure) -> dict[str, Any]:
    """What the index page shows about a disclosure: its document row and rows per table."""
    doc = disclosure.document.iloc[0].to_dict()
    doc["counts"] = {name: len(df) for name, df in disclosure.tables().items() if name != "document"}
    doc["doc_id"] = disclosure.doc_id
    return doc


def findings_summary(disclosure) -> dict[str, Any]:
    """Failed checks by severity and the top findings (sentences with pages), for the index pages."""
    # lazy: juesuan.checks imports pandera's typing (about 0.4 s), paid only by callers that check
    from ..checks import findings, run_checks

    checks = run_checks(disclosure)
    f = findings(checks)
    return {
        "severity": {s: int((f["severity"] == s).sum()) for s in labels.SEVERITIES},
        "top": [
            {"text": cited(str(r.finding), r.rule_id, disclosure), "severity": r.severity}
            for r in f.head(INDEX_FINDINGS).itertuples(index=False)
        ],
        "n_checks": len(checks),
        "n_pass": int((checks["status"] == "pass").sum()),
        "n_not_assessable": int((checks["status"] == "not_assessable").sum()),
    }


def warning_rows(disclosure) -> list[dict[str, str]]:
    """The parser's warnings in Chinese with their page and line (the English message kept for a tooltip)."""
    return [
        {
            "stage": labels.STAGES.get(r.stage, "解析"),
            "message": r.message,
            "text": labels.warning_text(r.message),
            "where": labels.cite(r.page, r.source_line),
        }
        for r in disclosure.warnings.itertuples(index=False)
    ]


def document_page(
    doc: dict[str, Any],
    entries: list[tuple[str, str, str]],
    found: dict[str, Any] | None = None,
    warnings: list[dict[str, str]] | None = None,
    sizes: dict[str, int] | None = None,
    text_file: str = "",
) -> str:
    """The per-disclosure landing page: top findings, links to every report, parser warnings, document
    summary."""
    found = found or {"severity": {}, "top": []}
    sizes = sizes or {}
    sev = found.get("severity", {})
    top = [
        {"severity": t["severity"], "label": labels.SEVERITIES.get(t["severity"], ""), "text": t["text"]}
        for t in found.get("top", [])
    ]
    reports = [
        {
            "href": href,
            "title": title.split(" — ")[0],
            "status": status,
            "blurb": REPORT_BLURBS.get(Path(href).stem, ""),
            "size": labels.size(sizes.get(href, 0)),
        }
        for href, title, status in entries
    ]
    summary_rows = [
        ("部门", doc.get("department")),
        ("年度", doc.get("year")),
        ("文件", Path(str(doc.get("source_path", ""))).name),
        ("类型", labels.SOURCE_KINDS.get(str(doc.get("source_kind")), doc.get("source_kind"))),
        ("SHA-256", doc.get("sha256")),
        ("行数", labels.count(doc.get("n_lines"))),
        ("页数", labels.count(doc.get("n_pages"))),
        ("已识别部分", labels.codes(doc.get("parts_found"), labels.PARTS)),
        ("缺少部分", labels.codes(doc.get("parts_missing"), labels.PARTS) or "无"),
        ("已识别决算表", labels.codes(doc.get("tables_found"), labels.STATEMENTS) or "无"),
        ("未读取决算表（图片或缺失）", labels.codes(doc.get("tables_absent"), labels.STATEMENTS) or "无"),
        ("空表（无数据）", labels.codes(doc.get("tables_empty"), labels.STATEMENTS) or "无"),
        ("解析器版本", doc.get("parser_version")),
    ]
    counts = [(labels.TABLES.get(k, k), labels.count(v)) for k, v in doc.get("counts", {}).items()]
    return _render(
        "document.html.j2",
        title=f"{doc.get('department') or ''} {doc.get('year') or ''} 年度部门决算 · 审计分析报告",
        top=top,
        reports=reports,
        workbook=f"{doc.get('doc_id')}-audit.xlsx",
        text_file=text_file,
        counts_line="、".join(
            f"{labels.SEVERITIES[s]} {labels.count(sev.get(s, 0))} 条" for s in labels.SEVERITIES
        ),
        n_warnings=labels.count(int(doc.get("n_warnings") or 0)),
        warnings=warnings or [],
        summary=summary_rows,
        counts=counts,
    )


def _severity_rank(summary: dict[str, Any]) -> int:
    severity = summary["top"][0].get("severity")
    return (
        list(labels.SEVERITIES).index(severity) if severity in labels.SEVERITIES else len(labels.SEVERITIES)
    )


def write_index(out: Path) -> Path:
    """out/index.html: every disclosure with a report set in `out`: department, year, findings by severity,
    the top finding, links. Rebuilt from each folder's summary.json (under the output folder's lock)."""
    docs = []
    for f in sorted(Path(out).glob(f"*/{SUMMARY_FILE}")):
        try:
            docs.append((f.parent.name, json.loads(f.read_text(encoding="utf-8"))))
        except (OSError, ValueError):
            continue
    docs.sort(key=lambda r: (str(r[1].get("department") or ""), -(r[1].get("year") or 0), r[0]))
    total = {s: sum(int(d.get("severity", {}).get(s, 0)) for _, d in docs) for s in labels.SEVERITIES}
    rows = []
    for doc_id, s in docs:
        top = (s.get("top") or [{}])[0]
        links = [(f"{doc_id}/{h}", t) for h, t in s.get("reports", [])]
        workbook = config.workbook_path(doc_id, Path(out))
        if workbook.exists():
            links.append((f"{doc_id}/{workbook.name}", "审计工作簿"))
        rows.append(
            {
                "doc_id": doc_id,
                "department": s.get("department") or doc_id,
                "year": s.get("year") or "",
                "severity": [labels.count(s.get("severity", {}).get(k, 0)) for k in labels.SEVERITIES],
                "top_severity": top.get("severity"),
                "top_label": labels.SEVERITIES.get(top.get("severity"), ""),
                "top_text": top.get("text", "未发现不符"),
                "links": links,
            }
        )
    departments = len({d.get("department") for _, d in docs})
    summary_items = [
        f"共 {labels.count(len(docs))} 份公开（{labels.count(departments)} 个部门）；勾稽关系不符合计："
        + "、".join(f"{labels.SEVERITIES[k]} {labels.count(v)} 条" for k, v in total.items())
        + "。"
    ]
    worst = sorted((d for d in docs if d[1].get("top")), key=lambda d: _severity_rank(d[1]))
    summary_items += [f"{d.get('department') or doc_id}：{d['top'][0]['text']}" for doc_id, d in worst[:5]]
    target = Path(out) / "index.html"
    atomic_write(
        target,
        _render("folder.html.j2", title="部门决算审计分析报告 · 目录", summary=summary_items, rows=rows),
    )
    return target
