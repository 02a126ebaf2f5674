"""DAG integrity: every DAG file imports in a DagBag without errors, uses
Airflow 3 idioms only, and declares owner, retries, tags and docs."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[1] / "dags"
DAG_FILES = sorted(p for p in DAGS.glob("*.py") if not p.name.startswith("_"))
AIRFLOW2_IDIOMS = [r"airflow\.decorators", r"execution_date", r"schedule_interval", r"\bDataset\b", r"airflow\.models\.dag import"]


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory):
    import os

    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path_factory.mktemp("airflow_home")))
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_there_are_dag_files():
    assert DAG_FILES, f"no DAG files in {DAGS}"


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_dag_file_imports_without_errors(dagbag, path):
    errors = {k: v for k, v in dagbag.import_errors.items() if Path(k).name == path.name}
    assert not errors, errors
    assert any(Path(d.fileloc).name == path.name for d in dagbag.dags.values()), f"{path.name} defines no DAG"


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_no_airflow2_idioms(path):
    text = path.read_text()
    for pattern in AIRFLOW2_IDIOMS:
        assert not re.search(pattern, text), f"{path.name} uses Airflow 2 idiom {pattern!r}"
    assert "from airflow.sdk import" in text


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_no_heavy_imports_at_top_level(path):
    top = [l for l in path.read_text().splitlines() if l.startswith(("import ", "from "))]
    for heavy in ("polars", "duckdb", "great_expectations", "scrapy", "pandas", "transforms", "warehouse", "expectations"):
        assert not any(re.search(rf"\b{heavy}\b", l) for l in top), f"{path.name} imports {heavy} at top level"


def test_dag_defaults(dagbag):
    dags = list(dagbag.dags.values())
    assert dags
    for dag in dags:
        assert dag.tags, f"{dag.dag_id} has no tags"
        assert dag.doc_md, f"{dag.dag_id} has no doc_md"
        assert dag.catchup is False or dag.catchup is True
        for t in dag.tasks:
            assert t.retries >= 2, f"{dag.dag_id}.{t.task_id} retries {t.retries} < 2"
            assert t.owner and t.owner != "airflow", f"{dag.dag_id}.{t.task_id} has no owner"


def test_weekly_dag_shape(dagbag):
    dag = dagbag.dags["credential_demand_weekly"]
    assert {t.task_id for t in dag.tasks} >= {"plan_weeks", "plan_sources", "scrape", "normalize", "load", "validate", "publish"}
    assert dag.get_task("publish").upstream_task_ids == {"validate"}
    assert dag.get_task("validate").upstream_task_ids == {"load"}
