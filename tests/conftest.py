"""Shared fixtures. Paths are anchored to this file, never to the CWD."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


@pytest.fixture
def lake(tmp_path, monkeypatch):
    """An isolated lake + warehouse for one test."""
    monkeypatch.setenv("CREDWATCH_LAKE", str(tmp_path / "lake"))
    monkeypatch.setenv("CREDWATCH_WAREHOUSE", str(tmp_path / "warehouse"))
    return tmp_path


def shared_data(*parts: str) -> Path:
    """A file under ../shared/data, or a visible skip when it is absent
    (a fresh clone has no ../shared)."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (tests-only data from ../shared/data); not present in this checkout")
    return path
