"""Reading plan files: bytes → JSON → format and version check → migrate → validate.

Every failure is a ``PlanError`` whose message names the problem in one line; nothing else
escapes (no traceback reaches a user).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from planner.domain.errors import PlanError, describe
from planner.domain.plan import PLAN_FORMAT, PLAN_VERSION, Plan

#: Larger files are refused before they are read.
MAX_FILE_BYTES = 5 * 1024 * 1024
#: Deeper nesting than a plan ever needs is refused (a plan needs 6 levels).
MAX_DEPTH = 32


def load_plan(path: str | Path) -> Plan:
    """Read, check, migrate and validate the plan file at ``path``."""
    return parse_plan_bytes(read_plan_bytes(path), source=str(path))


def read_plan_bytes(path: str | Path) -> bytes:
    path = Path(path)
    try:
        if path.is_dir():
            raise PlanError(f"{path}: is a folder, not a plan file")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise PlanError(
                f"{path}: the file is {size:,} bytes; plan files are limited to "
                f"{MAX_FILE_BYTES:,} bytes"
            )
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise PlanError(f"{path}: no such file") from None
    except PermissionError:
        raise PlanError(f"{path}: permission denied") from None
    except OSError as error:
        raise PlanError(f"{path}: cannot be read ({error.strerror or error})") from None
    if len(data) > MAX_FILE_BYTES:
        raise PlanError(f"{path}: plan files are limited to {MAX_FILE_BYTES:,} bytes")
    return data


def parse_plan_bytes(data: bytes, *, source: str = "plan") -> Plan:
    """Bytes of a ``.tplan`` file → a validated, current-version ``Plan``."""
    raw = parse_json_bytes(data, source=source)
    return plan_from_data(raw, source=source)


def parse_json_bytes(data: bytes, *, source: str = "plan") -> Any:
    if len(data) > MAX_FILE_BYTES:
        raise PlanError(f"{source}: plan files are limited to {MAX_FILE_BYTES:,} bytes")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a byte-order mark some editors add; the JSON after it is what counts
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PlanError(
            f"{source}: not UTF-8 text (invalid byte at position {error.start})"
        ) from None
    if not text.strip():
        raise PlanError(f"{source}: the file is empty")
    _check_depth(text, source)
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except PlanError as error:
        raise PlanError(f"{source}: {error}") from None
    except json.JSONDecodeError as error:
        raise PlanError(
            f"{source}: not valid JSON at line {error.lineno}, column {error.colno} ({error.msg})"
        ) from None
    except RecursionError:
        raise PlanError(f"{source}: nested too deeply") from None


def plan_from_data(raw: Any, *, source: str = "plan") -> Plan:
    """Checked JSON data → migrated → validated ``Plan``."""
    from planner.storage.migrations import migrate

    if not isinstance(raw, dict):
        raise PlanError(f"{source}: a plan file holds a JSON object, not {_kind(raw)}")
    if raw.get("format") != PLAN_FORMAT:
        raise PlanError(
            f"{source}: format = {raw.get('format')!r}: not a Margin Planner plan "
            f"(expected {PLAN_FORMAT!r})",
            field="format",
        )
    version = raw.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise PlanError(f"{source}: version = {version!r}: must be a whole number", field="version")
    if version > PLAN_VERSION:
        raise PlanError(
            f"{source}: version = {version}: this file was written by a newer Margin Planner "
            f"(file version {version}, this program reads up to version {PLAN_VERSION})",
            field="version",
        )
    try:
        current = migrate(raw)
        return Plan.model_validate(current)
    except ValidationError as error:
        problem = describe(error)
        raise PlanError(f"{source}: {problem}", field=problem.field) from None
    except PlanError as error:
        raise PlanError(f"{source}: {error}", field=error.field) from None


def _reject_constant(name: str) -> Any:
    raise PlanError(f"{name} is not a number a plan can hold (NaN and Infinity are refused)")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise PlanError(f"the key {key!r} appears twice in one object")
        result[key] = value
    return result


def _check_depth(text: str, source: str) -> None:
    """Refuse absurd nesting before the parser recurses into it."""
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise PlanError(f"{source}: nested more than {MAX_DEPTH} levels deep")
        else:
            depth -= 1


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number"}.get(
        type(value), "null" if value is None else type(value).__name__
    )
