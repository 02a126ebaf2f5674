"""Where credwatch reads config and writes data.

Every path derives from the project root unless overridden by an environment
variable, so tests and Airflow workers can point a run at their own folders:

- CREDWATCH_CONFIG     folder of config files       (default <root>/config)
- CREDWATCH_LAKE       raw + clean partitions        (default <root>/lake)
- CREDWATCH_WAREHOUSE  work and published databases  (default <root>/warehouse)
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Paths:
    config: Path
    lake: Path
    warehouse: Path

    @property
    def raw(self) -> Path:
        return self.lake / "raw"

    @property
    def clean(self) -> Path:
        return self.lake / "clean"

    @property
    def work_db(self) -> Path:
        # The single-writer build database; never opened by analysts.
        return self.warehouse / "work" / "credwatch_work.duckdb"

    @property
    def published_db(self) -> Path:
        return self.warehouse / "credwatch.duckdb"

    def raw_partition(self, source: str, week: str) -> Path:
        return self.raw / f"source={source}" / f"week={week}"

    def clean_partition(self, week: str) -> Path:
        return self.clean / f"week={week}"


def paths() -> Paths:
    return Paths(
        config=Path(os.environ.get("CREDWATCH_CONFIG", ROOT / "config")),
        lake=Path(os.environ.get("CREDWATCH_LAKE", ROOT / "lake")),
        warehouse=Path(os.environ.get("CREDWATCH_WAREHOUSE", ROOT / "warehouse")),
    )


@functools.lru_cache(maxsize=32)
def _load_yaml(path: str, mtime: float) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def load_config(name: str) -> dict:
    """Load `config/<name>.yml`; the error names the file and how to fix it."""
    path = paths().config / f"{name}.yml"
    if not path.exists():
        raise FileNotFoundError(
            f"config file {path} is missing; restore it from git or set CREDWATCH_CONFIG to a folder that has it"
        )
    return _load_yaml(str(path), path.stat().st_mtime)
