"""Shared fixtures: the bundled sample is parsed once per session."""

from __future__ import annotations

import pytest

import juesuan
from support import SEED


@pytest.fixture(scope="session")
def seed() -> juesuan.Disclosure:
    return juesuan.load(SEED)
