"""docs/data-dictionary.md must describe exactly the tables the DDL defines."""
from __future__ import annotations

from warehouse.dictionary import DOC, render
from warehouse.models import tables


def test_data_dictionary_is_current():
    assert DOC.read_text(encoding="utf-8") == render(), "run `credwatch data-dictionary` and commit docs/data-dictionary.md"


def test_every_table_documents_grain_key_and_comment():
    text = render()
    for t in tables():
        assert f"## {t.name}" in text
        assert t.grain and t.key, t.name
        assert f"COMMENT ON TABLE {t.name}" in t.ddl, f"{t.name} has no COMMENT ON TABLE"
