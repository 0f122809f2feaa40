"""Turning validation failures into one plain line that names the field, the value and the rule."""

from __future__ import annotations

from types import UnionType
from typing import Annotated, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError


class PlanError(ValueError):
    """A plan (or plan file) that cannot be used. ``str(error)`` is the message for the user."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def field_path(loc: tuple[int | str, ...]) -> str:
    """``("positions", 2, "leverage")`` → ``positions[2].leverage``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def describe(error: ValidationError) -> PlanError:
    """The first problem of a pydantic ``ValidationError`` as a ``PlanError``, in a trader's
    words: ``positions[0].quantity = true: a number is required (got true)``, never pydantic's
    ("Input should be a valid number", "= None")."""
    first = error.errors(include_url=False)[0]
    loc = tuple(part for part in first["loc"] if not _is_schema_tag(part))
    path = field_path(loc)
    if first["type"] == "plan_rule":
        ctx = first.get("ctx") or {}
        sub = ctx.get("field")
        if sub:
            path = f"{path}.{sub}" if path else sub
            message = f"{path} = {ctx['value']}: {ctx['rule']}"
        else:
            message = f"{path}: {first['msg']}" if path else first["msg"]
    else:
        kind = first["type"]
        value = first.get("input")
        if kind == "missing":
            shown: str | None = MISSING
            message = _required(_expected_kind(error.title, loc))
        else:
            shown = _short(value)
            message = _rule(kind, first["msg"], first.get("ctx") or {}, value)
        message = (
            f"{path} = {shown}: {message}"
            if path and shown is not None
            else (f"{path}: {message}" if path else message)
        )
    count = error.error_count()
    if count > 1:
        message += f" (and {count - 1} more problem{'s' if count > 2 else ''})"
    return PlanError(message, field=path)


#: How a value that is not there (a missing key, JSON ``null``, Python ``None``) reads.
MISSING = "(missing)"

#: pydantic's error types that mean "not of the right kind", and the kind that was expected.
_KIND_OF_TYPE_ERROR = {
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text",
    "tuple_type": "a list",
    "list_type": "a list",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "dataclass_type": "an object",
}


def _rule(kind: str, msg: str, ctx: dict, value: object) -> str:
    if kind == "extra_forbidden":
        return "unknown field (a misspelling?)"
    if kind == "finite_number":
        return "a finite number is required (not infinity or NaN)"
    expected = _KIND_OF_TYPE_ERROR.get(kind)
    if expected is not None:
        if expected == "a number" and isinstance(value, int) and not isinstance(value, bool):
            return "out of range: far too large a number"
        got = _got(value)
        return f"{_required(expected)} (got {got})" if got else _required(expected)
    if kind in ("too_long", "too_short") and ctx.get("field_type") in ("Tuple", "List"):
        bound = "at most" if kind == "too_long" else "at least"
        limit = ctx.get("max_length" if kind == "too_long" else "min_length")
        items = "item" if limit == 1 else "items"
        return f"a list of {bound} {limit} {items} is required (it has {ctx.get('actual_length')})"
    # "Input should be greater than 0" → "must be greater than 0"; "String should have at
    # least 1 character" → "must have at least 1 character"
    for python, plain in (("Input should ", "must "), ("String should ", "must ")):
        if msg.startswith(python):
            return plain + msg[len(python) :]
    return msg


def _required(expected: str | None) -> str:
    return f"{expected or 'a value'} is required"


def _got(value: object) -> str:
    """What was given instead, in JSON words; empty when the value itself says it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (int, float)):
        return "a number"
    return ""


def _is_schema_tag(part: int | str) -> bool:
    """A step of an error's location that names a schema, not a field: a union member or a
    validator function (``function-after[_check(), TierTable]``)."""
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))


def _expected_kind(title: str, loc: tuple[int | str, ...]) -> str | None:
    """What the field at ``loc`` of the model named ``title`` holds ("a number", "a list"…),
    for the message of a missing field; None when it cannot be told."""
    model = _model_named(title)
    annotation: object = model
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(part, int):
            args = [a for a in get_args(annotation) if a is not Ellipsis]
            if get_origin(annotation) not in (tuple, list) or not args:
                return None
            annotation = args[0]
            continue
        # a union of models (a market's maintenance: tier table or flat rule): the member
        # that has the field
        members = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else ()
        holders = [
            fields[part].annotation
            for member in (members or (annotation,))
            if isinstance(fields := getattr(member, "model_fields", None), dict) and part in fields
        ]
        if len(holders) != 1:
            return None
        annotation = holders[0]
    return _kind_of(_unwrap(annotation))


def _unwrap(annotation: object) -> object:
    """``Annotated[X, …]`` → X; ``X | None`` → X."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _kind_of(annotation: object) -> str | None:
    if annotation is float:
        return "a number"
    if annotation is int:
        return "a whole number"
    if annotation is str:
        return "text"
    if annotation is bool:
        return "true or false"
    origin = get_origin(annotation)
    if origin in (tuple, list):
        return "a list"
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(annotation))
    if origin in (Union, UnionType):
        kinds = {_kind_of(_unwrap(a)) for a in get_args(annotation) if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "an object"
    return None


def _model_named(title: str) -> type[BaseModel] | None:
    """The model class whose validation failed (the error names it by its title)."""
    found: list[type[BaseModel]] = []
    stack: list[type[BaseModel]] = [BaseModel]
    seen: set[type] = set()
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub in seen:
                continue
            seen.add(sub)
            if sub.__name__ == title and sub.__pydantic_complete__:
                found.append(sub)
            stack.append(sub)
    return found[0] if len(found) == 1 else None


def _short(value: object) -> str | None:
    if isinstance(value, (dict, list)):
        return None
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and abs(value) >= 10**20:
        return f"a number with {len(str(abs(value)))} digits"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."
