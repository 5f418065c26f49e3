"""Output folders: one lock per folder, doc_ids that never take another document's folder, whole-folder swaps.

Every writer (parse's tables, report's notebooks, export's workbook) goes through `claim()`: it takes the
folder's lock, removes what killed runs left, picks the document's folder, and hands out a staging folder
that `swap()` puts in place in one step. Why a lock file outside the output folder: the folder then holds
only outputs, and a lock dies with its process (flock), so a killed run never leaves the folder locked.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import config, labels
from .errors import OutputError

TMP_PREFIX = ".juesuan-tmp-"
OLD_PREFIX = ".juesuan-old-"
_LOCKS: dict[str, object] = {}  # one FileLock per folder per process (flock is per open file)


def atomic_write(path: Path, text: str) -> None:
    """Write a text file whole or not at all (a reader never sees half a page)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _lock_file(out: Path) -> Path:
    folder = Path(tempfile.gettempdir()) / "juesuan-locks"
    folder.mkdir(mode=0o1777, exist_ok=True)  # shared by every user, like /tmp itself
    key = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:32]
    return folder / f"{key}.lock"


def usable(out: Path) -> Path:
    """The output folder, created; an existing file there or a folder we cannot write is one OutputError."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(out, "--out is an existing file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(out, f"cannot create the output folder ({exc.strerror or exc})") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputError(out, "cannot write into the output folder (permission denied)")
    return out


@contextmanager
def locked(out: Path) -> Iterator[Path]:
    """Hold the output folder's lock: concurrent runs into one folder take turns (or give up with one
    line)."""
    from filelock import FileLock, Timeout

    out = usable(out)
    path = _lock_file(out)
    lock = _LOCKS.setdefault(str(path), FileLock(str(path), mode=0o666))
    try:
        lock.acquire(timeout=config.LOCK_TIMEOUT_S)
    except Timeout:
        raise OutputError(
            out, f"output folder is in use by another juesuan run (waited {config.LOCK_TIMEOUT_S:g} s)"
        ) from None
    try:
        clean_leftovers(out)
        yield out
    finally:
        lock.release()


# ---------------------------------------------------------------- which document owns a folder

_INDEX_SHA = re.compile(r"<th>SHA-256</th><td>([0-9a-f]{64})</td>")


def owner(folder: Path) -> str | None:
    """sha256 of the document whose outputs are in `folder`; "" when the folder holds none; None when it holds
    outputs that name no document (never taken over)."""
    if not folder.is_dir():
        return ""
    names = [p.name for p in folder.iterdir() if not p.name.startswith(".")]
    if not names:
        return ""
    if "document.parquet" in names:
        import pyarrow.parquet as pq

        try:
            shas = pq.read_table(folder / "document.parquet", columns=["sha256"]).column("sha256").to_pylist()
            return shas[0] if shas else None
        except Exception:  # noqa: BLE001 - damaged: nobody's
            return None
    if "index.html" in names:
        m = _INDEX_SHA.search((folder / "index.html").read_text(encoding="utf-8", errors="replace"))
        return m.group(1) if m else None
    workbooks = [n for n in names if n.endswith("-audit.xlsx")]
    if workbooks:
        return _workbook_sha(folder / workbooks[0])
    return None


def _workbook_sha(path: Path) -> str | None:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True)
        try:
            rows = list(wb[labels.SHEETS["document"]].iter_rows(min_row=1, max_row=2, values_only=True))
        finally:
            wb.close()
        return str(rows[1][list(rows[0]).index(labels.COLUMNS["sha256"])])
    except Exception:  # noqa: BLE001 - unreadable: nobody's
        return None


def doc_folder(out: Path, doc_id: str, sha: str) -> str:
    """The doc_id whose folder this document may (re)write: its own id, unless that folder holds another
    document's outputs; then the id plus a sha256 prefix (and longer prefixes should that collide too)."""
    for n in (0, 8, 16, 64):
        candidate = f"{doc_id}-{sha[:n]}" if n else doc_id
        held = owner(out / candidate)
        if held == "" or held == sha:
            return candidate
    raise OutputError(out / doc_id, "every folder name for this document is taken by another document")


# ---------------------------------------------------------------- staging and swapping


def staging(out: Path, doc_id: str) -> Path:
    """A fresh hidden folder in `out` (so the final rename stays on one file system), with normal
    permissions."""
    tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{doc_id[:40]}-", dir=out))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes 0700; the outputs are ordinary files
    return tmp


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where the system or file system cannot."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b))


def swap(staged: Path, target: Path) -> None:
    """Put a finished staging folder at `target` in one step: a reader sees the old outputs or the new, never
    a mixture and never no folder (where the system can exchange two paths atomically)."""
    try:
        if not target.exists():
            os.rename(staged, target)
            return
        if _exchange(staged, target):
            shutil.rmtree(staged, ignore_errors=True)  # it now holds the old outputs
            return
        old = Path(tempfile.mkdtemp(prefix=f"{OLD_PREFIX}{target.name[:40]}-", dir=target.parent))
        os.rename(target, old / "x")
        os.rename(staged, target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise


# ---------------------------------------------------------------- what killed runs leave


_LEGACY_TMP = re.compile(r"^\.(?P<id>.+)\.(?:old|[a-z0-9_]{8})$")  # earlier versions' staging folders
_TABLE_FILE = re.compile(r"^[a-z_]+\.(?:csv|parquet)$")


def clean_leftovers(out: Path) -> None:
    """Remove staging folders of runs that were killed (called under the folder's lock). Only the hidden
    entries of `out` are looked at, so the cost does not grow with the documents already written there."""
    with os.scandir(out) as entries:
        hidden = [e for e in entries if e.name.startswith(".")]
    for entry in hidden:
        name, path = entry.name, Path(entry.path)
        if name.startswith((TMP_PREFIX, OLD_PREFIX)) and entry.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif name == ".kernel.log" and entry.is_file():
            path.unlink(missing_ok=True)
        elif (
            _LEGACY_TMP.match(name)
            and entry.is_dir()
            and all(_TABLE_FILE.match(f.name) for f in path.iterdir())
        ):
            shutil.rmtree(path, ignore_errors=True)


def clean_folder(folder: Path) -> None:
    """Remove the half-written files (*.tmp) a killed run left in one document's folder."""
    if folder.is_dir():
        for f in folder.iterdir():
            if f.name.endswith(".tmp") and f.is_file():
                f.unlink(missing_ok=True)


@dataclass
class Claim:
    """A document's place in an output folder, held under the folder's lock."""

    out: Path
    doc_id: str

    @property
    def target(self) -> Path:
        return self.out / self.doc_id


@contextmanager
def claim(out: Path, doc_id: str, sha: str) -> Iterator[Claim]:
    """Lock `out`, clean leftovers, and pick the folder this document writes (see `doc_folder`)."""
    with locked(out) as folder:
        place = Claim(folder, doc_folder(folder, doc_id, sha))
        clean_folder(place.target)
        yield place
