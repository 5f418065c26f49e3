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


def _unit(folder):
    """Every file of a document's folder with its bytes."""
    return {f.name: f.read_bytes() for f in sorted(folder.iterdir())}


def test_tables_and_checks_are_one_unit_swapped_under_the_folder_lock(monkeypatch, tmp_path):
    import contextlib

    from juesuan import outdir
    from juesuan.write import write_document

    d = juesuan.load(g.SEED)
    events = []
    real_locked, real_swap = outdir.locked, outdir.swap

    @contextlib.contextmanager
    def locked(out):
        with real_locked(out) as o:
            events.append("lock")
            yield o
            events.append("unlock")

    def swap(staged, target):
        events.append(("swap", sorted(p.name for p in staged.iterdir())))
        real_swap(staged, target)

    monkeypatch.setattr(outdir, "locked", locked)
    monkeypatch.setattr(outdir, "swap", swap)
    folder = write_document(g.SEED, d, tmp_path)
    assert events[0] == "lock" and events[-1] == "unlock" and len(events) == 3  # one lock, one swap inside it
    staged = events[1][1]
    assert "checks.parquet" in staged and "figures.parquet" in staged and "document.csv" in staged
    assert set(pd.read_parquet(folder / "checks.parquet")["doc_id"]) == {folder.name}
    assert len(pd.read_parquet(folder / "checks.parquet")) > 20


def test_a_failing_write_leaves_the_earlier_unit_whole(monkeypatch, tmp_path):
    from juesuan import write
    from juesuan.checks import run_checks

    d = juesuan.load(g.SEED)
    folder = write.write_document(g.SEED, d, tmp_path)
    before = _unit(folder)
    other = run_checks(d).assign(detail="another run")  # a second run whose checks differ
    real = pd.DataFrame.to_parquet

    def to_parquet(df, path, *a, **k):
        if str(path).endswith("checks.parquet"):
            raise OSError(28, "No space left on device")
        return real(df, path, *a, **k)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", to_parquet)
    with pytest.raises(OSError, match="No space"):
        write.write_tables(d, tmp_path, checks=other)
    assert _unit(folder) == before  # tables and checks both from the first run
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder.name]  # no staging folder left


KILLED_WRITER = """
import dataclasses, os, signal, sys
import pandas as pd
import juesuan
from juesuan import write
real = pd.DataFrame.to_parquet
def to_parquet(df, path, *a, **k):
    if str(path).endswith("checks.parquet"):  # every table of the new run written, its checks not yet
        os.kill(os.getpid(), signal.SIGKILL)
    return real(df, path, *a, **k)
pd.DataFrame.to_parquet = to_parquet
d = juesuan.load(sys.argv[1])
d = dataclasses.replace(d, warnings=d.warnings.iloc[:0])  # the same document, other tables (as a new version would)
write.write_document(sys.argv[1], d, sys.argv[2])
"""


def test_a_write_killed_between_tables_and_checks_leaves_the_earlier_unit(tmp_path):
    from juesuan.write import write_document

    d = juesuan.load(g.SEED)
    folder = write_document(g.SEED, d, tmp_path)
    before = _unit(folder)
    r = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(g.SEED), str(tmp_path)], capture_output=True,
                       text=True)
    assert r.returncode == -9, r.stderr
    assert any(p.name.startswith(".juesuan-tmp-") for p in tmp_path.iterdir())  # the killed run's staging folder
    assert _unit(folder) == before
    write_document(g.SEED, d, tmp_path)  # the next run cleans up and writes the unit again
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder.name]
    assert _unit(folder) == before  # byte-identical outputs run to run


def test_checks_only_for_their_own_document_in_a_taken_folder(tmp_path):
    import dataclasses

    from juesuan.write import write_document

    d = juesuan.load(g.SEED)
    folder = write_document(g.SEED, d, tmp_path)
    other = dataclasses.replace(d, document=d.document.assign(sha256="0" * 64))
    second = write_document(g.SEED, other, tmp_path)
    assert second != folder and second.name.startswith(folder.name + "-00000000")
    assert set(pd.read_parquet(second / "checks.parquet")["doc_id"]) == {second.name}
    assert set(pd.read_parquet(folder / "checks.parquet")["doc_id"]) == {folder.name}


# ---------------------------------------------------------------- notebooks read the processed store

