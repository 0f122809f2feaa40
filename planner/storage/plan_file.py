"""Plan files: reading (bytes → JSON → format and version check → migrate → validate) and
writing (plan → ordered JSON text → atomic save).

Reading: every failure is a ``PlanError`` whose message names the problem in one line; nothing
else escapes (no traceback reaches a user).

Writing: UTF-8 JSON, keys in the order of spec/plan-format.md (the models' field order),
indented by two spaces with one tier and one take-profit per line, and a trailing newline.
Numbers come back as they were typed: floats are written in their shortest exact form, integral
ones without ``.0`` (``50000``, not ``50000.0``; ``0.1`` stays ``0.1``) and small ones without
an exponent (``0.00001``). Which fields are written:

- every field is written, including the account's venue, position mode and fee rates and each
  market's contract and contract size, which every figure depends on;
- except optional fields that are unset (``null``: ``tick_size``, ``stop_loss``, a tier's
  ``notional_cap`` or ``max_leverage``, a table's ``source`` or ``as_of``), and a position's
  planning extras at their defaults (``added_margin`` 0, ``take_profits`` [], ``notes`` "");
- and the version-2 fields at their defaults (``horizon_hours`` 0, ``risk_limits`` all at
  their defaults, ``collateral`` [], ``funding_rate`` 0, ``funding_interval_hours`` 8,
  ``scale_in`` [], and every unset optional one), so that a version-1 plan saved as version 2
  differs from its file only in the version number.

Keys follow the models' field order: version 1's as spec/plan-format.md has them, each
version-2 field after the version-1 fields of its object except that a market's new fields
come before its ``maintenance`` table and a position's before its ``notes``.

The output depends only on the plan, so ``load → save`` of a file the program wrote gives the
same bytes, and ``load(save(plan)) == plan``.
"""

from __future__ import annotations

import json
import math
import re
import stat
from decimal import Decimal
from itertools import accumulate
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from planner.domain.errors import PlanError, describe
from planner.domain.plan import PLAN_FORMAT, PLAN_VERSION, Plan, RiskLimits
from planner.storage.atomic import SaveError, atomic_write
from planner.storage.paths import path_problem, shown_path

#: Larger files are refused before they are read.
MAX_FILE_BYTES = 5 * 1024 * 1024
#: Deeper nesting than a plan ever needs is refused (a plan needs 6 levels).
MAX_DEPTH = 32
#: Values longer than this are shortened in messages.
_SHOWN_CHARS = 60

#: Lists whose items (objects of plain values) are written one per line, like a table.
_ONE_LINE_ITEMS = frozenset({"tiers", "take_profits", "scale_in", "value_ratio_tiers"})
#: A position's optional planning fields, left out at these defaults.
_POSITION_DEFAULTS: dict[str, Any] = {
    "added_margin": 0.0,
    "take_profits": (),
    "scale_in": (),
    "notes": "",
}
#: Version-2 fields of the plan, the account and each market, left out at these defaults.
_PLAN_DEFAULTS: dict[str, Any] = {"horizon_hours": 0.0}
_ACCOUNT_DEFAULTS: dict[str, Any] = {
    "risk_limits": RiskLimits().model_dump(mode="python", exclude_none=True),
    "collateral": (),
}
_MARKET_DEFAULTS: dict[str, Any] = {"funding_rate": 0.0, "funding_interval_hours": 8.0}


# ---------------------------------------------------------------------------------------------
# Reading


def load_plan(path: str | Path) -> Plan:
    """Read, check, migrate and validate the plan file at ``path``."""
    return parse_plan_bytes(read_plan_bytes(path), source=str(path))


def read_plan_bytes(path: str | Path) -> bytes:
    problem = path_problem(path)
    if problem is not None:
        if problem == "path is empty":
            raise PlanError(problem)
        raise PlanError(f"{shown_path(path)}: {problem}")
    path = Path(path)
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise PlanError(f"{path}: is a folder, not a plan file")
        if not stat.S_ISREG(info.st_mode):
            raise PlanError(f"{path}: not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise PlanError(
                f"{path}: the file is {info.st_size:,} bytes; plan files are limited to "
                f"{MAX_FILE_BYTES:,} bytes"
            )
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except PlanError:
        raise
    except (FileNotFoundError, NotADirectoryError):
        raise PlanError(f"{path}: no such file") from None
    except PermissionError:
        raise PlanError(f"{path}: permission denied") from None
    except IsADirectoryError:
        raise PlanError(f"{path}: is a folder, not a plan file") from None
    except OSError as error:
        raise PlanError(f"{path}: cannot be read ({error.strerror or error})") from None
    except ValueError:  # e.g. a path with a NUL character
        raise PlanError(f"{_shorten(str(path))}: not a valid file name") from None
    if len(data) > MAX_FILE_BYTES:
        raise PlanError(f"{path}: plan files are limited to {MAX_FILE_BYTES:,} bytes")
    return data


