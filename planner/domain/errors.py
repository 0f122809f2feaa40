"""Turning validation failures into one plain line that names the field, the value and the rule."""

from __future__ import annotations

from pydantic import ValidationError


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
    """The first problem of a pydantic ``ValidationError`` as a ``PlanError``."""
    first = error.errors(include_url=False)[0]
    path = field_path(tuple(first["loc"]))
    if first["type"] == "plan_rule":
        ctx = first.get("ctx") or {}
        sub = ctx.get("field")
        if sub:
            path = f"{path}.{sub}" if path else sub
            message = f"{path} = {ctx['value']}: {ctx['rule']}"
        else:
            message = f"{path}: {first['msg']}" if path else first["msg"]
    else:
        message = first["msg"]
        if first["type"] == "extra_forbidden":
            message = "unknown field (a misspelling?)"
        value = first.get("input")
        shown = _short(value)
        message = (
            f"{path} = {shown}: {message}"
            if path and shown is not None
            else (f"{path}: {message}" if path else message)
        )
    count = error.error_count()
    if count > 1:
        message += f" (and {count - 1} more problem{'s' if count > 2 else ''})"
    return PlanError(message, field=path)


def _short(value: object) -> str | None:
    if isinstance(value, (dict, list)):
        return None
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."
