"""The panel: every parsed document of a directory through DuckDB views, `juesuan panel`, priors found in it,
the cross-department tables of notebook 05, and both layouts (per document, and partitioned by year)."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import gen_years as g
import juesuan
from juesuan.analysis import departments as dep
from juesuan.analysis import priors
from juesuan.panel import Panel, describe, open_panel
from juesuan.parallel import write_parts


def run(*args):
    return subprocess.run([sys.executable, "-m", "juesuan", *map(str, args)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("county")
    paths = g.write_county(tmp)
    out = tmp / "processed"
    r = run("parse", *paths.values(), "--out", out, "--jobs", "2")
    assert r.returncode == 0, r.stderr
    return paths, out


@pytest.fixture(scope="module")
def panel(county):
    with open_panel(county[1]) as p:
        yield p


def test_juesuan_panel_is_the_function_and_views_carry_doc_department_year(panel, county):
    assert juesuan.panel is open_panel
    assert panel.tables == ["document", "units", "figures", "line_items", "projects", "project_outputs",
                            "department_goals", "indicators", "statements", "warnings", "checks"]
    f = panel.figures
    assert list(f.columns[:3]) == ["doc_id", "department", "year"]
    per_doc = sum(len(pd.read_parquet(d / "figures.parquet")) for d in county[1].iterdir())
    assert len(f) == per_doc == sum(len(juesuan.load(p).figures) for p in county[0].values())
    assert f.groupby("doc_id")["department"].nunique().eq(1).all()
    cur = f[f["doc_id"].eq("2023-tongcheng-renshe")]
    assert set(cur["department"]) == {g.DEPARTMENT} and set(cur["year"]) == {2023}
    assert len(panel.checks) > 0 and set(panel.checks["doc_id"]) == set(panel.document["doc_id"])


def test_coverage_departments_by_years(panel):
    grid = panel.coverage()
    assert grid.to_dict(orient="index") == {"通城县人力资源和社会保障局": {"2022": 1, "2023": 1},
                                            "通城县教育局": {"2022": 0, "2023": 1},
                                            "通城县民政局": {"2022": 0, "2023": 1}}


def test_panel_command_prints_departments_by_years(county):
    r = run("panel", county[1])
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].endswith("4 documents, 3 departments, years 2022, 2023")
    assert lines[2].split() == ["department", "2022", "2023"]
    assert lines[3].split() == ["通城县人力资源和社会保障局", "1", "1"]
    assert lines[5].split() == ["通城县民政局", "·", "1"]
    n_figures = sum(len(pd.read_parquet(d / "figures.parquet")) for d in county[1].iterdir())
    assert lines[-1].startswith(f"rows: document 4, units 24, figures {n_figures},")
    bad = run("panel", county[0]["current"])
    assert bad.returncode == 2 and "not a directory" in bad.stderr and len(bad.stderr.splitlines()) == 1


def test_empty_panel_and_hostile_names(tmp_path):
    assert describe(Panel(tmp_path)).endswith("no parsed documents (run `juesuan parse … --out " + str(tmp_path) + "`)")
    d = juesuan.load(g.SEED)
    doc = d.document.assign(department="通城县\x1b[2J民政局\x07")
    write_parts(tmp_path, "p1", {2023: {"document": [doc], "units": [d.units]}})
    text = describe(Panel(tmp_path))
    assert "\x1b" not in text and "\x07" not in text and "\\x1b[2J" in text


def test_priors_found_in_the_panel_and_read_back_as_loaded(panel, county):
    paths = county[0]
    current = juesuan.load(paths["current"])
    assert panel.priors(priors.identity(current)) == ["2022-tongcheng-renshe"]
    other = juesuan.load(paths["2023-tongcheng-minzheng"])
    assert panel.priors(priors.identity(other)) == []
    back = panel.disclosure("2022-tongcheng-renshe")
    loaded = juesuan.load(paths["prior"])
    for name in ["figures", "projects", "indicators", "line_items", "units"]:
        pd.testing.assert_frame_equal(getattr(back, name), getattr(loaded, name), check_dtype=True, obj=name)
    assert back.year == 2022 and back.department == g.DEPARTMENT
    with pytest.raises(KeyError):
        panel.disclosure("no-such-doc")


def test_resolve_takes_the_priors_from_the_panel_when_none_given(county):
    paths, out = county
    current = juesuan.load(paths["current"])
    found, notes = priors.resolve(current, [], out)
    assert [d.doc_id for d in found] == ["2022-tongcheng-renshe"] and "2022-tongcheng-renshe" in notes[0]
    given, notes = priors.resolve(current, [str(paths["2023-tongcheng-jiaoyu"])], out)
    assert given == [] and "不是同一部门" in notes[0]  # given priors are checked, the panel is not consulted


def test_partitioned_layout_keeps_the_latest_part_of_a_document(tmp_path):
    d = juesuan.load(g.SEED)
    old = d.figures.assign(value=d.figures["value"] + 1)
    write_parts(tmp_path, "20240101T000000-000000", {2023: {"document": [d.document], "figures": [old]}})
    write_parts(tmp_path, "20250101T000000-000000", {2023: {"document": [d.document], "figures": [d.figures]}})
    assert sorted(p.name for p in (tmp_path / "_panel" / "figures" / "year=2023").iterdir()) == [
        "20240101T000000-000000.parquet", "20250101T000000-000000.parquet"]
    with Panel(tmp_path) as p:
        assert len(p) == 1 and len(p.figures) == len(d.figures)
        assert p.figures["value"].sum() == pytest.approx(d.figures["value"].sum())
        assert p.table("projects").empty and "department" in p.table("projects").columns


def test_department_table_of_one_year(county):
    paths, out = county
    current = juesuan.load(paths["current"])
    gathered = dep.gather(out, current)
    t = dep.department_table(gathered, 2023).set_index("department")
    assert list(t.index) == ["通城县人力资源和社会保障局", "通城县教育局", "通城县民政局"]
    assert t["expenditure"].to_dict() == {"通城县人力资源和社会保障局": 2820.06, "通城县教育局": 8841.37,
                                          "通城县民政局": 1534.20}
    assert t.loc["通城县人力资源和社会保障局", "current"] and not t.loc["通城县民政局", "current"]
    row = t.loc["通城县人力资源和社会保障局"]
    assert (row.general_budget, row.general_actual, row.general_exec_pct) == (2366.08, 2820.06, 119.2)
    assert (row.three_public_budget, row.three_public, row.three_public_exec_pct) == (34.96, 21.75, 62.2)
    assert row.operating == 169.84 and row.n_projects == 26 and row.score_100_pct == 100.0
    assert t.loc["通城县民政局", "score_100_pct"] == round(23 / 26 * 100, 1)  # three tables scored 92, 88, 95
    fails = pd.read_parquet(out / "2023-tongcheng-minzheng" / "checks.parquet").query("status == 'fail'")
    assert t.loc["通城县民政局", "error"] == (fails["severity"] == "error").sum()
    assert t.loc["通城县人力资源和社会保障局", "cross_year"] == 1  # the generated mismatch in 五（一）
    assert t[["cross_year"]].drop(index="通城县人力资源和社会保障局")["cross_year"].isna().all()  # no prior year
    text = " ".join(dep.findings(t.reset_index()))
    assert "本年所述上年数与上年公开不一致：通城县人力资源和社会保障局 1 项" in text
    assert "支出合计最高：通城县教育局 8841.37 万元" in text
    assert "所有项目自评均为满分：通城县人力资源和社会保障局、通城县教育局" in text


def test_year_over_year_per_department(county):
    paths, out = county
    gathered = dep.gather(out, juesuan.load(paths["current"]))
    assert dep.multi_year(gathered)
    y = dep.by_year(gathered).set_index(["department", "year"])
    renshe = y.loc["通城县人力资源和社会保障局"]
    assert renshe.loc[2022, "expenditure"] == 2603.07 and renshe.loc[2023, "expenditure_change_pct"] == 8.3
    assert renshe.loc[2023, "three_public_change_pct"] == -14.4
    assert pd.isna(y.loc[("通城县教育局", 2023), "expenditure_change_pct"])


def test_current_document_not_in_the_panel_is_added_and_checked(county, tmp_path):
    paths, out = county
    extra = juesuan.load(g.write(tmp_path, "2023-tongcheng-caizheng", g.other_department(
        "通城县财政局", ["通城县国库集中支付中心"], "999.99", "10.00")))
    gathered = dep.gather(out, extra)
    t = dep.department_table(gathered, 2023).set_index("doc_id")
    assert t.loc["2023-tongcheng-caizheng", "current"] and t.loc["2023-tongcheng-caizheng", "expenditure"] == 999.99
    assert t.loc["2023-tongcheng-caizheng", "error"] >= 0  # checked on the spot
    alone = dep.department_table(dep.gather(tmp_path / "nothing-here", extra), None)
    assert alone["doc_id"].tolist() == ["2023-tongcheng-caizheng"]


def test_checks_are_stored_under_the_folder_lock_and_only_for_their_own_document(monkeypatch, tmp_path):
    import contextlib
    import dataclasses
    import os

    from juesuan import outdir
    from juesuan.panel import store_checks
    from juesuan.write import write_tables

    d = juesuan.load(g.SEED)
    folder = write_tables(d, tmp_path)
    events = []
    real_locked, real_replace = outdir.locked, os.replace

    @contextlib.contextmanager
    def locked(out):
        with real_locked(out) as o:
            events.append("lock")
            yield o
            events.append("unlock")

    monkeypatch.setattr(outdir, "locked", locked)
    monkeypatch.setattr(os, "replace", lambda a, b: events.append("replace") or real_replace(a, b))
    assert store_checks(d, folder) == folder / "checks.parquet"
    assert events == ["lock", "replace", "unlock"]  # the other runs' clean-up of *.tmp waits for this write
    assert set(pd.read_parquet(folder / "checks.parquet")["doc_id"]) == {folder.name}
    other = dataclasses.replace(d, document=d.document.assign(sha256="0" * 64))
    (folder / "checks.parquet").unlink()
    assert store_checks(other, folder) is None and not (folder / "checks.parquet").exists()
