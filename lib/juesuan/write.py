"""Write a Disclosure's tables to data/processed/<doc_id>/ atomically: all files appear at once or none do."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from .model import Disclosure
from .schemas import MODELS


def write_tables(disclosure: Disclosure, out_dir: Path) -> Path:
    for name, df in disclosure.tables().items():  # pandera itself, before anything reaches disk
        MODELS[name].validate(df)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / disclosure.doc_id
    tmp = Path(tempfile.mkdtemp(prefix=f".{disclosure.doc_id}.", dir=out_dir))
    try:
        for name, df in disclosure.tables().items():
            df.to_csv(tmp / f"{name}.csv", index=False, encoding="utf-8-sig")
            df.to_parquet(tmp / f"{name}.parquet", index=False)
        old = None
        if target.exists():
            old = out_dir / f".{disclosure.doc_id}.old"
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
        tmp.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target
