"""The band table of the in-memory index (app.store.bandtable) held to the plain reading of
what it answers: the rows having one of the keys; past the limit, those having the most,
then the first; each key bringing its first `limit` rows."""

from __future__ import annotations

from collections import Counter

import numpy as np
import numpy.typing as npt
from hypothesis import given, settings
from hypothesis import strategies as st

from app import fingerprint as fp
from app.store.bandtable import BandTable


def plainly(keys_by_row: npt.NDArray[np.int64], keys: list[int], limit: int) -> set[int]:
    shared: Counter[int] = Counter()
    for key in keys:
        having = [int(row) for row in np.flatnonzero((keys_by_row == key).any(axis=1))]
        shared.update(having[:limit])
    return set(sorted(shared, key=lambda row: (-shared[row], row))[:limit])


# Few distinct values, so that rows share keys and crowd some of them.
signature = st.lists(st.integers(0, 3), min_size=fp.PERMUTATIONS, max_size=fp.PERMUTATIONS)


@settings(max_examples=200, deadline=None)
@given(st.lists(signature, max_size=40), signature, st.integers(1, 8))
def test_the_rows_sharing_a_key_are_those_a_plain_search_finds(
    rows: list[list[int]], asked: list[int], limit: int
) -> None:
    fingerprints = np.array(rows, dtype=np.uint32).reshape(-1, fp.PERMUTATIONS)
    keys = fp.band_key_rows(np.array(asked, dtype=np.uint32))[0]
    found = BandTable.of(fingerprints).rows_sharing(keys, limit).tolist()
    assert len(found) == len(set(found))
    assert set(found) == plainly(fp.band_key_rows(fingerprints), keys.tolist(), limit)


def test_a_table_of_many_rows_finds_each_by_its_own_keys_and_no_other() -> None:
    rng = np.random.default_rng(3)
    fingerprints = rng.integers(0, 2**32, size=(5000, fp.PERMUTATIONS), dtype=np.uint32)
    table = BandTable.of(fingerprints)
    for row in (0, 1234, 4999):
        assert table.rows_sharing(fp.band_key_rows(fingerprints[row])[0], 64).tolist() == [row]
    other = rng.integers(0, 2**32, size=fp.PERMUTATIONS, dtype=np.uint32)
    assert table.rows_sharing(fp.band_key_rows(other)[0], 64).tolist() == []


def test_past_the_limit_the_rows_sharing_the_most_keys_come_first() -> None:
    rng = np.random.default_rng(5)
    crowd = rng.integers(0, 2**32, size=fp.PERMUTATIONS, dtype=np.uint32)
    others = rng.integers(0, 2**32, size=(300, fp.PERMUTATIONS), dtype=np.uint32)
    # Three thousand rows sharing one band with the crowd, then one sharing half of them.
    sharing_one = np.tile(others[0], (3000, 1))
    sharing_one[:, : fp.BAND_ROWS] = crowd[: fp.BAND_ROWS]
    sharing_half = others[1].copy()
    sharing_half[: fp.PERMUTATIONS // 2] = crowd[: fp.PERMUTATIONS // 2]
    fingerprints = np.vstack([others, sharing_one, sharing_half])
    found = BandTable.of(fingerprints).rows_sharing(fp.band_key_rows(crowd)[0], 64).tolist()
    assert found[0] == len(fingerprints) - 1  # the row sharing half of the bands
    assert found[1:] == list(range(300, 363))  # then the first of those sharing one
