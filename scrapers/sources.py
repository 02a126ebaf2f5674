"""Look up a source's entry in config/sources.yml, and its API credentials.

Kept free of Scrapy imports so `scrapers.run` (imported by DAG tasks) stays cheap.

Credentials (USAJOBS) never live in code or config. An entry names where they
come from:

    auth:
      api_key_env: USAJOBS_API_KEY      # environment variables, read first
      email_env: USAJOBS_EMAIL
      airflow_conn_id: usajobs          # else this Airflow connection: login = e-mail, password = key

`scrapers.run` resolves the Airflow connection in the parent process (the
Airflow task) and hands the values to the crawl subprocess as those
environment variables; the spider only reads the environment. The offline
snapshot web accepts any key: in snapshot mode, and only there, the entry's
`snapshot.credentials` placeholders stand in when the variables are unset.
"""
from __future__ import annotations

import os

from credwatch.settings import load_config

AUTH_FIELDS = ("api_key", "email")


def sources_config() -> dict:
    return load_config("sources")


def source_entry(name: str) -> dict:
    """The `sources:` entry called `name`; the error lists the names that exist."""
    entries = sources_config().get("sources") or []
    for entry in entries:
        if entry.get("name") == name:
            return entry
    known = ", ".join(sorted(str(e.get("name")) for e in entries)) or "none"
    raise ValueError(
        f"source {name!r} is not in config/sources.yml (known sources: {known}); "
        "add an entry there or pass one of the known names"
    )


def source_option(entry: dict, key: str, snapshot_mode: bool, default=None):
    """A setting of a source entry; in snapshot mode its `snapshot:` block wins."""
    block = entry.get("snapshot") or {}
    if snapshot_mode and key in block:
        return block[key]
    return entry.get(key, default)


def auth_env_names(entry: dict) -> dict[str, str]:
    """{field: environment variable} of an entry with `auth:`, {} for sources without."""
    auth = entry.get("auth") or {}
    return {f: str(auth[f"{f}_env"]) for f in AUTH_FIELDS if auth.get(f"{f}_env")}


def missing_credentials_message(entry: dict) -> str:
    names = auth_env_names(entry)
    conn = (entry.get("auth") or {}).get("airflow_conn_id")
    where = " and ".join(names.values())
    also = (f", or define the Airflow connection {conn!r} (login = the e-mail, password = the API key)"
            if conn else "")
    return (f"source {entry.get('name')!r} needs API credentials: set the environment variables {where}{also}; "
            "credentials are never read from code or config/sources.yml")


def credentials(entry: dict, snapshot_mode: bool, environ: dict | None = None) -> dict[str, str]:
    """{field: value} for a source with `auth:`; ValueError naming the env vars when missing."""
    names = auth_env_names(entry)
    if not names:
        return {}
    env = os.environ if environ is None else environ
    values = {f: (env.get(var) or "").strip() for f, var in names.items()}
    if all(values.values()):
        return values
    if snapshot_mode:
        placeholders = (entry.get("snapshot") or {}).get("credentials") or {}
        if all(placeholders.get(f) for f in names):
            return {f: str(placeholders[f]) for f in names}
    raise ValueError(missing_credentials_message(entry))


def airflow_credentials_env(entry: dict) -> dict[str, str]:
    """Environment variables for the crawl subprocess, from the entry's Airflow connection.

    {} when the source needs no credentials, when the variables are already
    set, or when there is no Airflow / connection to read (the crawl then fails
    with `missing_credentials_message`). Importing Airflow costs seconds, so
    this only runs for sources with `auth:` whose variables are unset.
    """
    names = auth_env_names(entry)
    conn_id = (entry.get("auth") or {}).get("airflow_conn_id")
    if not names or not conn_id or all((os.environ.get(v) or "").strip() for v in names.values()):
        return {}
    try:
        from airflow.sdk import Connection
        from airflow.sdk.exceptions import AirflowNotFoundException
    except ImportError:
        return {}
    try:
        conn = Connection.get(str(conn_id))
    except AirflowNotFoundException:
        return {}
    values = {"email": conn.login, "api_key": conn.password}
    return {var: str(values[f]) for f, var in names.items() if values.get(f)}
