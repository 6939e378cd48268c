"""JSON Schemas (draft 2020-12) of what `scan`, `plan`, `context` and `verify` print with --json.

The schemas are derived from the dataclasses those commands print (gogen/model.py, the context
and verify reports), walking their fields and type hints, so that a field added to the model is
a field of the schema. The generated files are shipped as package data in gogen/schemas/ (and
printed by `gogen schema NAME`); tests/test_schemas.py regenerates them and fails when they
drift. After changing the model, regenerate them with `python -m gogen.schemas`.

Every field is required: `to_jsonable` writes every field, defaulted or not. Objects admit no
other property, so a tool can tell a renamed field from a missing one.
"""

from __future__ import annotations

import dataclasses
import json
import types
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from gogen.context import ContextReport
from gogen.model import Plan, Project
from gogen.verify import VerifyReport

SCHEMA_VERSION = 1
"""The version every --json document carries as `schema_version`: raised when a change to the
model would make a document fail the previous schema (a field renamed or removed, a type changed)."""

DOCUMENTS: dict[str, type[Any]] = {"scan": Project, "plan": Plan, "context": ContextReport, "verify": VerifyReport}
"""The commands whose --json output has a schema, and the dataclass each prints."""

DIALECT = "https://json-schema.org/draft/2020-12/schema"

_PRIMITIVES: dict[object, str] = {str: "string", bool: "boolean", int: "integer", float: "number", type(None): "null"}

JsonSchema = dict[str, Any]


def schema(name: str) -> JsonSchema:
    """The JSON Schema of `gogen NAME --json`: the root dataclass's fields, plus `schema_version`."""
    root = DOCUMENTS[name]
    definitions: dict[str, JsonSchema] = {}
    body = _object(root, definitions)
    body["properties"] = {"schema_version": {"const": SCHEMA_VERSION}, **body["properties"]}
    body["required"] = ["schema_version", *body["required"]]
    return {
        "$schema": DIALECT,
        "title": f"gogen {name} --json",
        "description": f"What `gogen {name} --json` prints: a {root.__name__}, with schema_version {SCHEMA_VERSION}.",
        **body,
        "$defs": dict(sorted(definitions.items())),
    }


def schema_text(name: str) -> str:
    """`schema(name)` as the file gogen ships: deterministic JSON, two-space indents."""
    return json.dumps(schema(name), indent=2, ensure_ascii=False) + "\n"


def shipped(name: str) -> str:
    """The schema file of `name` as installed with gogen (package data)."""
    return (resources.files("gogen") / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")


def _object(cls: type[Any], definitions: dict[str, JsonSchema]) -> JsonSchema:
    """A dataclass as a closed object: every field required, no other property."""
    hints = get_type_hints(cls)
    fields = dataclasses.fields(cls)
    return {
        "type": "object",
        "properties": {field.name: _value(hints[field.name], definitions) for field in fields},
        "required": [field.name for field in fields],
        "additionalProperties": False,
    }


def _reference(cls: type[Any], definitions: dict[str, JsonSchema]) -> JsonSchema:
    """A nested dataclass, defined once under $defs by its class name."""
    name = cls.__name__
    if name not in definitions:
        definitions[name] = {}  # taken before the walk, so that a class that refers to itself ends
        definitions[name] = _object(cls, definitions)
    return {"$ref": f"#/$defs/{name}"}


def _value(hint: object, definitions: dict[str, JsonSchema]) -> JsonSchema:
    """The schema of one type hint: primitives, Literals, unions with None, tuples, dataclasses."""
    origin, arguments = get_origin(hint), get_args(hint)
    if hint in _PRIMITIVES:
        return {"type": _PRIMITIVES[hint]}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _reference(hint, definitions)
    if origin is Literal:
        return {"enum": list(arguments)}
    if origin in (Union, types.UnionType):
        return _union([_value(argument, definitions) for argument in arguments])
    if origin is tuple and len(arguments) == 2 and arguments[1] is Ellipsis:
        return {"type": "array", "items": _value(arguments[0], definitions)}
    if origin is tuple:
        items = [_value(argument, definitions) for argument in arguments]
        return {"type": "array", "prefixItems": items, "items": False, "minItems": len(items)}
    raise TypeError(f"no JSON Schema for the type {hint!r}: add it to gogen/schemas.py")


def _union(options: list[JsonSchema]) -> JsonSchema:
    """`str | None` as `{"type": ["string", "null"]}`; anything else as anyOf."""
    if all(option.keys() == {"type"} for option in options):
        return {"type": [option["type"] for option in options]}
    return {"anyOf": options}


def write_all(directory: Path) -> list[Path]:
    """Write every schema into `directory` as `<name>.schema.json`; the paths written."""
    written = []
    for name in DOCUMENTS:
        target = directory / f"{name}.schema.json"
        target.write_text(schema_text(name), encoding="utf-8")
        written.append(target)
    return written


def main() -> None:
    """`python -m gogen.schemas`: regenerate the package's schema files after the model changed."""
    for path in write_all(Path(__file__).with_name("schemas")):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
