"""The band table of the in-memory index (app.store.bandtable) held to the plain reading of
what it answers: the first `limit` rows having one of the keys."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from hypothesis import given, settings
from hypothesis import strategies as st

from app import fingerprint as fp
from app.store.bandtable import BandTable


def plainly(keys_by_row: npt.NDArray[np.int64], keys: list[int], limit: int) -> list[int]:
    having = np.isin(keys_by_row, keys).any(axis=1)
    return [int(row) for row in np.flatnonzero(having)][:limit]


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
    assert found == plainly(fp.band_key_rows(fingerprints), keys.tolist(), limit)


def test_a_table_of_many_rows_finds_each_by_its_own_keys_and_no_other() -> None:
    rng = np.random.default_rng(3)
    fingerprints = rng.integers(0, 2**32, size=(5000, fp.PERMUTATIONS), dtype=np.uint32)
    table = BandTable.of(fingerprints)
    assert table.directory[-1] == len(table.keys)
    for row in (0, 1234, 4999):
        assert table.rows_sharing(fp.band_key_rows(fingerprints[row])[0], 64).tolist() == [row]
    other = rng.integers(0, 2**32, size=fp.PERMUTATIONS, dtype=np.uint32)
    assert table.rows_sharing(fp.band_key_rows(other)[0], 64).tolist() == []


def test_a_key_shared_by_more_rows_than_the_limit_brings_its_first_rows() -> None:
    rng = np.random.default_rng(5)
    crowd = rng.integers(0, 2**32, size=fp.PERMUTATIONS, dtype=np.uint32)
    others = rng.integers(0, 2**32, size=(300, fp.PERMUTATIONS), dtype=np.uint32)
    fingerprints = np.vstack([others, np.tile(crowd, (3000, 1))])
    keys = fp.band_key_rows(crowd)[0]
    found = BandTable.of(fingerprints).rows_sharing(keys, 64).tolist()
    assert found == list(range(300, 364))
