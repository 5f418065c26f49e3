"""Fixtures of the hostile-input suite."""

from __future__ import annotations

import pytest

from security.hostile import SEED


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")
