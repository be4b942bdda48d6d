"""docs/openapi.yaml is the schema the code generates: regenerate it with ``make openapi`` after an
intended change to the API, and review the diff."""

import io
from pathlib import Path

import yaml
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

SCHEMA = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"


def _generated() -> str:
    out = io.StringIO()
    with translation.override(settings.LANGUAGE_CODE):  # as `manage.py spectacular` runs
        call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    return out.getvalue()


def test_the_committed_schema_is_what_the_code_generates():
    assert SCHEMA.read_text(encoding="utf-8") == _generated(), "docs/openapi.yaml drifted: run `make openapi`"


def test_every_operation_is_secured_and_documents_its_problems():
    schema = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert len(operations) >= 8
    for operation in operations:
        assert operation["security"] == [{"apiKey": []}]
        for status in ("401", "403", "429"):
            content = operation["responses"][status]["content"]
            assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/ProblemDetails"}
