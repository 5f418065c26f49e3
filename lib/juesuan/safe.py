"""Disclosure text made inert where it leaves the program: terminal lines, spreadsheet and CSV cells.

Why here and not in the readers: the tables keep the document's text as printed (Parquet holds it raw); each
output neutralises it for its own reader — a terminal obeys escape sequences, a spreadsheet evaluates a cell
that starts with = + - @ (OWASP "CSV injection").
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, and the bidirectional overrides that reorder what a terminal shows.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_KEEP_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(m: re.Match) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(value: object, newlines: bool = False) -> str:
    """Text for the terminal: every control character shown as an escape (\\x1b), never obeyed.
    With `newlines`, line breaks of a multi-line block are kept."""
    return (_CONTROL_KEEP_NEWLINE if newlines else _CONTROL).sub(_escape, str(value))


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)%?")


def formula_like(text: str) -> bool:
    """Would a spreadsheet evaluate this text? A plain signed number ("-3.5", "+2%") only reads as itself."""
    return text.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text)


def csv_cell(value: object) -> object:
    """A CSV cell: text a spreadsheet would evaluate gets a leading apostrophe (OWASP); other values
    unchanged."""
    if isinstance(value, str) and formula_like(value):
        return "'" + value
    return value


# Characters an XML 1.0 document (xlsx) cannot hold at all; openpyxl refuses them with IllegalCharacterError.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> tuple[str, int]:
    """The text without characters XML cannot hold, and how many were removed."""
    return XML_ILLEGAL.subn("", text)
