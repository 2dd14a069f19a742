"""The JSON codec keeps every JSON value exact, big integers included."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from assay.db.jsoncodec import dumps_json, loads_json

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(JSON)
def test_round_trip_is_exact(value: object) -> None:
    assert loads_json(dumps_json(value)) == value
    assert json.loads(dumps_json(value)) == value


def test_big_integers_stay_integers() -> None:
    assert loads_json(dumps_json({"n": 10**30})) == {"n": 10**30}
    big = 123456789012345678901234567890
    assert loads_json(f'{{"n": {big}}}')["n"] == big
