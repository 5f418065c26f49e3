"""Many documents: the process pool (--jobs: input order, isolated failures, worst status, progress, one
report kernel per worker) and the Dask sweep on a LocalCluster (year-partitioned panel)."""

from __future__ import annotations

import argparse
import io
import os
import re
import signal
import subprocess
import sys
import time

import pytest

import gen_years as g
from juesuan import config, parallel, worker
from juesuan.batch import each
from juesuan.limits import Limits, announce_pages
from juesuan.panel import Panel
from juesuan.pipeline import read_document as _real_read


def run(*args):
    return subprocess.run([sys.executable, "-m", "juesuan", *map(str, args)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("batch")
    paths = g.write_county(tmp)
    bad = tmp / "2023-not-a-disclosure.txt"
    bad.write_text("从前有座山，山里有座庙。\n" * 40, encoding="utf-8")
    return [paths["prior"], paths["current"], bad, paths["2023-tongcheng-minzheng"]]


# ---------------------------------------------------------------- the pool, through the command line


def test_pool_keeps_input_order_isolates_a_bad_file_and_returns_the_worst_status(inputs, tmp_path):
    out = tmp_path / "processed"
    r = run("parse", *inputs, "--out", out, "--jobs", "2")
    assert r.returncode == 2
    heads = [ln.split(" → ")[0] for ln in r.stdout.splitlines() if " → " in ln]
    assert heads == [str(p) for p in inputs if "not-a" not in p.name]
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and str(inputs[2]) in err[0] and "not a 部门决算 disclosure" in err[0]
    assert sorted(p.name for p in out.iterdir()) == ["2022-tongcheng-renshe", "2023-tongcheng-minzheng",
                                                     "2023-tongcheng-renshe"]
    assert all((out / d / "checks.parquet").exists() for d in ["2022-tongcheng-renshe", "2023-tongcheng-renshe"])
    single = run("parse", inputs[1], "--out", tmp_path / "one", "--no-checks")
    assert single.returncode == 0 and not (tmp_path / "one" / "2023-tongcheng-renshe" / "checks.parquet").exists()
    # the same document's lines as when it runs alone
    assert [ln for ln in r.stdout.splitlines() if ln.startswith(str(inputs[1]))][0].split(": ", 1)[1] == \
        single.stdout.splitlines()[0].split(": ", 1)[1]


def test_the_pool_writes_the_same_bytes_as_one_process(inputs, tmp_path):
    """Workers that read for themselves (and CSV built from Arrow) leave every output as the single-document
    path, with its reader process, writes it."""
    good = [p for p in inputs if "not-a" not in p.name]
    assert run("parse", *good, "--out", tmp_path / "pool", "--jobs", "2").returncode == 0
    assert run("parse", *good, "--out", tmp_path / "one", "--jobs", "1").returncode == 0

    def files(root):
        return {str(f.relative_to(root)): f.read_bytes() for f in sorted(root.rglob("*")) if f.is_file()}

    pool, one = files(tmp_path / "pool"), files(tmp_path / "one")
    assert len(pool) == 3 * 21  # 10 tables as CSV and Parquet, and the checks, for each document
    assert pool == one


def test_check_over_many_documents_in_the_pool(inputs):
    r = run("check", inputs[1], inputs[2], "--jobs", "2")
    assert r.returncode == 2 and r.stdout.startswith(f"{inputs[1]}: ") and "条规则" in r.stdout.splitlines()[0]
    assert len(r.stderr.strip().splitlines()) == 1


def test_jobs_must_be_positive():
    r = run("parse", "a.txt", "--jobs", "0")
    assert r.returncode == 2 and "--jobs" in r.stderr and "at least 1" in r.stderr


# ---------------------------------------------------------------- the pool, in process


def _fake(args: argparse.Namespace) -> int:
    """A command: prints its paths and returns the status a path names; 'die' kills its worker."""
    path = args.paths[0]
    if path == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    if path == "crash":
        raise ValueError("a bug")
    print(f"{path} done by {os.getpid()}")
    time.sleep(0.05)
    return {"ok": 0, "findings": 1, "bad": 2}.get(path.split("-")[0], 0)


def _ns(paths, command="parse", func=_fake):
    return argparse.Namespace(command=command, paths=list(paths), func=func, jobs=2)


def test_worst_status_and_order(capsys):
    paths = ["ok-1", "findings-2", "ok-3", "ok-4"]
    assert parallel.run_pool(_ns(paths), 2) == 1
    out = capsys.readouterr().out.splitlines()
    assert [ln.split()[0] for ln in out] == paths
    assert len({ln.split()[-1] for ln in out}) == 2  # two worker processes did the work


def test_a_dead_worker_or_a_crash_costs_only_its_document(capsys):
    assert parallel.run_pool(_ns(["ok-1", "die", "ok-3", "crash", "ok-5"]), 2) == 2
    cap = capsys.readouterr()
    assert [ln.split()[0] for ln in cap.out.splitlines()] == ["ok-1", "ok-3", "ok-5"]
    err = cap.err.strip().splitlines()
    assert len(err) == 2
    assert err[0].startswith("juesuan: error: die: the worker process died")
    assert err[1].startswith("juesuan: error: crash: internal error (ValueError: a bug)")


# ---------------------------------------------------------------- the pool worker as its own bounded reader


def _hostile_read(path):
    """`read_document` for the pool tests (the workers fork from this process, so they inherit the patch): a
    path's name says how its read misbehaves; any other path is read."""
    name = os.path.basename(str(path))
    if name == "sleeps":
        time.sleep(600)
    if name == "spins":  # holds the GIL in C: the worker's SIGTERM handler never runs, so it must be killed
        re.match(r"(a+)+$", "a" * 64 + "b")
    if name == "hog":
        raise MemoryError
    if name == "segv":
        import faulthandler

        faulthandler.disable()  # pytest's: no traceback dump in the test output
        os.kill(os.getpid(), signal.SIGSEGV)
    if name == "pages":  # a long PDF: its page count raises the time bound (0.5 s + 0.5 s a page here)
        announce_pages(4)
        time.sleep(1.5)
        return _real_read(g.SEED)
    return _real_read(path)


def _reads(args: argparse.Namespace) -> int:
    """A command that loads its paths the way parse/check/export do, and says who read them and how bounded."""
    import resource

    def report(path, d):
        mb = resource.getrlimit(resource.RLIMIT_AS)[0] // 2**20
        print(f"{path} {d.department} pid={os.getpid()} reader={worker._reader.proc is not None} as={mb}")
        return 0

    return each(args.paths, report, Limits.from_args(args))


@pytest.fixture
def hostile(monkeypatch):
    monkeypatch.setattr(worker, "read_document", _hostile_read)


def test_pool_workers_read_for_themselves_within_the_memory_bound(hostile, capsys):
    args = _ns([g.SEED, g.SEED, g.SEED], func=_reads)
    args.max_memory = 3000
    assert parallel.run_pool(args, 2) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3
    for line in out:  # read in the pool worker itself (no reader process), under RLIMIT_AS = --max-memory
        assert line.startswith(f"{g.SEED} {g.DEPARTMENT} pid=") and line.endswith("reader=False as=3000")


def test_a_read_past_the_time_bound_is_stopped_and_the_others_go_on(hostile, tmp_path, capsys):
    paths = [g.SEED, tmp_path / "sleeps", tmp_path / "spins", g.SEED]
    args = _ns(paths, func=_reads)
    args.timeout = 1.0
    start = time.monotonic()
    assert parallel.run_pool(args, 2) == 2
    assert time.monotonic() - start < 20  # the SIGTERM is ignored while the regex runs: killed 3 s later
    cap = capsys.readouterr()
    assert [ln.split()[0] for ln in cap.out.splitlines()] == [str(g.SEED), str(g.SEED)]
    assert cap.err.splitlines() == [
        f"juesuan: error: {tmp_path / name}: reading took longer than the time bound of 1 s (--timeout)"
        for name in ("sleeps", "spins")
    ]


def test_the_time_bound_grows_with_the_pages_a_read_announces(hostile, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(config, "TIME_BASE_S", 0.5)
    monkeypatch.setattr(config, "TIME_PER_PAGE_S", 0.5)
    monkeypatch.setattr(config, "POOL_WATCH_S", 0.05)
    # 1.5 s of reading: over the bound of one page (1 s), within that of the 4 pages it announces (2.5 s)
    assert parallel.run_pool(_ns([tmp_path / "pages", tmp_path / "sleeps"], func=_reads), 2) == 2
    cap = capsys.readouterr()
    assert cap.out.startswith(f"{tmp_path / 'pages'} {g.DEPARTMENT} ")
    assert cap.err.splitlines() == [
        f"juesuan: error: {tmp_path / 'sleeps'}: reading took longer than the time bound of 1 s (0.5 s + 0.5 s "
        "per page; --timeout)"
    ]


def test_a_read_out_of_memory_or_crashing_costs_its_document_and_its_worker(hostile, tmp_path, capsys):
    paths = [g.SEED, tmp_path / "hog", g.SEED, tmp_path / "segv", g.SEED]
    assert parallel.run_pool(_ns(paths, func=_reads), 1) == 2
    cap = capsys.readouterr()
    out = cap.out.splitlines()
    assert [ln.split()[0] for ln in out] == [str(g.SEED)] * 3
    assert len({ln.split()[2] for ln in out}) == 3  # a fresh worker after each (its state is suspect)
    memory = f"{config.MAX_MEMORY_MB:,} MB (--max-memory)"
    assert cap.err.splitlines() == [
        f"juesuan: error: {tmp_path / 'hog'}: reading needs more than its memory bound of {memory}",
        f"juesuan: error: {tmp_path / 'segv'}: the reader stopped (signal SIGSEGV): over its memory bound of "
        f"{memory}, or a damaged file",
    ]


def test_pool_workers_are_replaced_every_reader_docs_documents(monkeypatch, capsys):
    monkeypatch.setattr(config, "READER_DOCS", 2)
    assert parallel.run_pool(_ns([f"ok-{i}" for i in range(5)]), 1) == 0
    pids = [ln.split()[-1] for ln in capsys.readouterr().out.splitlines()]
    assert [pids.count(p) for p in dict.fromkeys(pids)] == [2, 2, 1]


def test_a_real_bomb_in_the_pool_is_stopped_by_a_bound(tmp_path):
    """The guard's bound raised out of reach: the pool worker's own time or memory bound ends the read."""
    from security.hostile import form_bomb

    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(form_bomb(10, 8))
    start = time.monotonic()
    r = run("parse", bomb, g.SEED, "--jobs", "2", "--max-objects", "1000000000000", "--timeout", "3",
            "--max-memory", "1500", "--out", tmp_path / "out")
    assert time.monotonic() - start < 60
    assert r.returncode == 2, r.stderr
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith(f"juesuan: error: {bomb}: ")
    assert "time bound of 3 s (--timeout)" in line or "memory bound of 1,500 MB (--max-memory)" in line, line
    assert r.stdout.startswith(f"{g.SEED} → ")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["2023-tongcheng-renshe"]


def _kernel_kept(args: argparse.Namespace) -> int:
    from juesuan.report import run as report

    print(f"{args.paths[0]} {os.getpid()} {'kernel' in report._KEEP}")
    return 0


def test_report_workers_are_told_to_keep_one_kernel(capsys):
    assert parallel.run_pool(_ns(list("abcd"), command="report", func=_kernel_kept), 2) == 0
    assert [ln.split()[::2] for ln in capsys.readouterr().out.splitlines()] == [[x, "True"] for x in "abcd"]
    assert parallel.run_pool(_ns(list("ab"), command="parse", func=_kernel_kept), 2) == 0
    assert all(ln.endswith("False") for ln in capsys.readouterr().out.splitlines())


def test_a_kept_kernel_serves_every_run_of_the_process(monkeypatch, tmp_path):
    from juesuan.report import run as report

    started, closed = [], []

    class Dummy:
        def __init__(self):
            started.append(self)

        def ensure_alive(self):
            pass

        def close(self):
            closed.append(self)

    monkeypatch.setattr(report, "_KEEP", {})
    monkeypatch.setattr(report, "_Kernel", Dummy)
    monkeypatch.setattr(report, "_run_books", lambda *a, **k: 0)
    monkeypatch.setattr(report, "_Exporter", lambda: None)
    assert report.run_reports([str(g.SEED)], prior=[], out=tmp_path / "a") == 0
    assert len(started) == 1 and len(closed) == 1  # not kept: one kernel per run, closed
    report.keep_kernel()
    for out in ("b", "c"):
        assert report.run_reports([str(g.SEED)], prior=[], out=tmp_path / out) == 0
    assert len(started) == 2 and len(closed) == 1  # kept: one more kernel for both runs, still open


def test_report_in_the_pool_end_to_end(inputs, tmp_path):
    out = tmp_path / "reports"
    r = run("report", inputs[1], inputs[3], "--jobs", "2", "--out", out)
    assert r.returncode == 0, r.stderr
    assert [ln.split(" → ")[0] for ln in r.stdout.splitlines()] == [str(inputs[1]), str(inputs[3])]
    for d in ["2023-tongcheng-renshe", "2023-tongcheng-minzheng"]:
        assert {p.name for p in (out / d).glob("*.html")} >= {"index.html", "01_yoy_change.html", "05_departments.html"}


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_on_a_terminal_only(capsys):
    tty = _Tty()
    p = parallel.Progress(3, "parse", stream=tty)
    p.advance(1)
    p.advance(2, failed=1)
    p.close()
    text = tty.getvalue()
    assert "juesuan parse" in text and "3/3" in text
    assert text.strip().splitlines()[-1].startswith("juesuan: 3 documents in") and text.rstrip().endswith("1 failed")
    quiet = io.StringIO()
    q = parallel.Progress(3, "parse", stream=quiet)
    q.advance(3)
    q.close()
    assert quiet.getvalue() == ""


# ---------------------------------------------------------------- Dask


@pytest.fixture(scope="module")
def client():
    """A tiny cluster in this process (threads), reachable over TCP so that a command can use it too."""
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", dashboard_address=":0",
                      silence_logs=40) as cluster, Client(cluster) as c:
        yield c


def test_dask_sweep_writes_a_year_partitioned_panel(client, inputs, tmp_path, capsys):
    out = tmp_path / "panel"
    assert parallel.sweep(client, inputs, out, chunk=2) == 2
    cap = capsys.readouterr()
    assert [ln.split(" → ")[0] for ln in cap.out.splitlines()] == [str(p) for p in inputs if "not-a" not in p.name]
    assert cap.err.strip().splitlines() == [f"juesuan: error: {inputs[2]}: not a 部门决算 disclosure (no 第…部分 "
                                            "structure, no 决算 tables or 情况说明 found)"]
    years = sorted(p.name for p in (out / "_panel" / "document").iterdir())
    assert years == ["year=2022", "year=2023"]
    assert len(list((out / "_panel" / "figures" / "year=2023").glob("*.parquet"))) == 2  # two tasks had 2023 docs
    with Panel(out) as p:
        assert sorted(p.document["doc_id"]) == ["2022-tongcheng-renshe", "2023-tongcheng-minzheng",
                                                "2023-tongcheng-renshe"]
        assert p.coverage().loc[g.DEPARTMENT].tolist() == [1, 1]
        assert set(p.checks["doc_id"]) == set(p.document["doc_id"])
        n = len(p.figures)
    # a second sweep of the same documents replaces them: the panel keeps each document's latest part
    assert parallel.sweep(client, inputs[:2], out, chunk=2, with_checks=False) == 0
    capsys.readouterr()
    with Panel(out) as p:
        assert len(p) == 3 and len(p.figures) == n
        assert set(p.checks["doc_id"]) == {"2023-tongcheng-minzheng"}  # the new parts were written without checks


def test_parse_dask_on_a_local_cluster_from_the_command_line(inputs, tmp_path):
    out = tmp_path / "panel"
    r = run("parse", inputs[1], inputs[2], "--dask", "--jobs", "1", "--out", out)
    assert r.returncode == 2, r.stderr
    assert r.stdout.startswith(f"{inputs[1]} → 2023-tongcheng-renshe (year=2023): units 6")
    assert len(r.stderr.strip().splitlines()) == 1 and str(inputs[2]) in r.stderr
    listing = run("panel", out)
    assert listing.returncode == 0 and listing.stdout.splitlines()[3].split() == [g.DEPARTMENT, "1"]


def test_unreachable_scheduler_is_one_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(config, "DASK_CONNECT_TIMEOUT", "1s")
    args = argparse.Namespace(command="parse", paths=[str(g.SEED)], dask="tcp://127.0.0.1:9", jobs=1,
                              out=str(tmp_path), no_checks=True, max_size=None, max_pages=None, max_objects=None,
                              max_memory=None, timeout=None)
    assert parallel.run_dask(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("juesuan: error: cannot use the Dask scheduler at tcp://127.0.0.1:9")
    assert not any(tmp_path.iterdir())


def test_parse_dask_with_a_scheduler_address(client, inputs, tmp_path):
    address = client.scheduler.address
    assert address.startswith("tcp://")
    r = run("parse", inputs[0], inputs[1], "--dask", address, "--out", tmp_path / "panel", "--no-checks",
            "--max-size", "0.1")  # the bounds apply on the workers too: the seed is over 0.1 MB
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 2 and "0.1 MB" in r.stderr, r.stderr
    r = run("parse", inputs[0], "--dask", address, "--out", tmp_path / "panel", "--no-checks")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"{inputs[0]} → 2022-tongcheng-renshe (year=2022)")
    assert list((tmp_path / "panel" / "_panel" / "document").iterdir())[0].name == "year=2022"
    assert not (tmp_path / "panel" / "_panel" / "checks").exists()
