"""Fingerprints are stored in the database and compared with those made later, so the code
that makes them may get faster but never give another result: app/fingerprint.py is held
here to the plain form it had when the first fingerprints were stored, kept below as it was.
"""

from __future__ import annotations

import hashlib
import re
import sys
import zlib
from functools import cache

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from app import fingerprint as fp
from app.engine.validators.fold import fold_plain
from tests.campaign_variants import corpus, variants

# The plain form, as first stored: one regex search and one findall per whitespace piece,
# an f-string per pair, the matrix of a signature made in two steps.
_VARYING = re.compile(r"[\d@]|://|\w\.\w")
_CLAUSE_BREAKS = frozenset('.!?;:,()[]"“”')
_WORD_OR_BREAK = re.compile(r"[^\W\d_]{2,}|[.!?;:,()\[\]\"“”]")


def plain_clauses(folded: str) -> list[list[str]]:
    clauses: list[list[str]] = []
    for line in folded[: fp.MAX_CHARS].split("\n"):
        words: list[str] = []
        for piece in line.split():
            if _VARYING.search(piece):
                tokens = [piece[-1]] if piece[-1] in _CLAUSE_BREAKS else []
            else:
                tokens = _WORD_OR_BREAK.findall(piece)
            for token in tokens:
                if token in _CLAUSE_BREAKS:
                    clauses.append(words)
                    words = []
                else:
                    words.append(token)
        clauses.append(words)
    return clauses


def plain_shingles(folded: str) -> set[str]:
    found: set[str] = set()
    for words in plain_clauses(folded):
        if len(words) == 1:
            found.add(words[0])
        found.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
    return found


def plain_signature(items: set[str]) -> fp.Signature:
    hashes = np.fromiter(
        (zlib.crc32(item.encode()) for item in items), dtype=np.uint64, count=len(items)
    )
    hashes = (hashes << np.uint64(32)) | hashes
    mixed = (hashes[:, None] ^ fp._MASKS[None, :]) * fp._ODDS[None, :]
    result: fp.Signature = (mixed.min(axis=0) >> np.uint64(32)).astype(np.uint32)
    return result


def plain_fingerprint(folded: str) -> fp.Signature | None:
    items = plain_shingles(folded)
    if len(items) < fp.MIN_SHINGLES:
        return None
    return plain_signature(items)


def assert_same(folded: str) -> None:
    """The module's shingles and fingerprint of a folded text are the plain form's."""
    assert fp.shingles(folded) == plain_shingles(folded), folded
    made, plain = fp.fingerprint(folded), plain_fingerprint(folded)
    if plain is None:
        assert made is None, folded
    else:
        assert made is not None and made.dtype == np.uint32, folded
        assert fp.to_bytes(made) == fp.to_bytes(plain), folded


@cache
def corpus_texts() -> list[str]:
    """Every message of the labelled corpus, and each scam's variants (the diacritics
    dropped among them), all as written: the callers fold them."""
    texts = [item.text for label in ("scam", "genuine") for item in corpus(label)]
    scams = corpus("scam")
    return texts + [v.text for scam in scams[::8] for v in variants(scam)]


def test_every_text_of_the_corpus_and_its_variants_gets_the_plain_fingerprint() -> None:
    texts = corpus_texts()
    assert len(texts) > 10_000
    for text in texts:
        assert_same(fold_plain(text))


def test_texts_as_written_and_folded_alike_get_the_plain_fingerprint() -> None:
    """Unfolded: case, diacritics, decomposed letters (NFD) and the characters fold keeps."""
    for text in corpus_texts()[::10]:
        assert_same(text)


def test_texts_past_the_longest_read_get_the_plain_fingerprint() -> None:
    long = fold_plain(" ".join(corpus_texts()[:200]))
    assert len(long) > 2 * fp.MAX_CHARS
    for end in (fp.MAX_CHARS - 1, fp.MAX_CHARS, fp.MAX_CHARS + 1, len(long)):
        assert_same(long[:end])


# Characters where the fast paths and the patterns might part: letters (Vietnamese, other
# scripts, one-letter words), digits of other scripts, numbers that are no digits (², ½,
# Ⅻ), the underscore, every clause break, the parts of links and addresses, whitespace
# that is not a space, combining marks, symbols and emoji.
_TRICKY = (
    "abcxyzđươăâêôáàảãạÁĐƯ"
    + "ａｂＺ𝗂ÆßǅΣωжЖאب中ー々"
    + "0129٣۴০१"
    + "²½Ⅻ⁵_"
    + '.!?;:,()[]"“”'
    + "@/:.-–—'’&#%+*=~|<>"
    + " \t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u3000"
    + "\u0301\u0323\u200b\u200d\xad"
    + "•…✔👉😂"
)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=_TRICKY, max_size=200))
def test_texts_of_tricky_characters_get_the_plain_fingerprint(text: str) -> None:
    assert_same(text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["ke", "toan", "a", "b2", "x.y", "(", ",", " ", "\n"]), max_size=60)
)
def test_texts_of_few_words_and_breaks_get_the_plain_fingerprint(parts: list[str]) -> None:
    assert_same(" ".join(parts))
    assert_same("".join(parts))


def test_a_piece_of_letters_alone_is_one_word_of_the_patterns_for_every_character() -> None:
    """The premise of the fast paths: a piece whose characters are all letters (str.isalpha)
    holds no varying part and is one word of the patterns; no clause break is a letter."""
    word = re.compile(r"[^\W\d_]")
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if char.isalpha():
            assert word.fullmatch(char) and not _VARYING.search(char), hex(code)
    assert not any(char.isalpha() or word.match(char) for char in _CLAUSE_BREAKS)


# Signatures as stored by the first version, as hashes of their bytes: a change to the
# permutations, the hashing or the reading of the text shows here first.
STORED = {
    "Kính gửi quý đơn vị, Kho bạc Nhà nước thông báo: chứng thư số của đơn vị sắp hết hạn. "
    "Để tránh gián đoạn giao dịch trên DVCTT, kế toán vui lòng truy cập https://kbnn-hotro.com "
    "và nhập mã PIN token trước 17h ngày 25/12. Mọi thắc mắc gọi 0912 345 678 (anh Tuấn).": (
        "841265e739d8c936d6e62ca11d214cac02ed2c7f7511f27946027931e87d42c8"
    ),
    "Kinh gui quy don vi, Kho bac Nha nuoc thong bao: chung thu so cua don vi sap het han. "
    "De tranh gian doan giao dich tren DVCTT, ke toan vui long truy cap https://kbnn-hotro.com "
    "va nhap ma PIN token truoc 17h ngay 25/12. Moi thac mac goi 0912 345 678 (anh Tuan).": (
        "841265e739d8c936d6e62ca11d214cac02ed2c7f7511f27946027931e87d42c8"
    ),
    "Dạ em chào chị ạ.\nEm là cán bộ hỗ trợ kỹ thuật của KBNN; hệ thống đang nâng cấp token\t"
    '[khẩn] chị bấm "đồng bộ" rồi đọc giúp em mã OTP vừa gửi về e-mail ke.toan@donvi.vn nhé!! '
    "a b c đ – anh/chị (ke toan) “xac nhan” trong./. ²³ Ⅻ_x": (
        "ee1d5360aa332048bcca104e392506c710c71b51165126d639f4b9e6243c4a47"
    ),
}


def test_signatures_of_known_texts_are_those_stored_by_the_first_version() -> None:
    for text, digest in STORED.items():
        made = fp.fingerprint(fold_plain(text))
        assert made is not None
        assert hashlib.sha256(fp.to_bytes(made)).hexdigest() == digest