PDF = g.SEED.parent / "2024-shanghai-putuo-caizhengju.pdf"


@pytest.fixture
def fresh_cache():
    from juesuan import analysis

    analysis._load.cache_clear()
    yield
    analysis._load.cache_clear()


def test_load_disclosure_reads_the_stored_tables_instead_of_parsing(tmp_path, monkeypatch, fresh_cache):
    from juesuan import pipeline
    from juesuan.analysis import load_disclosure
    from juesuan.write import write_document

    d = juesuan.load(g.SEED)
    store = tmp_path / "processed"
    write_document(g.SEED, d, store)

    def no_parse(path):
        raise AssertionError(f"parsed {path} again")

    monkeypatch.setattr(pipeline, "parse", no_parse)
    loaded = load_disclosure(g.SEED, store)
    assert loaded.doc_id == d.doc_id
    for name, df in d.tables().items():
        pd.testing.assert_frame_equal(getattr(loaded, name), df, obj=name)
    with pytest.raises(AssertionError, match="parsed"):  # not in this store: parsed
        load_disclosure(g.SEED, tmp_path / "elsewhere")


def test_a_store_of_another_version_or_content_is_not_used(tmp_path, fresh_cache):
    from juesuan.panel import stored
    from juesuan.write import write_document

    d = juesuan.load(g.SEED)
    store = tmp_path / "processed"
    folder = write_document(g.SEED, d, store)
    assert stored(g.SEED, store).doc_id == folder.name
    copy = tmp_path / f"{g.SEED.stem}.txt"
    copy.write_text(g.SEED_TEXT.replace("2023", "2022", 1), encoding="utf-8")  # same name, other content
    assert stored(copy, store) is None
    doc = pd.read_parquet(folder / "document.parquet").assign(parser_version="0.0-old")
    doc.to_parquet(folder / "document.parquet", index=False)
    assert stored(g.SEED, store) is None  # tables of an older parser are parsed again


def test_a_store_written_before_a_column_was_added_is_parsed_again(tmp_path, fresh_cache):
    """Same parser version, but its figures lack a column this parser writes: not read back (the reports
    would fail on the missing column), parsed again instead."""
    from juesuan.panel import stored
    from juesuan.write import write_document

    store = tmp_path / "processed"
    folder = write_document(g.SEED, juesuan.load(g.SEED), store)
    assert stored(g.SEED, store).doc_id == folder.name
    figures = pd.read_parquet(folder / "figures.parquet")
    figures.drop(columns=[figures.columns[-1]]).to_parquet(folder / "figures.parquet", index=False)
    assert stored(g.SEED, store) is None


def test_bounds_reach_the_parse_and_the_store_spares_it(tmp_path, fresh_cache):
    from juesuan.analysis import load_disclosure

    store = tmp_path / "processed"
    r = run("parse", PDF, "--out", store, "--max-pages", "30")
    assert r.returncode == 0, r.stderr
    with pytest.raises(juesuan.InputError, match="max-pages"):  # the bound a report was given reaches the parse
        load_disclosure(PDF, None, {"max_pages": 3})
    d = load_disclosure(PDF, store, {"max_pages": 3})  # parsed already (within its raised bound): read back
    assert int(d.document["n_pages"].iloc[0]) == 25
    assert len(d.statements) > 50


def test_a_notebook_reads_the_store_with_the_bounds_a_report_gives(tmp_path):
    import papermill as pm

    from juesuan import config

    store = tmp_path / "processed"
    assert run("parse", PDF, "--out", store).returncode == 0
    out = tmp_path / "02.ipynb"
    params = {"disclosure": str(PDF), "processed_dir": str(store), "limits": {"max_pages": 3}}
    pm.execute_notebook(str(config.NOTEBOOKS / "02_budget_vs_actual.ipynb"), str(out), parameters=params,
                        kernel_name="python3", progress_bar=False)
    text = out.read_text(encoding="utf-8")
    assert "InputError" not in text and "三公" in text
    params["processed_dir"] = str(tmp_path / "empty")  # nothing stored: parsed within the bound, and refused
    with pytest.raises(pm.PapermillExecutionError, match="max-pages"):
        pm.execute_notebook(str(config.NOTEBOOKS / "02_budget_vs_actual.ipynb"), str(tmp_path / "02b.ipynb"),
                            parameters=params, kernel_name="python3", progress_bar=False)
