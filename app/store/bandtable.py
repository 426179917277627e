"""Which campaigns have which band keys, in arrays: the in-memory index's part that a check's
32 band keys are looked up in (app.store.campaignindex).

Every key is kept once, sorted, with the rows of the campaigns having it, grouped by key.
A directory of key prefixes says where in the sorted keys those of each prefix begin: a
look-up reads the directory, then the few keys from there (two on average, at most the most
any prefix has). A binary search of the sorted keys, 3.2 million for 100,000 campaigns, did
the same in twice the time: each of its steps reads another part of 25 MB that is not in
cache (bench/campaigns.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app import fingerprint as fp

NO_ROWS: npt.NDArray[np.intp] = np.zeros(0, np.intp)
# Band keys are computed this many fingerprints at a time: all at once, 100,000 would take
# 200 MB of intermediate arrays.
_CHUNK = 4096


@dataclass(frozen=True)
class BandTable:
    """The band keys of rows of fingerprints, and the rows having each key."""

    keys: npt.NDArray[np.int64]  # each key once, sorted, then as many -1 as `widest` is long
    starts: npt.NDArray[np.int32]  # where the rows of each key begin in `rows`; then the end
    rows: npt.NDArray[np.int32]  # the rows having each key, grouped by key
    directory: npt.NDArray[np.int32]  # where the keys of each prefix begin
    shift: int  # a key's prefix is its bits from this one up
    widest: npt.NDArray[np.intp]  # 0, 1, ... up to the most keys a prefix has

    @classmethod
    def of(cls, fingerprints: npt.NDArray[np.uint32]) -> BandTable:
        """The table of the band keys of fingerprints, a row each."""
        by_row = np.empty((len(fingerprints), fp.BANDS), np.int64)
        for at in range(0, len(fingerprints), _CHUNK):
            by_row[at : at + _CHUNK] = fp.band_key_rows(fingerprints[at : at + _CHUNK])
        # Each of these arrays weighs 25 MB for 100,000 campaigns: freed as soon as done with.
        order = np.argsort(by_row, axis=None, kind="stable")  # each key's rows in order
        ordered = by_row.ravel()[order]
        del by_row
        new = np.empty(len(ordered), bool)  # where a key differs from the one before
        new[:1] = True
        new[1:] = ordered[1:] != ordered[:-1]
        first = np.flatnonzero(new)
        keys = ordered[first]
        del ordered
        starts = np.empty(len(first) + 1, np.int32)
        starts[:-1], starts[-1] = first, len(order)
        del first
        # About two keys per prefix: the directory is as long as half the keys.
        bits = max(0, len(keys).bit_length() - 2)
        shift = 63 - bits
        prefixes = np.arange(2**bits, dtype=np.int64) << np.int64(shift)
        directory = np.searchsorted(keys, prefixes).astype(np.int32)
        widest = np.diff(directory, append=len(keys)).max(initial=0)
        return cls(
            keys=np.append(keys, np.full(widest, -1)),  # a look-up never reads past the end
            starts=starts,
            rows=np.floor_divide(order, fp.BANDS, out=order).astype(np.int32),
            directory=directory,
            shift=shift,
            widest=np.arange(widest),
        )

    def rows_sharing(self, keys: npt.NDArray[np.int64], limit: int) -> npt.NDArray[np.intp]:
        """The rows having one of the keys, each once, at most `limit`: past it, those sharing
        the most keys, the likeliest to resemble, then the first. A key that many rows share
        brings its first `limit` rows, no more."""
        if limit <= 0 or not len(self.widest):
            return NO_ROWS
        begin = self.directory[keys >> np.int64(self.shift)]
        # The keys of each prefix asked, and maybe some of the next ones, which never match.
        places = begin[:, None] + self.widest
        found = places[self.keys[places] == keys[:, None]]
        if not len(found):
            return NO_ROWS
        starts = self.starts[found]
        taken = self.rows[_ranges(starts, np.minimum(self.starts[found + 1] - starts, limit))]
        taken.sort()
        first = _firsts(taken)
        rows = taken[first]
        if len(rows) > limit:
            shared = np.diff(np.flatnonzero(first), append=len(taken))  # keys of each row
            rows = rows[np.argsort(-shared, kind="stable")[:limit]]
        chosen: npt.NDArray[np.intp] = rows.astype(np.intp)
        return chosen

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.keys, self.starts, self.rows, self.directory))


def _firsts(ordered: npt.NDArray[np.int32]) -> npt.NDArray[np.bool_]:
    """Where each value of sorted values first appears: the rows a look-up took are made
    distinct with it, as np.unique(..., return_counts=True) made them, without its checks
    and wrappers, nor the counts, seldom needed, that it computed every time. A look-up of
    a variant in bench/campaigns.py went from 58 to 50 us (fastest of 15 rounds), its check
    7-9 % faster at the median over two runs of alternating rounds (3 % fewer
    instructions, callgrind)."""
    first = np.empty(len(ordered), bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return first


def _ranges(begin: npt.NDArray[np.int32], counts: npt.NDArray[np.int32]) -> npt.NDArray[np.intp]:
    """The integers of the ranges [begin, begin + count), laid end to end, in one array."""
    ends = np.cumsum(counts)
    total = int(ends[-1]) if len(ends) else 0
    ranges: npt.NDArray[np.intp] = np.arange(total) - np.repeat(ends - counts - begin, counts)
    return ranges
