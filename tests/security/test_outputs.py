"""Outputs that never lose data: colliding stems get their own folders, reports swap in whole after a kill,
concurrent writers take turns, leftovers of killed runs are cleaned."""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pandas as pd

import juesuan
from juesuan import outdir
from juesuan.report import run as report
from juesuan.write import write_tables
from security.hostile import SEED, run, seed_with

OTHER = {"项目名称 工伤病残等级鉴定费": "项目名称 另一份文件的项目"}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _owner_sha(folder: Path) -> str:
    return pd.read_parquet(folder / "document.parquet").sha256.iloc[0]


def _expected(out: Path, paths: list[Path]) -> list[str]:
    """The plain slug goes to whichever document was written first (inputs may run in parallel); every other
    colliding document gets the slug plus its sha256 prefix."""
    first = outdir.owner(out / "disclosure")
    return sorted(["disclosure"] + [f"disclosure-{_sha(p)[:8]}" for p in paths if _sha(p) != first])


def test_colliding_stems_get_distinct_folders_and_rerun_replaces_in_place(tmp_path):
    a = seed_with(tmp_path / "a", "disclosure.txt", {})
    b = seed_with(tmp_path / "b", "disclosure.txt", OTHER)
    c = seed_with(tmp_path / "b", "Disclosure_.txt", {"项目名称 工伤病残等级鉴定费": "项目名称 第三份"})
    out = tmp_path / "out"
    result = run("parse", a, b, c, "--out", out)
    assert result.returncode == 0, result.stderr
    folders = sorted(p.name for p in out.iterdir())
    assert folders == _expected(out, [a, b, c]) and len(folders) == 3
    for path in (a, b, c):  # each folder holds its own document, and its tables carry that doc_id
        (folder,) = [out / f for f in folders if _owner_sha(out / f) == _sha(path)]
        assert set(pd.read_parquet(folder / "projects.parquet").doc_id) == {folder.name}
        if path == b:
            assert "另一份文件的项目" in set(pd.read_parquet(folder / "projects.parquet").project_name)
    inodes = {f: (out / f / "document.csv").stat().st_ino for f in folders}
    again = run("parse", c, b, a, "--out", out)  # another run, other order: same folders, each replaced in place
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in out.iterdir()) == folders
    for f in folders:
        assert (out / f / "document.csv").stat().st_ino != inodes[f]


def test_same_content_at_two_paths_is_one_document(tmp_path):
    one = seed_with(tmp_path / "x", "copy.txt", {})
    two = seed_with(tmp_path / "y", "copy.txt", {})
    out = tmp_path / "out"
    assert run("parse", one, two, "--out", out).returncode == 0
    assert [p.name for p in out.iterdir()] == ["copy"]


def test_export_and_report_folders_follow_the_owner(tmp_path):
    a = seed_with(tmp_path / "a", "disclosure.txt", {})
    b = seed_with(tmp_path / "b", "disclosure.txt", OTHER)
    out = tmp_path / "reports"
    assert run("export", a, b, "--out", out).returncode == 0
    folders = sorted(p.name for p in out.iterdir())
    assert folders == _expected(out, [a, b]) and len(folders) == 2
    assert {outdir.owner(out / f) for f in folders} == {_sha(a), _sha(b)}
    for f in folders:
        assert [p.name for p in (out / f).iterdir()] == [f"{f}-audit.xlsx"]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_report_is_atomic_after_kill_and_concurrent_reports_take_turns(tmp_path):
    out = tmp_path / "reports"
    first = run("report", SEED, "--out", out)
    assert first.returncode == 0, first.stderr
    doc = out / "2023-tongcheng-renshe"
    before = _snapshot(doc)
    cmd = [sys.executable, "-m", "juesuan", "report", str(SEED), "--out", str(out)]
    victim = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(out.glob(".juesuan-tmp-*/*.ipynb")):
        time.sleep(0.05)
    assert list(out.glob(".juesuan-tmp-*/*.ipynb")), "the second report never started a notebook"
    waiting = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # waits for the lock
    time.sleep(0.5)
    victim.send_signal(signal.SIGKILL)  # kill -9 in the middle of a notebook
    victim.wait()
    assert _snapshot(doc) == before  # the old report set, whole: nothing of the killed run in it
    stdout, stderr = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, stderr
    after = _snapshot(doc)
    assert sorted(after) == sorted(before)
    for name in after:  # every notebook complete and valid
        if name.endswith(".ipynb"):
            nbformat.validate(nbformat.reads(after[name].decode("utf-8"), as_version=4))
    assert not list(out.glob(".*"))  # the killed run's staging folder is gone
    leftover = Path(os_tmp()) / f"{report.KERNEL_PREFIX}{victim.pid}-dead"
    leftover.mkdir()
    report._clean_kernel_dirs()  # what the next run does with a killed run's kernel folder
    assert not leftover.exists()


def os_tmp() -> str:
    import tempfile

    return tempfile.gettempdir()


def test_report_on_unusable_input_creates_nothing(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = run("report", empty, "--out", tmp_path / "out")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def _writer(out: str, n: int, errors) -> None:
    d = juesuan.load(SEED)
    try:
        for _ in range(n):
            write_tables(d, Path(out))
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        errors.put(repr(exc))


def test_concurrent_write_tables_serialise_and_readers_never_miss_the_folder(tmp_path):
    out = tmp_path / "out"
    write_tables(juesuan.load(SEED), out)
    target = out / "2023-tongcheng-renshe"
    missing, stop = [], threading.Event()

    def read():
        while not stop.is_set():
            if not (target / "projects.parquet").exists():
                missing.append(time.monotonic())

    reader = threading.Thread(target=read)
    reader.start()
    ctx = mp.get_context("spawn")
    errors = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(str(out), 4, errors)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    stop.set()
    reader.join()
    assert all(p.exitcode == 0 for p in procs)
    assert errors.empty()
    assert not missing
    assert [p.name for p in out.iterdir()] == ["2023-tongcheng-renshe"]
    assert len(pd.read_parquet(target / "projects.parquet")) == 26


def test_a_run_waits_for_the_lock_of_its_output_folder(tmp_path):
    out = tmp_path / "reports"
    with outdir.locked(out):
        proc = subprocess.Popen([sys.executable, "-m", "juesuan", "export", str(SEED), "--out", str(out)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(4)
        assert proc.poll() is None and not (out / "2023-tongcheng-renshe").exists()
    assert proc.wait(120) == 0
    assert (out / "2023-tongcheng-renshe" / "2023-tongcheng-renshe-audit.xlsx").exists()


def test_leftovers_of_killed_runs_are_removed_on_the_next_run(tmp_path):
    out = tmp_path / "out"
    legacy = out / ".pages.k2j3h4g5"  # what an earlier version's killed parse left
    legacy.mkdir(parents=True)
    (legacy / "document.csv").write_text("x")
    (out / ".juesuan-tmp-x-abc").mkdir()
    (out / ".kernel.log").write_text("")
    mine = out / ".my-notes"  # not ours: kept
    mine.mkdir()
    assert run("parse", SEED, "--out", out).returncode == 0
    assert sorted(p.name for p in out.iterdir()) == [".my-notes", "2023-tongcheng-renshe"]
    assert os.listdir(mine) == []
