"""Shape checks of a request body that report every problem, not the first one.

msgspec stops at the first field it cannot convert, so a three-letter country code would
hide a bad e-mail next to it. Here the decoded JSON is checked against the wire type field
by field (nested objects and list items too): each field is converted on its own, an
unknown field is named, a missing required one is named, and what converts is returned as
builtins for the value rules, which then run on every field that had no shape problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Union, get_args, get_origin

import msgspec
from msgspec import Struct, UnsetType

from qh.kit.problems import BadRequest, FieldError, InvalidValue, human_message

_AT = re.compile(r"^(.*) - at `\$(.*)`$", re.DOTALL)


class _Bad:
    """A field that did not convert (its problem is already recorded)."""


BAD = _Bad()


def decode_object(body: bytes, what: str = "The body") -> dict[str, Any]:
    """JSON bytes → a dict: 400 when it is not JSON, 422 when it is not an object."""
    try:
        document = msgspec.json.decode(body)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise BadRequest(f"{what} is not JSON: {exc}") from None
    except UnicodeDecodeError:
        raise BadRequest(f"{what} is not valid UTF-8") from None
    if not isinstance(document, dict):
        raise InvalidValue.field("body", "must be a JSON object")
    return document


def _strip(tp: Any) -> Any:
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    return tp


def _options(tp: Any) -> list[Any]:
    tp = _strip(tp)
    if get_origin(tp) is Union or type(tp).__name__ == "UnionType":
        return [_strip(arg) for arg in get_args(tp)]
    return [tp]


def _struct_of(tp: Any) -> type[Struct] | None:
    for option in _options(tp):
        if isinstance(option, type) and issubclass(option, Struct):
            return option
    return None


def _item_type(tp: Any) -> Any:
    for option in _options(tp):
        if get_origin(option) is list:
            return get_args(option)[0]
    return None


def _join(path: str, suffix: str) -> str:
    if not suffix:
        return path
    if suffix.startswith("["):
        return path + suffix
    return f"{path}.{suffix.lstrip('.')}" if path else suffix.lstrip(".")


def check_value(value: Any, tp: Any, path: str, errors: list[FieldError]) -> Any:
    """``value`` converted to ``tp`` (as builtins), with every problem added to ``errors``.
    An object or a list with problems inside comes back with its good parts (so the value
    rules can still look at them); a value that cannot be read at all is :data:`BAD`."""
    try:
        return msgspec.to_builtins(msgspec.convert(value, tp))
    except msgspec.ValidationError as exc:
        message = str(exc)
    struct = _struct_of(tp)
    if struct is not None and isinstance(value, dict):
        return lenient(value, struct, path, errors)
    match = _AT.match(message)
    text, where = (match.group(1), match.group(2)) if match else (message, "")
    item = _item_type(tp)
    if item is not None and isinstance(value, list) and where.startswith("["):
        before = len(errors)
        items = [
            check_value(element, item, f"{path}[{i}]", errors) for i, element in enumerate(value)
        ]
        if len(errors) > before:
            return [element for element in items if element is not BAD]
    name = _join(path, where)
    errors.append(FieldError(name, human_message(name, text, tp)))
    return BAD


def lenient(raw: Any, struct: type[Struct], path: str, errors: list[FieldError]) -> dict[str, Any]:
    """A JSON object checked against ``struct`` field by field, every problem added to
    ``errors``. Returns the fields that converted, as builtins (a field left out gets its
    default, ``UNSET`` ones stay out; a bad one is left out as if it were not given)."""
    if not isinstance(raw, dict):
        errors.append(FieldError(path or "body", "must be a JSON object"))
        return {}
    fields = msgspec.structs.fields(struct)
    known = {info.encode_name for info in fields}
    for key in raw:
        if key not in known:
            errors.append(FieldError(_join(path, str(key)), "is not a known field"))
    values: dict[str, Any] = {}
    for info in fields:
        name = _join(path, info.encode_name)
        if info.encode_name not in raw:
            if info.required:
                errors.append(FieldError(name, "is required"))
            elif info.default is not msgspec.NODEFAULT:
                if not isinstance(info.default, UnsetType):
                    values[info.name] = info.default
            elif info.default_factory is not msgspec.NODEFAULT:
                values[info.name] = info.default_factory()
            continue
        converted = check_value(raw[info.encode_name], info.type, name, errors)
        if converted is not BAD:
            values[info.name] = converted
    return values


def check_body(
    raw: Any,
    struct: type[Struct],
    rules: Callable[[dict[str, Any]], list[FieldError]] | None = None,
    *,
    detail: str = "The request has invalid values",
) -> dict[str, Any]:
    """Shape and value rules together: the values, or 422 listing every problem."""
    errors: list[FieldError] = []
    values = lenient(raw, struct, "", errors)
    if rules is not None:
        errors += without_shaped(rules(values), errors)
    if errors:
        raise InvalidValue(detail, errors=errors)
    return values


def without_shaped(
    rule_errors: list[FieldError], shape_errors: list[FieldError]
) -> list[FieldError]:
    """Rule problems about fields whose shape is not already reported."""
    shaped = {error.field for error in shape_errors}
    return [e for e in rule_errors if not _covered(e.field, shaped)]


def _covered(field: str, shaped: set[str]) -> bool:
    """A rule problem about a field whose shape is already reported (or inside it)."""
    return any(field == s or field.startswith((f"{s}.", f"{s}[")) for s in shaped)


__all__ = ["BAD", "check_body", "check_value", "decode_object", "lenient", "without_shaped"]
