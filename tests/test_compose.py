"""docker-compose.yml: valid against the Compose Specification's JSON schema,
and the cluster the docs describe.

There is no Docker engine on these machines, so the file is checked
statically. The schema is the compose-spec project's `compose-spec.json`
(Apache-2.0) as shipped, with its licence, inside the `check-jsonschema`
package (a test dependency); it is validated with `jsonschema`.
"""
from __future__ import annotations

import copy
import importlib.resources
import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema.validators import validator_for

REPO = Path(__file__).resolve().parents[1]
COMPOSE = REPO / "docker-compose.yml"
SCALING = REPO / "docs" / "scaling.md"
AIRFLOW_SERVICES = {"airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
                    "airflow-triggerer", "airflow-worker"}
ONE_SHOT = {"airflow-init"}
_VAR = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}")


@pytest.fixture(scope="module")
def schema() -> dict:
    vendor = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
    assert (vendor / "licenses" / "LICENSE.compose-spec").read_text().lstrip().startswith("Apache License")
    return json.loads((vendor / "compose-spec.json").read_text())


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def _errors(schema: dict, doc: dict) -> list[str]:
    cls = validator_for(schema)
    cls.check_schema(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in cls(schema).iter_errors(doc)]


def test_compose_file_validates_against_the_compose_spec(schema, compose):
    errors = _errors(schema, compose)
    assert not errors, "docker-compose.yml does not follow the Compose Specification:\n" + "\n".join(errors)


@pytest.mark.parametrize("breakage", ["unknown service key", "healthcheck test not a list", "bad depends_on condition"])
def test_the_schema_check_catches_broken_files(schema, compose, breakage):
    broken = copy.deepcopy(compose)
    svc = broken["services"]["airflow-scheduler"]
    if breakage == "unknown service key":
        svc["healtcheck"] = svc.pop("healthcheck")
    elif breakage == "healthcheck test not a list":
        svc["healthcheck"]["test"] = 42
    else:
        svc["depends_on"] = {"postgres": {"condition": "service_happy"}}
    assert _errors(schema, broken), f"a file with {breakage} passed the schema check"


def _documented_services() -> set[str]:
    """Service names in the first column of docs/scaling.md's services table."""
    text = SCALING.read_text()
    section = text.split("## Services", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\|\s*`([a-z0-9-]+)`", section, flags=re.M))


def test_every_documented_service_exists_with_a_health_check(compose):
    documented = _documented_services()
    assert documented >= AIRFLOW_SERVICES | {"postgres", "redis"}, f"docs/scaling.md services table: {documented}"
    services = compose["services"]
    assert set(services) == documented, f"compose {sorted(services)} vs docs {sorted(documented)}"
    for name in documented - ONE_SHOT:
        hc = services[name].get("healthcheck")
        assert hc and isinstance(hc.get("test"), list) and hc["test"][0] in ("CMD", "CMD-SHELL"), f"{name} has no health check"
    for name in ONE_SHOT:
        assert services[name].get("restart") == "no"


def test_services_wait_for_healthy_dependencies(compose):
    services = compose["services"]
    for name in AIRFLOW_SERVICES:
        deps = services[name]["depends_on"]
        assert deps["postgres"]["condition"] == "service_healthy", name
        assert deps["redis"]["condition"] == "service_healthy", name
        if name not in ONE_SHOT:
            assert deps["airflow-init"]["condition"] == "service_completed_successfully", name
    assert services["airflow-worker"]["depends_on"]["airflow-apiserver"]["condition"] == "service_healthy"


def test_airflow_runs_the_project_image_with_celery(compose):
    services = compose["services"]
    images = {services[n]["image"] for n in AIRFLOW_SERVICES}
    assert len(images) == 1 and images.pop().startswith("credwatch-airflow:")
    for name in AIRFLOW_SERVICES:
        assert services[name]["build"]["dockerfile"] == "Dockerfile"
        env = services[name]["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
        mounts = {v.split(":")[1] for v in services[name]["volumes"]}
        assert {"/opt/credwatch/lake", "/opt/credwatch/warehouse"} <= mounts, name
    assert {"lake", "warehouse"} <= set(compose["volumes"])
    assert (REPO / "Dockerfile").exists()
    assert "_PIP_ADDITIONAL_REQUIREMENTS" not in COMPOSE.read_text()
    assert "pools import" in " ".join(services["airflow-init"]["command"])


def test_worker_can_be_scaled(compose):
    worker = compose["services"]["airflow-worker"]
    assert "container_name" not in worker, "a fixed container_name prevents --scale airflow-worker=N"
    assert "ports" not in worker, "published host ports prevent --scale airflow-worker=N"


def test_secrets_come_from_env_without_defaults():
    text = COMPOSE.read_text()
    used = {}
    for name, rest in _VAR.findall(text):
        used.setdefault(name, set()).add(rest)
    assert used, "compose file reads nothing from .env"
    for name, forms in used.items():
        for rest in forms:
            assert rest.startswith(":?"), f"${{{name}{rest}}} has a default or is optional; require it with :?"
    example = REPO / ".env.example"
    declared = {l.split("=", 1)[0] for l in example.read_text().splitlines() if l and not l.startswith("#")}
    assert set(used) == declared, f".env.example declares {sorted(declared)}, compose uses {sorted(used)}"
    assert all(l.endswith("=") for l in example.read_text().splitlines() if l and not l.startswith("#")), \
        ".env.example must not carry values"
    for secret in ("POSTGRES_PASSWORD", "REDIS_PASSWORD", "AIRFLOW_FERNET_KEY", "AIRFLOW_JWT_SECRET", "AIRFLOW_ADMIN_PASSWORD"):
        assert secret in used
    assert ".env" in (REPO / ".dockerignore").read_text().split()
