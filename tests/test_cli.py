"""`juesuan parse`: outputs, summary, and one-line errors with exit status 2 and nothing written."""

import subprocess
import sys

import pandas as pd

from support import SEED


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "juesuan", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def test_parse_writes_csv_with_bom_and_parquet(tmp_path):
    result = run("parse", SEED, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "2023-tongcheng-renshe"
    assert "projects 26" in result.stdout and "indicators 259" in result.stdout
    for table in ["document", "units", "figures", "line_items", "projects", "project_outputs", "department_goals", "indicators", "warnings"]:
        assert (out / f"{table}.csv").read_bytes().startswith(b"\xef\xbb\xbf")
        assert len(pd.read_parquet(out / f"{table}.parquet")) == len(pd.read_csv(out / f"{table}.csv"))
    doc = pd.read_csv(out / "document.csv").iloc[0]
    assert (doc.department, doc.year, doc.n_warnings > 0) == ("通城县人力资源和社会保障局", 2023, True)
    assert [p.name for p in tmp_path.iterdir()] == ["2023-tongcheng-renshe"]  # no temp dirs left behind


def _refused(tmp_path, path, reason):
    out = tmp_path / "out"
    result = run("parse", path, "--out", out)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and reason in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_unusable_inputs_exit_2_with_one_line_and_nothing_written(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    _refused(tmp_path, empty, "empty file")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    _refused(tmp_path, binary, "binary")
    novel = tmp_path / "novel.txt"
    novel.write_text("从前有座山，山里有座庙。\n庙里有个老和尚。\n" * 50, encoding="utf-8")
    _refused(tmp_path, novel, "not a 部门决算 disclosure")
    _refused(tmp_path, tmp_path / "missing.txt", "no such file")


def test_truncated_disclosure_gives_what_it_can_and_names_missing_parts(tmp_path):
    text = SEED.read_text(encoding="utf-8")
    cut = tmp_path / "2023-truncated.txt"
    cut.write_text(text[: text.index("第三部分")] + text[text.index("九、财政拨款“三公”经费支出决算情况说明") :][:1500], encoding="utf-8")
    import juesuan

    d = juesuan.load(cut)
    assert "情况说明" in d.document.parts_missing.iloc[0]
    assert any("part missing: 情况说明" in m for m in d.warnings.message)
    assert len(d.units) == 6 and len(d.projects) == 0


def test_a_table_cut_short_is_reported_not_invented(tmp_path):
    import juesuan

    text = SEED.read_text(encoding="utf-8")
    cut = tmp_path / "2023-cut.txt"
    second = text.index("项目名称 劳动仲裁办案专项工作经费")
    cut.write_text(text[: text.index("质量指标 劳动仲裁案件结案率", second)], encoding="utf-8")  # inside project table 2
    d = juesuan.load(cut)
    assert len(d.projects) == 2
    assert d.projects.total_score.isna().iloc[1]
    assert any("project table 2: 总分 not found" in m for m in d.warnings.message)
    assert len(d.indicators.query("project_no == 2")) == 1  # only the one complete row before the cut