def parse_plan_bytes(data: bytes, *, source: str = "plan") -> Plan:
    """Bytes of a ``.tplan`` file → a validated, current-version ``Plan``."""
    raw = parse_json_bytes(data, source=source)
    return plan_from_data(raw, source=source)


def parse_json_bytes(data: bytes, *, source: str = "plan") -> Any:
    """Bytes → JSON data, refusing what no plan holds: more than ``MAX_FILE_BYTES``, text that
    is not UTF-8, NaN and Infinity, a key twice in one object, absurd nesting. A UTF-8
    byte-order mark, which some editors add, is accepted and ignored."""
    if len(data) > MAX_FILE_BYTES:
        raise PlanError(f"{source}: plan files are limited to {MAX_FILE_BYTES:,} bytes")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if _looks_like_utf16(data):
        raise PlanError(f"{source}: not UTF-8 text (it is UTF-16; save it as UTF-8)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PlanError(
            f"{source}: not UTF-8 text (invalid byte at position {error.start})"
        ) from None
    if not text.strip():
        raise PlanError(f"{source}: the file is empty")
    depth = nesting_depth(text)
    if depth > MAX_DEPTH:
        raise PlanError(f"{source}: nested more than {MAX_DEPTH} levels deep")
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
    except ValueError:  # an integer with more digits than Python converts
        raise PlanError(f"{source}: a number has far too many digits") from None


def _looks_like_utf16(data: bytes) -> bool:
    """A UTF-16 byte-order mark, or JSON text whose every other byte is NUL (UTF-16 without a
    mark: ``{`` then 0, or 0 then ``{``)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    head = data[:64]
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    even_zero, odd_zero = even.count(0) == len(even), odd.count(0) == len(odd)
    return even_zero != odd_zero  # text on one side, zero bytes on the other


def plan_from_data(raw: Any, *, source: str = "plan") -> Plan:
    """Checked JSON data → migrated → validated ``Plan``."""
    from planner.storage.migrations import migrate

    if not isinstance(raw, dict):
        raise PlanError(f"{source}: a plan file holds a JSON object, not {_kind(raw)}")
    if raw.get("format") != PLAN_FORMAT:
        raise PlanError(
            f"{source}: format = {_show(raw.get('format'))}: not a Margin Planner plan "
            f"(expected {PLAN_FORMAT!r})",
            field="format",
        )
    version = raw.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise PlanError(
            f"{source}: version = {_show(version)}: must be a whole number such as {PLAN_VERSION}",
            field="version",
        )
    if version > PLAN_VERSION:
        shown = _show(version)
        raise PlanError(
            f"{source}: version = {shown}: this file was written by a newer Margin Planner "
            f"(file version {shown}, this program reads up to version {PLAN_VERSION})",
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
    except RecursionError:  # pragma: no cover - the depth limit keeps data shallow
        raise PlanError(f"{source}: nested too deeply") from None


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` outside strings, in time linear in the text (a
    hostile file must not make the check itself slow)."""
    structure = _STRING.sub("", text)
    brackets = _NOT_BRACKET.sub("", structure).encode("ascii")
    if not brackets:
        return 0
    # pure Python (``check`` must not load numpy): +1 for an opening bracket, −1 for a closing
    return max(accumulate(_BRACKET_STEP[code] for code in brackets))


# A string, or an unterminated one up to the end of the text. The possessive ``*+`` never
# backtracks, and every opening quote matches, so the scan never restarts inside a string.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def _reject_constant(name: str) -> Any:
    raise PlanError(f"{name} is not a number a plan can hold (NaN and Infinity are refused)")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise PlanError(f"the key {_show(key)} appears twice in one object")
        result[key] = value
    return result


