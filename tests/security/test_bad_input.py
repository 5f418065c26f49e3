"""Every bad input: one line naming the file and the problem, exit 2, nothing written, the other files still
processed — in parse, check, export and report alike. Inputs that only looked bad are read."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import juesuan
from juesuan.errors import InputError
from security.hostile import SEED, form_bomb, run, zero_pages

TRAILER_JUNK = b"\n" + b"garbage after the end-of-file marker " * 300  # > 4 KB after %%EOF


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    """name → (path, the reason its one line must give)."""
    tmp = tmp_path_factory.mktemp("bad")
    fifo = tmp / "pipe.txt"
    os.mkfifo(fifo)
    (tmp / "zero.pdf").write_bytes(zero_pages())
    (tmp / "bomb.pdf").write_bytes(form_bomb())
    (tmp / "empty.txt").write_bytes(b"")
    return {
        "fifo": (fifo, "FIFO"),
        "dev_zero": (Path("/dev/zero"), "character device"),
        "zero_pages": (tmp / "zero.pdf", "PDF has no pages"),
        "bomb": (tmp / "bomb.pdf", "--max-objects"),
        "empty": (tmp / "empty.txt", "empty file"),
        "missing": (tmp / "missing.txt", "no such file"),
    }


def _one_line_each(result: subprocess.CompletedProcess, bad: dict) -> None:
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr
    assert len(lines) == len(bad), result.stderr
    for (path, reason), line in zip(bad.values(), lines, strict=True):
        assert str(path) in line and reason in line, line


@pytest.mark.parametrize("command", ["parse", "check", "export"])
def test_bad_inputs_one_line_each_and_the_good_file_still_runs(command, bad, tmp_path):
    out = tmp_path / "out"
    paths = [p for p, _ in bad.values()]
    extra = [] if command == "check" else ["--out", out]
    start = time.monotonic()
    result = run(command, *paths[:3], SEED, *paths[3:], *extra, timeout=120)
    assert time.monotonic() - start < 60  # no input hangs (FIFO) or grows for ever (/dev/zero, the bomb)
    assert result.returncode == 2
    _one_line_each(result, bad)
    assert str(SEED) in result.stdout  # the good file, between the bad ones, was processed
    if command != "check":
        assert sorted(p.name for p in out.iterdir()) == ["2023-tongcheng-renshe"]  # nothing for the bad ones


def test_report_bad_inputs_write_nothing(bad, tmp_path):
    out = tmp_path / "out"
    result = run("report", *[p for p, _ in bad.values()], "--out", out, timeout=120)
    assert result.returncode == 2
    _one_line_each(result, bad)
    assert not out.exists()  # no --out folder, no kernel log


def test_unreadable_file(tmp_path):
    """Permission denied. Root reads any file it may open, so as root take a file the kernel refuses even to
    root (a write-only sysctl); as anyone else, a copy of the seed with no read permission."""
    if os.geteuid() == 0:
        locked = Path("/proc/sys/vm/compact_memory")
        assert locked.exists()
    else:
        locked = tmp_path / "locked.txt"
        shutil.copy(SEED, locked)
        locked.chmod(0)
    out = tmp_path / "out"
    for command in ("parse", "check", "export"):
        result = run(command, locked, SEED, *([] if command == "check" else ["--out", out]))
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and str(locked) in lines[0] and "Permission denied" in lines[0], result.stderr
        assert str(SEED) in result.stdout
    assert [p.name for p in out.iterdir()] == ["2023-tongcheng-renshe"]


def test_out_is_an_existing_file(tmp_path):
    out = tmp_path / "taken"
    out.write_text("not a folder")
    for command in ("parse", "export"):
        result = run(command, SEED, "--out", out)
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and str(out) in lines[0] and "existing file" in lines[0], result.stderr
        assert out.read_text() == "not a folder"


@pytest.mark.parametrize("length", [246, 250])
def test_very_long_file_name_still_writes(tmp_path, length):
    long = tmp_path / ("d" * (length - 4) + ".txt")
    shutil.copy(SEED, long)
    out = tmp_path / "out"
    result = run("parse", long, "--out", out)
    assert result.returncode == 0, result.stderr
    (folder,) = out.iterdir()
    assert len(folder.name) <= juesuan.config.DOC_ID_MAX and (folder / "projects.csv").exists()


def test_junk_after_eof_is_read(tmp_path):
    pdf = tmp_path / "junk.pdf"
    pdf.write_bytes((juesuan.config.DATA_RAW / "2024-shanghai-putuo-guihuaziyuanju.pdf").read_bytes() + TRAILER_JUNK)
    d = juesuan.load(pdf)
    assert d.document.n_pages.iloc[0] == 30 and len(d.figures) > 100


def test_truncated_pdf_is_named_so(tmp_path):
    pdf = tmp_path / "cut.pdf"
    pdf.write_bytes((juesuan.config.DATA_RAW / "2024-shanghai-putuo-guihuaziyuanju.pdf").read_bytes()[:200_000])
    with pytest.raises(InputError, match="truncated PDF"):
        juesuan.load(pdf)


def test_big5_and_utf16_without_bom_are_read(tmp_path, seed):
    import opencc

    traditional = opencc.OpenCC("s2t").convert(SEED.read_text(encoding="utf-8"))
    big5 = tmp_path / "big5.txt"
    big5.write_bytes(traditional.encode("big5", errors="replace"))
    d = juesuan.load(big5)
    assert (len(d.projects), len(d.indicators), d.department) == (len(seed.projects), len(seed.indicators), seed.department)
    assert any("Big5" in m for m in d.warnings.message)
    for encoding in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes(SEED.read_text(encoding="utf-8").encode(encoding))
        d = juesuan.load(path)
        assert len(d.projects) == len(seed.projects) and d.figures.value.tolist() == seed.figures.value.tolist()


def test_random_bytes_are_still_binary(tmp_path):
    blob = tmp_path / "blob.txt"
    blob.write_bytes(os.urandom(8192))
    with pytest.raises(InputError, match="binary"):
        juesuan.load(blob)


def test_size_and_page_bounds_are_named_and_raisable(tmp_path):
    result = run("parse", SEED, "--max-size", "0.05", "--out", tmp_path / "a")
    assert result.returncode == 2 and "over the size bound of" in result.stderr and "--max-size" in result.stderr
    pdf = juesuan.config.DATA_RAW / "2024-shanghai-putuo-guihuaziyuanju.pdf"
    result = run("parse", pdf, "--max-pages", "10", "--out", tmp_path / "b")
    assert result.returncode == 2 and "30 pages, over the page bound of 10 (--max-pages)" in result.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    assert run("parse", pdf, "--max-pages", "30", "--out", tmp_path / "c").returncode == 0


def test_bomb_refused_in_seconds_and_little_memory(tmp_path):
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(form_bomb(10, 8))  # 10⁸ boxes once expanded: minutes and gigabytes if pdfium loads it
    # peak memory grown by the read, not the interpreter's imports (pandas, pyarrow: a few hundred MB)
    probe = ("import resource, sys, time, juesuan\nrss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
             "before = rss()\nt = time.monotonic()\ntry:\n    juesuan.load(sys.argv[1])\n"
             "except juesuan.InputError as e:\n    print(e)\n"
             "print(time.monotonic() - t, rss() - before)")
    result = subprocess.run([sys.executable, "-c", probe, str(bomb)], capture_output=True, text=True, timeout=60)
    message, numbers = result.stdout.strip().splitlines()
    seconds, grown_kb = map(float, numbers.split())
    assert "draws more than 200,000 objects" in message and "--max-objects" in message
    assert seconds < 5 and grown_kb < 200_000


def test_worker_bounds_stop_what_the_guard_lets_through(tmp_path):
    """With the guard's bound raised out of reach, the worker's time or memory bound still ends the read."""
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(form_bomb(10, 8))
    start = time.monotonic()
    result = run("parse", bomb, "--max-objects", "1000000000000", "--timeout", "3", "--max-memory", "1500",
                 "--out", tmp_path / "out", timeout=60)
    assert time.monotonic() - start < 30
    assert result.returncode == 2, result.stderr
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and str(bomb) in line
    assert "time bound of 3 s (--timeout)" in line or "memory bound of 1,500 MB (--max-memory)" in line, line
    assert not (tmp_path / "out").exists()
