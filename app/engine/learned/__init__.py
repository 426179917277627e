"""A learned layer beside the text rules: a small linear model over hashed character and
word n-grams of folded sentences, trained on the labelled corpus (`make model`), that
drops the rules' request.* findings where the text does not ask (warnings quoting
scammers, notices, self-service instructions) and adds those the rules' lexicon misses.

Loaded once at start-up (no network, no pickle), handed to the engine in its Context
(`Context.text_layer`); `THATGIA_LEARNED_MODEL=false` runs the rules alone.
"""

from __future__ import annotations

from functools import lru_cache

from app.engine.learned.layer import LearnedLayer
from app.engine.learned.model import Model, ModelError, load
from app.engine.reference.models import Reference

__all__ = ["LearnedLayer", "ModelError", "cached_model", "layer_for", "text_layer"]


@lru_cache(maxsize=4)
def cached_model(path: str | None = None) -> Model:
    """The model file (the bundled one by default), read and validated once."""
    return load(path)


def text_layer(reference: Reference, path: str | None = None) -> LearnedLayer:
    """The layer the engine calls, for a reference (whose notices it cites)."""
    return LearnedLayer(cached_model(path), reference)


def layer_for(
    reference: Reference, *, enabled: bool = True, path: str | None = None
) -> LearnedLayer | None:
    """The layer the settings ask for (THATGIA_LEARNED_MODEL, THATGIA_LEARNED_MODEL_FILE):
    None when it is not enabled."""
    return text_layer(reference, path) if enabled else None
