"""Text that reaches a terminal: control and bidirectional-formatting characters.

A plan is data from anywhere. Its names, ids and notes could hold ESC sequences (colours,
cursor moves, OSC 8 links, window titles), BEL, carriage returns that overwrite a line, or
bidi overrides that show text in another order than it is stored. Two rules keep that out:

- ``terminal_text(text)`` escapes every such character (``\\x1b``, ``\\u202e``) in text the
  command line prints; line breaks of the output itself are kept. Every terminal output of
  ``analyze``, ``compare``, ``sweep``, ``check`` and the error lines goes through it.
- ``check_identifier(value)`` refuses such characters in ids (a ``plan_rule`` error), so the
  model never holds them where they name things.
"""

from __future__ import annotations

import re

from pydantic_core import PydanticCustomError

#: C0 controls, DEL, C1 controls, the line/paragraph separators, and the bidi formatting
#: characters (marks, embeddings, overrides, isolates, Arabic letter mark).
UNSAFE_CHARACTERS = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_UNSAFE_EXCEPT_NEWLINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def escape_character(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` with every control and bidi character written as an escape (``\\x1b``);
    ``\\n`` is kept unless ``keep_newlines`` is false."""
    pattern = _UNSAFE_EXCEPT_NEWLINE if keep_newlines else UNSAFE_CHARACTERS
    return pattern.sub(lambda match: escape_character(match.group()), text)


def identifier_problem(value: str) -> str | None:
    """Why ``value`` cannot be an id (a control or bidi character in it), or ``None``."""
    found = UNSAFE_CHARACTERS.search(value)
    if found is None:
        return None
    return (
        "must not contain control or bidirectional-formatting characters "
        f"(found U+{ord(found.group()):04X} at position {found.start()})"
    )


def check_identifier(value: str) -> str:
    """The id rule for the model: returns ``value`` or raises a ``plan_rule`` error."""
    problem = identifier_problem(value)
    if problem is not None:
        raise PydanticCustomError("plan_rule", problem)
    return value
