"""Every path and default threshold in one place, so notebooks, CLI and tests agree."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_RAW = ROOT / "data" / "raw"
DATA_PROCESSED = ROOT / "data" / "processed"
REPORTS = ROOT / "reports"
NOTEBOOKS = ROOT / "notebooks"
FIXTURES = ROOT / "tests" / "fixtures"

PARSER_VERSION = "0.1.0"

# Rounding tolerance for amounts printed to 0.01 万元 (domain.md §3): a sum of k items may be off by 0.005·k.
AMOUNT_TOLERANCE = 0.01
PERCENT_TOLERANCE = 0.1  # percentage points

# Target deviation thresholds (domain.md §4.5): ratio actual/target for a "higher is better" indicator.
DEVIATION_WARN = 1.2
DEVIATION_EXPLAIN = 1.3
DEVIATION_STRONG = 2.0