def _kind(value: Any) -> str:
    return {
        list: "a list",
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "true or false",
    }.get(type(value), "null" if value is None else type(value).__name__)


def _show(value: Any) -> str:
    """A value for a message: repr-like, never longer than one short line."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**_SHOWN_CHARS:
        return f"a number with {len(str(abs(value)))} digits"
    return _shorten(repr(value) if value is not None else "null")


def _shorten(text: str) -> str:
    text = text.replace("\n", " ").replace("\r", " ")
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."


# ---------------------------------------------------------------------------------------------
# Writing


def plan_to_data(plan: Plan) -> dict[str, Any]:
    """The plan as JSON data in the spec's field order, optional fields left out as the module
    docstring says."""
    data = plan.model_dump(mode="python", exclude_none=True)
    _drop_defaults(data, _PLAN_DEFAULTS)
    _drop_defaults(data["account"], _ACCOUNT_DEFAULTS)
    for market in data["markets"]:
        _drop_defaults(market, _MARKET_DEFAULTS)
    for position in data["positions"]:
        _drop_defaults(position, _POSITION_DEFAULTS)
    return data


def _drop_defaults(data: dict[str, Any], defaults: dict[str, Any]) -> None:
    for name, default in defaults.items():
        if name in data and data[name] == default:
            del data[name]


def plan_to_bytes(plan: Plan) -> bytes:
    """The ``.tplan`` file of ``plan``: UTF-8 JSON for humans and diffs, trailing newline."""
    return json_document(plan_to_data(plan)).encode("utf-8")


def save_plan(plan: Plan, path: str | Path) -> None:
    """Write ``plan`` to ``path`` atomically, keeping the previous file as ``NAME.bak``.

    Raises ``SaveError`` (one line: the path and why) and leaves the existing file untouched
    when the plan cannot be written — or when the bytes would not load back (a plan assembled
    without validation), so that a save never produces a file the program refuses to open.
    """
    try:
        data = plan_to_bytes(plan)
        parse_plan_bytes(data, source="plan")
    except (PlanError, ValueError, TypeError) as error:
        problem = str(error).removeprefix("plan: ")
        raise SaveError(path, f"the plan is not valid ({problem})") from None
    atomic_write(path, data, backup=True)


def json_document(value: Any) -> str:
    """``value`` (dicts, lists, tuples, strings, numbers, booleans, None) as indented JSON
    text with a trailing newline, numbers written as described in the module docstring."""
    return _json_value(value, 0, None) + "\n"


def _json_value(value: Any, level: int, key: str | None) -> str:
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = "  " * (level + 1)
        items = [
            f"{inner}{_json_string(k)}: {_json_value(v, level + 1, k)}" for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + "  " * level + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        inner = "  " * (level + 1)
        one_line = key in _ONE_LINE_ITEMS
        items = [
            inner + (_json_inline(v) if one_line else _json_value(v, level + 1, None))
            for v in value
        ]
        return "[\n" + ",\n".join(items) + "\n" + "  " * level + "]"
    return _json_scalar(value)


def _json_inline(value: Any) -> str:
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{_json_string(k)}: {_json_inline(v)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_json_inline(v) for v in value) + "]"
    return _json_scalar(value)


def _json_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return json_number(value)
    raise TypeError(f"cannot write a {type(value).__name__} to a plan file")


def json_number(value: float) -> str:
    """The shortest text that reads back as exactly ``value``: ``50000``, ``0.1``,
    ``0.00001``; NaN and infinities have no JSON form and are refused."""
    if not math.isfinite(value):
        raise ValueError(f"{value} is not a number a plan file can hold")
    if value.is_integer():
        return str(int(value))
    text = repr(value)
    if "e" in text and abs(value) >= 1e-12:
        text = format(Decimal(text), "f")
    return text


def _json_string(text: str) -> str:
    # A lone surrogate (possible from a "\ud800" escape) cannot be encoded as UTF-8: escape it.
    return _SURROGATE.sub(
        lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False)
    )


_SURROGATE = re.compile("[\ud800-\udfff]")

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "SaveError",
    "json_document",
    "json_number",
    "load_plan",
    "nesting_depth",
    "parse_json_bytes",
    "parse_plan_bytes",
    "plan_from_data",
    "plan_to_bytes",
    "plan_to_data",
    "read_plan_bytes",
    "save_plan",
]
