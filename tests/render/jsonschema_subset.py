"""A small JSON Schema validator for the keywords caulk's schemas use (jsonschema is not a
dependency). Unknown keywords raise, so the schema cannot silently use something unchecked.

Supported: type (name or list), enum, const, properties, required, additionalProperties
(bool or schema), items, minimum, maximum, pattern, $ref to ``#/$defs/...``; annotations
($schema, $id, title, description) are ignored.
"""

from __future__ import annotations

import re
from typing import Any

_ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "$defs"})
_KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "const",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minimum",
        "maximum",
        "pattern",
        "$ref",
    }
)
_TYPES: dict[str, Any] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


def _is_type(value: Any, name: str) -> bool:
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, _TYPES[name])


def validate(instance: Any, schema: dict[str, Any]) -> list[str]:
    """Every violation as ``/json/pointer: message``; an empty list means valid."""
    errors: list[str] = []
    _check(instance, schema, schema, "", errors)
    return errors


def _check(
    value: Any, schema: dict[str, Any], root: dict[str, Any], where: str, errors: list[str]
) -> None:
    unknown = set(schema) - _KEYWORDS - _ANNOTATIONS
    if unknown:
        raise ValueError(f"schema at {where or '/'} uses unsupported keywords {sorted(unknown)}")
    here = where or "/"
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/$defs/"), ref
        _check(value, root["$defs"][ref.removeprefix("#/$defs/")], root, where, errors)
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is_type(value, n) for n in names):
            errors.append(f"{here}: {value!r} is not of type {names}")
            return
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{here}: {value!r} is not one of {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        errors.append(f"{here}: {value!r} is not {schema['const']!r}")
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if numeric and "minimum" in schema and value < schema["minimum"]:
        errors.append(f"{here}: {value} < {schema['minimum']}")
    if numeric and "maximum" in schema and value > schema["maximum"]:
        errors.append(f"{here}: {value} > {schema['maximum']}")
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append(f"{here}: {value!r} does not match {schema['pattern']!r}")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{here}: missing required property {key!r}")
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                _check(item, properties[key], root, f"{where}/{key}", errors)
            elif extra is False:
                errors.append(f"{here}: unexpected property {key!r}")
            elif isinstance(extra, dict):
                _check(item, extra, root, f"{where}/{key}", errors)
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            _check(item, schema["items"], root, f"{where}/{index}", errors)
