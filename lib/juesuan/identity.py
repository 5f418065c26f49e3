"""Which department and year a disclosure is, and whether an earlier one may stand as its prior year.

Why a module of its own: the panel (`juesuan.panel`) finds a department's earlier years with these rules and
`analysis.priors` checks the files a report is given with them; both import it, so the panel need not
import `analysis.priors` (which reads the panel).
The department is recognised by its normalised name, with its 二级预算单位 as a second signal (a renamed or
abbreviated department keeps its units).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from . import config

_OWN_UNIT = re.compile(r"[（(]本级[)）]")
_NOISE = re.compile(r"[\s“”\"'‘’（）()、，,。.:：;；·\-—_/]+")


def normalise_department(name: object) -> str:
    """NFKC, without （本级）, spaces and punctuation: '某县 人力资源和社会保障局（本级）' ≡
    '某县人力资源和社会保障局'."""
    if name is None or (isinstance(name, float) and name != name):
        return ""
    s = unicodedata.normalize("NFKC", str(name))
    return _NOISE.sub("", _OWN_UNIT.sub("", s))


@dataclass(frozen=True)
class Identity:
    """What says which department and year a disclosure is, as far as the disclosure states it."""

    doc_id: str
    department: str | None
    year: int | None
    units: frozenset[str] = field(default_factory=frozenset)
    source: str = ""

    @property
    def key(self) -> str:
        return normalise_department(self.department)

    def label(self) -> str:
        return f"{self.department or '（部门名称未识别）'} {self.year or '（年度未识别）'}"


def identity(disclosure) -> Identity:
    """The Identity of a `Disclosure`."""
    doc = disclosure.document.iloc[0]
    return Identity(
        doc_id=disclosure.doc_id,
        department=disclosure.department,
        year=disclosure.year,
        units=frozenset(normalise_department(u) for u in disclosure.units["unit_name"]),
        source=str(doc.get("source_path", "")),
    )


class DepartmentMatch(StrEnum):
    NAME = "name"  # the normalised names are equal
    UNITS = "units"  # the names differ but most 二级预算单位 are the same (renamed or abbreviated)
    OTHER = "other"
    UNKNOWN = "unknown"  # a name is missing and the units do not decide


def unit_overlap(a: Iterable[str], b: Iterable[str]) -> float:
    """Jaccard overlap of two sets of normalised unit names (0 when either is empty)."""
    a, b = set(a), set(b)
    return len(a & b) / len(a | b) if a and b else 0.0


def department_match(a: Identity, b: Identity, min_overlap: float = config.UNIT_OVERLAP) -> DepartmentMatch:
    if a.key and a.key == b.key:
        return DepartmentMatch.NAME
    if unit_overlap(a.units, b.units) >= min_overlap:
        return DepartmentMatch.UNITS
    return DepartmentMatch.OTHER if a.key and b.key else DepartmentMatch.UNKNOWN


class Problem(StrEnum):
    SAME_DOCUMENT = "same document"
    OTHER_DEPARTMENT = "another department"
    UNKNOWN_DEPARTMENT = "department unknown"
    UNKNOWN_YEAR = "year unknown"
    SAME_YEAR = "same year"
    LATER_YEAR = "later year"


@dataclass(frozen=True)
class Verdict:
    """Whether `prior` may be used as a prior year of `current`; `problems` say why not, `warning` what to
    tell."""

    current: Identity
    prior: Identity
    match: DepartmentMatch
    problems: tuple[Problem, ...]
    warning: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def reason(self) -> str:
        """One sentence (English, for the command line) naming both documents and what is wrong."""
        cur, pri = self.current.label(), self.prior.label()
        parts = []
        for p in self.problems:
            if p is Problem.SAME_DOCUMENT:
                parts.append("it is the document itself")
            elif p is Problem.OTHER_DEPARTMENT:
                parts.append(f"it is another department ({pri}, not {cur}; names and units differ)")
            elif p is Problem.UNKNOWN_DEPARTMENT:
                parts.append(f"its department cannot be confirmed ({pri} vs {cur})")
            elif p is Problem.UNKNOWN_YEAR:
                parts.append(f"a year is unknown ({pri} vs {cur})")
            elif p is Problem.SAME_YEAR:
                parts.append(f"it is the same year ({pri}, {cur})")
            else:
                parts.append(f"it is a later year ({pri}, later than {cur})")
        return "; ".join(parts)


def check_prior(current: Identity, prior: Identity, allow_other_department: bool = False) -> Verdict:
    """May `prior` be compared with `current` as its prior year? The year must be earlier, always; the
    department must be the same unless `allow_other_department` (then a differing department is a warning)."""
    problems: list[Problem] = []
    warning = ""
    if prior.doc_id == current.doc_id:
        problems.append(Problem.SAME_DOCUMENT)
    match = department_match(current, prior)
    if match in (DepartmentMatch.OTHER, DepartmentMatch.UNKNOWN):
        if allow_other_department:
            warning = f"comparing with another department on request: {prior.label()} vs {current.label()}"
        else:
            problems.append(
                Problem.OTHER_DEPARTMENT if match is DepartmentMatch.OTHER else Problem.UNKNOWN_DEPARTMENT
            )
    elif match is DepartmentMatch.UNITS:
        warning = (
            f"same units, another name: {prior.department} taken as the prior year of {current.department}"
        )
    if current.year is None or prior.year is None:
        problems.append(Problem.UNKNOWN_YEAR)
    elif prior.year == current.year:
        problems.append(Problem.SAME_YEAR)
    elif prior.year > current.year:
        problems.append(Problem.LATER_YEAR)
    return Verdict(current, prior, match, tuple(problems), warning)
