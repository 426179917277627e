"""The OpenAPI document: FastAPI's own, plus the models of bodies the routes read themselves.

FastAPI lists among its components only the models it parses for a route; a route that
reads its body with app.deps.json_body names its model in `openapi_extra`, and the model
is added here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema


def add_body_models(app: FastAPI, models: Sequence[type[BaseModel]]) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()  # FastAPI keeps it as app.openapi_schema
            _, defs = models_json_schema(
                [(model, "validation") for model in models],
                ref_template="#/components/schemas/{model}",
            )
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.update(defs.get("$defs", {}))
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]
