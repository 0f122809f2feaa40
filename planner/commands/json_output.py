"""``json.dumps(document, indent=2, allow_nan=False)``, byte for byte, several times faster.

With ``indent`` the standard library encodes every value in Python; without it, in C. The C
encoder takes any item separator, so a container whose items are all scalars (or empty
containers, which print the same either way) is encoded in C with ``",\\n" + indent`` between
items, and only the breaks after its opening and before its closing bracket are added here.
A list of such flat objects (the positions of an analysis) is one C call too: in the C
output a raw line break comes only from the separators (strings escape theirs), and a
separator followed by ``{`` only between two objects, where the breaks are put right.
Containers that hold other non-empty containers are walked in Python. Anything unexpected (a
NaN, a tuple, a non-string key) is handed to ``json.dumps`` itself, so text and errors are the
same.
"""

from __future__ import annotations

import json
from functools import cache
from json.encoder import encode_basestring_ascii
from typing import Any

_SCALARS = frozenset({str, float, int, bool, type(None)})
_CONTAINERS = (dict, list)


class _Unusual(Exception):
    """A value this writer leaves to ``json.dumps``."""


def dumps(document: Any) -> str:
    """``json.dumps(document, indent=2, allow_nan=False)``."""
    parts: list[str] = []
    try:
        _write(document, parts, 0)
    except (_Unusual, ValueError, TypeError):
        return json.dumps(document, indent=2, allow_nan=False)
    return "".join(parts)


@cache
def _flat_encoder(depth: int) -> json.JSONEncoder:
    return json.JSONEncoder(separators=(",\n" + "  " * (depth + 1), ": "), allow_nan=False)


def _flat(value: dict[str, Any] | list[Any]) -> bool:
    """Every item a scalar or an empty container."""
    items = value.values() if type(value) is dict else value
    if _SCALARS.issuperset(map(type, items)):
        return True
    return all(type(item) in _SCALARS or (type(item) in _CONTAINERS and not item) for item in items)


def _flat_objects(value: list[Any]) -> bool:
    """A list of non-empty objects with string keys, each flat."""
    return all(
        type(item) is dict
        and item
        and all(type(key) is str for key in item)  # (C output would turn other keys to text)
        and _flat(item)
        for item in value
    )


def _write(value: Any, parts: list[str], depth: int) -> None:
    kind = type(value)
    if kind not in _CONTAINERS or not value:
        if kind not in _SCALARS and kind not in _CONTAINERS:
            raise _Unusual
        parts.append(_flat_encoder(depth).encode(value))
        return
    if kind is dict and any(type(key) is not str for key in value):
        raise _Unusual
    outer = "\n" + "  " * depth
    inner = outer + "  "
    if _flat(value):
        text = _flat_encoder(depth).encode(value)
        parts.append(f"{text[0]}{inner}{text[1:-1]}{outer}{text[-1]}")
        return
    if kind is list and _flat_objects(value):
        deeper = inner + "  "
        text = _flat_encoder(depth + 1).encode(value)  # [{…},<sep>{…}] with <sep> one level in
        between = text[2:-2].replace("}," + deeper + "{", f"{inner}}},{inner}{{{deeper}")
        parts.append(f"[{inner}{{{deeper}{between}{inner}}}{outer}]")
        return
    if kind is dict:
        opening = "{" + inner
        for key, item in value.items():
            parts.append(f"{opening}{encode_basestring_ascii(key)}: ")
            _write(item, parts, depth + 1)
            opening = "," + inner
        parts.append(outer + "}")
        return
    opening = "[" + inner
    for item in value:
        parts.append(opening)
        _write(item, parts, depth + 1)
        opening = "," + inner
    parts.append(outer + "]")
