"""The JSON Schemas of the --json outputs (gogen/schemas/*.schema.json, `gogen schema NAME`).

- The shipped files are what gogen/schemas.py generates from the model now (no drift), and
  valid draft 2020-12 schemas.
- What `scan --json` and `plan --json` print for every fixture, `context --json` for a few, and
  a verify report built from gogen/verify.py's dataclasses validate; a document with an unknown
  property, a wrong type, a value outside a Literal or another schema_version does not.
- `gogen schema NAME` prints the shipped file; the wheel ships the files.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from gogen import api, report, schemas
from gogen.verify import Step, VerifyReport
from tests.conftest import FIXTURES, ROOT, fixture_cases
from tests.repo_builder import copy_fixture, gogen

SHIPPED = ROOT / "gogen" / "schemas"


@cache
def validator(name: str) -> Any:
    """A draft 2020-12 validator of the shipped schema `name`."""
    return jsonschema.Draft202012Validator(json.loads((SHIPPED / f"{name}.schema.json").read_text()))


def errors(name: str, document: object) -> list[str]:
    """Why `document` does not validate against schema `name` (empty: it does)."""
    found = validator(name).iter_errors(document)
    return sorted(f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in found)


def printed(*args: str | Path, codes: tuple[int, ...] = (0,)) -> Any:
    """What a gogen command prints on stdout, parsed as JSON, after it exited with one of `codes`."""
    result = gogen(*args)
    assert result.returncode in codes, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("name", list(schemas.DOCUMENTS))
def test_the_shipped_schemas_are_generated_from_the_model(name: str) -> None:
    shipped = (SHIPPED / f"{name}.schema.json").read_text()
    assert schemas.schema_text(name) == shipped, "the model changed: run `python -m gogen.schemas` and review the diff"
    jsonschema.Draft202012Validator.check_schema(json.loads(shipped))
    assert sorted(path.name for path in SHIPPED.iterdir()) == sorted(f"{n}.schema.json" for n in schemas.DOCUMENTS)


def test_the_model_objects_are_closed_and_every_field_is_required() -> None:
    plan = json.loads((SHIPPED / "plan.schema.json").read_text())
    objects = [plan, *plan["$defs"].values()]
    assert all(o["additionalProperties"] is False and o["required"] == list(o["properties"]) for o in objects)
    assert plan["properties"]["cgo_mode"] == {"enum": ["off", "glibc", "musl", "musl-static"]}
    assert plan["properties"]["labels"]["items"] == {
        "type": "array",
        "prefixItems": [{"type": "string"}, {"type": "string"}],
        "items": False,
        "minItems": 2,
    }
    scan = json.loads((SHIPPED / "scan.schema.json").read_text())
    assert scan["properties"]["go_version"] == {"type": ["string", "null"]}
    assert scan["properties"]["workspace"] == {"anyOf": [{"$ref": "#/$defs/Workspace"}, {"type": "null"}]}
    assert scan["$defs"]["Main"]["properties"]["role"]["enum"] == [
        "app",
        "example",
        "test-fixture",
        "generator",
        "tool",
    ]


def test_a_type_the_generator_does_not_know_is_an_error() -> None:
    with pytest.raises(TypeError, match="no JSON Schema for the type"):
        schemas._value(dict[str, str], {})


@pytest.mark.parametrize("case", fixture_cases())
def test_scan_json_of_every_fixture_validates(case: str) -> None:
    document = printed("scan", "--json", FIXTURES / case / "repo")
    assert next(iter(document)) == "schema_version" and document["schema_version"] == schemas.SCHEMA_VERSION
    assert errors("scan", document) == []


@pytest.mark.parametrize("case", fixture_cases())
def test_plan_json_of_every_fixture_validates(case: str) -> None:
    result = gogen("plan", "--json", FIXTURES / case / "repo")
    if result.returncode == 2:
        pytest.skip(f"{case} is refused a plan: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr
    assert errors("plan", json.loads(result.stdout)) == []


@pytest.mark.parametrize("case", ["multi-cmd", "hostile-names", "embed-static", "vendored"])
def test_context_json_validates(case: str) -> None:
    assert errors("context", printed("context", "--json", FIXTURES / case / "repo")) == []


def test_context_json_with_problems_validates(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    (repo / ".env").write_text("TOKEN=x\n")
    (repo / ".dockerignore").write_text("*.go\n")
    document = printed("context", "--json", repo, codes=(1,))
    assert {problem["kind"] for problem in document["problems"]} == {"needed-excluded", "secret-included"}
    assert errors("context", document) == []


def verify_report(**changes: Any) -> VerifyReport:
    """A report as gogen/verify.py builds one after a build, a run and a rebuild."""
    values: dict[str, Any] = {
        "image": "gogen-verify:quotes",
        "target": None,
        "image_bytes": 12_500_000,
        "binary_bytes": 6_100_000,
        "user": "65532:65532",
        "build_seconds": 41.5,
        "rebuild_seconds": 3,
        "edited_file": "main.go",
        "rerun_steps": ("[build 4/4] RUN go build",),
        "run_exit_code": 0,
        "run_output": "hello\n",
        "steps": (Step("build", "RUN go mod download", True), Step("build", "RUN go build", False)),
    }
    return VerifyReport(**{**values, **changes})


@pytest.mark.parametrize(
    "changes",
    [{}, {"target": "worker", "binary_bytes": None, "run_exit_code": None, "steps": ()}],
    ids=["full", "bare"],
)
def test_a_verify_report_validates(changes: dict[str, Any]) -> None:
    document = json.loads(report.escape_controls_json(api.json_document(verify_report(**changes))))
    assert errors("verify", document) == []


def _scan_document() -> Any:
    return printed("scan", "--json", FIXTURES / "multi-cmd" / "repo")


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ((), {"surprise": 1}, "Additional properties are not allowed ('surprise' was unexpected)"),
        (("mains", 0), {"surprise": 1}, "mains/0: Additional properties are not allowed"),
        (("go_version",), 1.27, "go_version: 1.27 is not of type 'string', 'null'"),
        (("vendor",), "no", "vendor: 'no' is not of type 'boolean'"),
        (("mains", 0, "role"), "daemon", "mains/0/role: 'daemon' is not one of"),
        (("mains", 0, "ports", 0, "port"), "8080", "mains/0/ports/0/port: '8080' is not of type 'integer'"),
        (("schema_version",), 2, "schema_version: 1 was expected"),
    ],
)
def test_a_document_that_breaks_the_schema_does_not_validate(path: tuple[Any, ...], value: Any, expected: str) -> None:
    document = copy.deepcopy(_scan_document())
    assert errors("scan", document) == []
    target = document
    for key in path[:-1]:
        target = target[key]
    if path:
        target[path[-1]] = value
    else:
        document.update(value)
    found = errors("scan", document)
    assert any(expected in error for error in found), found


def test_a_document_without_its_schema_version_does_not_validate() -> None:
    document = _scan_document()
    del document["schema_version"]
    assert errors("scan", document) == [": 'schema_version' is a required property"]


def test_gogen_schema_prints_the_shipped_file() -> None:
    result = gogen("schema", "plan")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (SHIPPED / "plan.schema.json").read_text() == api.schema("plan")
    assert json.loads(result.stdout)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_an_unknown_schema_names_the_choices() -> None:
    result = gogen("schema", "explain")
    assert (result.returncode, result.stdout) == (2, "")
    assert (
        result.stderr == "gogen: error: schema: unknown schema 'explain' (choose one of scan, plan, context, verify)\n"
    )


def test_the_wheel_ships_the_schemas(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = tmp_path.glob("gogen-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        for name in schemas.DOCUMENTS:
            member = f"gogen/schemas/{name}.schema.json"
            assert archive.read(member).decode() == (SHIPPED / f"{name}.schema.json").read_text(), member
