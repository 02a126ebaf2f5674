"""Look up a source's entry in config/sources.yml.

Kept free of Scrapy imports so `scrapers.run` (imported by DAG tasks) stays cheap.
"""
from __future__ import annotations

from credwatch.settings import load_config


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
