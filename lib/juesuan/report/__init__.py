"""Reports: the analysis notebooks run under papermill, exported as self-contained offline HTML, with index
pages.

- display and charts: what notebooks import to show things (`from juesuan import report as r`; every string
  from a disclosure escaped);
- run: one shared kernel, papermill and nbconvert (`run_reports`);
- index: the index page of each disclosure and of an output folder (Jinja templates in templates/index/).
"""

from .charts import (
    Figure,
    budget_bars,
    execution_rates,
    grouped_bars,
    score_boxes,
    severity_bars,
    target_dots,
    waterfall,
    year_lines,
)
from .display import (
    PLOTLY_MIME,
    Html,
    appendix,
    cited_table,
    esc,
    findings,
    note,
    rule_label,
    script_json,
    section,
    summary,
    table,
)
from .index import write_index
from .run import keep_kernel, notebooks, run_reports

__all__ = [
    "PLOTLY_MIME",
    "Figure",
    "Html",
    "appendix",
    "budget_bars",
    "cited_table",
    "esc",
    "execution_rates",
    "findings",
    "keep_kernel",
    "note",
    "notebooks",
    "rule_label",
    "run_reports",
    "script_json",
    "section",
    "summary",
    "table",
    "target_dots",
    "waterfall",
    "write_index",
    "grouped_bars",
    "score_boxes",
    "severity_bars",
    "year_lines",
]
