"""Bounds on one untrusted input: size, pages, drawing operations per page, memory and time.

Why a context variable: the readers check the bounds deep inside (before reading bytes, before pdfium loads a
page), while the values come from the command line; `using()` sets them for one parse without threading a
parameter through every reader. Defaults live in config.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from . import config

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Each field is a bound; `timeout_s` None means TIME_BASE_S + TIME_PER_PAGE_S per page."""

    max_bytes: int = config.MAX_INPUT_MB * MB
    max_pages: int = config.MAX_PAGES
    max_page_objects: int = config.MAX_PAGE_OBJECTS
    max_page_content: int = config.MAX_PAGE_CONTENT_MB * MB
    max_memory: int = config.MAX_MEMORY_MB * MB
    timeout_s: float | None = None
    ocr: str = (
        config.OCR.mode
    )  # not a bound, a reading choice that travels with them: auto | off | force (read.ocr)

    def time_bound(self, pages: int) -> float:
        """Seconds one input may take, once its page count is known."""
        if self.timeout_s is not None:
            return self.timeout_s
        return config.TIME_BASE_S + config.TIME_PER_PAGE_S * max(pages, 1)

    def time_text(self, pages: int) -> str:
        if self.timeout_s is not None:
            return f"{self.timeout_s:g} s (--timeout)"
        return (
            f"{self.time_bound(pages):g} s ({config.TIME_BASE_S:g} s + {config.TIME_PER_PAGE_S:g} s pe"
            "r page; --timeout)"
        )

    def with_(self, **changes) -> Limits:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @classmethod
    def from_args(cls, args: Any) -> Limits:
        """The bounds a command line gave (`--max-size` … `--ocr`; an option not given keeps its default)."""
        size, memory = getattr(args, "max_size", None), getattr(args, "max_memory", None)
        return cls().with_(
            max_bytes=None if size is None else int(size * MB),
            max_pages=getattr(args, "max_pages", None),
            max_page_objects=getattr(args, "max_objects", None),
            max_memory=None if memory is None else int(memory * MB),
            timeout_s=getattr(args, "timeout", None),
            ocr=getattr(args, "ocr", None),
        )


_current: ContextVar[Limits | None] = ContextVar("juesuan_limits", default=None)


def current() -> Limits:
    return _current.get() or Limits()


@contextmanager
def using(limits: Limits) -> Iterator[Limits]:
    token = _current.set(limits)
    try:
        yield limits
    finally:
        _current.reset(token)


_on_pages: ContextVar[Callable[[int], None] | None] = ContextVar("juesuan_on_pages", default=None)


def announce_pages(n: int) -> None:
    """A reader knows the page count: the worker's parent extends the time bound to match."""
    hook = _on_pages.get()
    if hook is not None:
        hook(n)


@contextmanager
def on_pages(hook: Callable[[int], None]) -> Iterator[None]:
    token = _on_pages.set(hook)
    try:
        yield
    finally:
        _on_pages.reset(token)
