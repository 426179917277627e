"""The shipped model: it loads and validates, a damaged one is refused, and the fast
scoring is the plain sum of its features' weights."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.config import Settings
from app.engine.learned import features as F
from app.engine.learned import model as M
from app.engine.learned.model import BUNDLED, Model, ModelError, load, metadata_path, save
from app.engine.reference.models import Reference
from app.engine.validators.textlexicon import compiled
from app.main import create_app

SNIPPETS = [
    "Chị đọc giúp em 6 số vừa gửi về máy chị nhé",
    "anh gui e id vs pass ultraview",
    "Kho bạc không bao giờ đề nghị cung cấp mã PIN",
    '[10:05] Anh Long (IT): "chị tự đổi mật khẩu nhé"',
    "Please send the OTP code you just received",
    "ＯＴＰ раss m.ậ.t k.h.ẩ.u",
    "0912 345 678",
    "",
]


def test_the_bundled_model_loads_and_validates() -> None:
    model = load()
    assert model.meta["format"] == M.FORMAT and model.meta["version"] == M.VERSION
    assert len(model.meta["corpus"]["sha256"]) == 64
    assert model.weights.dtype == np.float32
    assert model.weights.shape == (
        1 << model.bits,
        2 * (len(model.codes) + 1) + 1 + len(model.codes),
    )
    assert set(model.meta["thresholds"]) == set(M.Thresholds.__slots__)
    assert BUNDLED.stat().st_size + metadata_path(BUNDLED).stat().st_size <= 5_000_000


def test_the_model_file_holds_arrays_not_pickles() -> None:
    with np.load(BUNDLED, allow_pickle=False) as arrays:
        assert sorted(arrays.files) == ["intercepts", "weights"]
        assert all(arrays[name].dtype == np.float32 for name in arrays.files)


def _copy(tmp_path: Path) -> Path:
    path = tmp_path / "model.npz"
    shutil.copy(BUNDLED, path)
    shutil.copy(metadata_path(BUNDLED), metadata_path(path))
    return path


def _edit_meta(path: Path, **changes: object) -> None:
    meta = json.loads(metadata_path(path).read_text("utf-8"))
    meta.update(changes)
    metadata_path(path).write_text(json.dumps(meta), "utf-8")


def test_a_copy_of_the_model_loads(tmp_path: Path) -> None:
    assert load(_copy(tmp_path)).codes == load().codes


def test_a_model_of_another_version_is_refused(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    _edit_meta(path, version=M.VERSION + 1)
    with pytest.raises(ModelError, match="version"):
        load(path)


def test_a_model_without_the_hash_of_its_corpus_is_refused(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    _edit_meta(path, corpus={"files": []})
    with pytest.raises(ModelError, match="corpus"):
        load(path)


def test_a_model_whose_weights_were_altered_is_refused(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    model = load(path)
    weights = model.weights.copy()
    weights[0, 0] += 1.0
    np.savez_compressed(path, weights=weights, intercepts=model.intercepts)
    with pytest.raises(ModelError, match="hash"):
        load(path)


def test_a_model_whose_weights_have_another_shape_is_refused(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    model = load(path)
    save(path, model.meta, model.weights[:, :-1].copy(), model.intercepts)
    with pytest.raises(ModelError, match="shape|weights are"):
        load(path)


def test_a_missing_model_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="cannot read"):
        load(tmp_path / "none.npz")


def test_a_broken_model_file_stops_start_up(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    _edit_meta(path, version=0)
    with pytest.raises(ModelError):
        create_app(Settings(learned_model_file=str(path)))


def _plain(model: Model, reference: Reference, text: str) -> tuple[np.ndarray, float]:
    """The scores as the sum of each feature's weight: asks and codes per sentence, and
    the message's."""
    read = F.read_message(compiled(reference).norm, text, model.bits)
    weights = model.weights.astype(np.float64)
    k = len(model.codes)
    rows = []
    for j in range(len(read.sentences)):
        own = F.scaled(read.own[j])
        for col, count in read.marks[j].items():
            own[col] = own.get(col, 0.0) + count
        total = sum(weights[c, model.own] * v for c, v in own.items()) + model.intercepts[: k + 1]
        if j:
            previous = F.scaled(read.own[j - 1], F.PREVIOUS_WEIGHT)
            total = total + sum(weights[c, model.previous] * v for c, v in previous.items())
        rows.append(total)
    whole = F.scaled(read.message())
    message = sum(weights[c, model.message_column] * v for c, v in whole.items())
    return np.array(rows).reshape(-1, k + 1), float(message + model.intercepts[k + 1])


def _plain_message_codes(model: Model, reference: Reference, text: str) -> np.ndarray:
    read = F.read_message(compiled(reference).norm, text, model.bits)
    weights = model.weights.astype(np.float64)
    k = len(model.codes)
    whole = F.scaled(read.message())
    summed = sum(
        (weights[c, model.message_code_columns] * v for c, v in whole.items()), np.zeros(k)
    )
    return np.asarray(summed + model.intercepts[k + 2 :])


@settings(max_examples=60, deadline=None)
@given(
    parts=st.lists(st.sampled_from(SNIPPETS) | st.text(max_size=30), max_size=6),
    glue=st.sampled_from([". ", "\n", ": ", " ", '" ', ", "]),
)
def test_fast_scores_are_the_plain_sums_of_feature_weights(
    parts: list[str], glue: str, reference: Reference
) -> None:
    text = glue.join(parts)
    model = load()
    for _ in range(2):  # the second time from the table of words already seen
        fast = model.score(compiled(reference).norm, text)
        plain, message = _plain(model, reference, text)
        assert np.allclose(fast.ask, plain[:, 0], atol=1e-4)
        assert np.allclose(fast.codes, plain[:, 1:], atol=1e-4)
        assert math.isclose(fast.message, message, abs_tol=1e-4)
        plain_codes = _plain_message_codes(model, reference, text)
        assert np.allclose(fast.message_codes, plain_codes, atol=1e-4)


def test_a_full_table_of_words_starts_again_and_scores_the_same(
    reference: Reference, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(M, "_CACHE_LIMIT", 8)
    model = load()
    text = " ".join(SNIPPETS)
    first = model.score(compiled(reference).norm, text)
    again = model.score(compiled(reference).norm, text)
    plain, _ = _plain(model, reference, text)
    assert np.allclose(first.ask, plain[:, 0], atol=1e-4)
    assert np.allclose(again.ask, first.ask)


@settings(max_examples=40, deadline=None)
@given(
    parts=st.lists(st.sampled_from(SNIPPETS), min_size=1, max_size=6),
    picks=st.lists(st.integers(min_value=0, max_value=10), max_size=4),
)
def test_scores_of_a_few_sentences_are_those_of_all(
    parts: list[str], picks: list[int], reference: Reference
) -> None:
    text = ". ".join(parts)
    norm = compiled(reference).norm
    model = load()
    few = model.score(norm, text)
    which = [j % max(len(few.sentences), 1) for j in picks] if few.sentences else []
    asked = few.ask_at(which)  # before, and apart from, the scores of every sentence
    every = model.score(norm, text).ask
    assert np.allclose(asked, [every[j] for j in which], atol=1e-5)
