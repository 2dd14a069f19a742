"""Text that every database can store.

PostgreSQL refuses U+0000 in text and JSON (and the failed statement used to cost the
client its connection); no UTF-8 encoder, and so neither database driver, accepts an
unpaired surrogate (U+D800 to U+DFFF), which JSON can spell as ``"\\ud800"``. SQLite stored
U+0000, so the two databases disagreed. Input holding either is refused where it enters,
with the path of the field, on every database alike (``http/text_guard.py`` for every
request, ``tasks/service.py`` for each row of a bulk import).

Python's JSON decoder joins an escaped surrogate *pair* into one character, so a surrogate
left in a decoded string is always unpaired.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MESSAGE = "must not contain U+0000 (NUL) or an unpaired surrogate"
KEY_MESSAGE = "has a key that contains U+0000 (NUL) or an unpaired surrogate"


def is_storable(text: str) -> bool:
    """Whether ``text`` holds neither U+0000 nor an unpaired surrogate.

    >>> is_storable("caf\\u00e9 \\U0001f600"), is_storable("a\\x00b"), is_storable("\\ud800")
    (True, False, False)
    """
    return _UNSTORABLE.search(text) is None


def _surely_storable(value: Any) -> bool:
    """A fast screen, in C: orjson refuses a lone surrogate and writes U+0000 as an
    escape. True means nothing to find; False means look closer (a literal backslash-u
    in the text, or a number past 64 bits, also says False)."""
    try:
        return b"\\u0000" not in orjson.dumps(value)
    except TypeError:
        return False


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def find_unstorable(value: Any, path: str = "") -> tuple[str, str] | None:
    """The first string in a decoded JSON value (object keys included) that is not
    storable, as ``(field path, message)`` (the path is empty for ``value`` itself); None
    when all are. Paths read like the rest of
    the API's field errors: ``tasks[3].data.text``. Iterative, so depth costs no stack.

    >>> find_unstorable({"data": {"text": "ok", "tags": ["a", "b\\x00"]}})
    ('data.tags[1]', 'must not contain U+0000 (NUL) or an unpaired surrogate')
    >>> find_unstorable({"data": {"\\ud800": 1}})[0]
    'data'
    """
    if _surely_storable(value):
        return None
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            if _UNSTORABLE.search(item):
                return where, MESSAGE
        elif isinstance(item, dict):
            children = []
            for key, child in item.items():
                if isinstance(key, str) and _UNSTORABLE.search(key):
                    return where, KEY_MESSAGE
                children.append((_join(where, key), child))
            stack.extend(reversed(children))
        elif isinstance(item, list | tuple):
            stack.extend(reversed([(_join(where, i), child) for i, child in enumerate(item)]))
    return None
