"""The closed vocabularies of the code, as StrEnums: a typo is an AttributeError, not a silent new category.

Values are the strings stored in the tables, so outputs are unchanged; display labels live in labels.py."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """Which pipeline stage raised a warning (warnings.stage)."""

    READ = "read"
    OCR = "read:ocr"
    SEGMENT = "segment"
    VALIDATE = "validate"
    EXPORT = "export"
    FIGURES = "extract:figures"
    STATEMENTS = "extract:statements"
    PROJECTS = "extract:projects"
    INDICATORS = "extract:indicators"
    DEPARTMENT_GOALS = "extract:department_goals"
    UNITS = "extract:units"
    LINE_ITEMS = "extract:line_items"
    PROJECT_OUTPUTS = "extract:project_outputs"


class SourceKind(StrEnum):
    """What a disclosure was read from (document.source_kind)."""

    TEXT = "text"
    PDF = "pdf"


class Status(StrEnum):
    """The result of one rule instance (checks.status): a rule whose inputs are missing is not_assessable."""

    PASS = "pass"
    FAIL = "fail"
    NOT_ASSESSABLE = "not_assessable"


class Severity(StrEnum):
    """How much a failed check matters (checks.severity), in ranking order."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
