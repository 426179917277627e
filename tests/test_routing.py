"""The routers are included in order of load (app.main), not of reading: no request may
be answered by another route for it. Every path of every route, its parameters filled at
random, is matched in full by that route alone, so any order answers it the same."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.routing import Match, Route
from starlette.types import Scope

from app.main import ROUTERS

_PARAM = re.compile(r"\{[^}]+\}")
SEGMENTS = st.from_regex(r"[A-Za-z0-9._~-]{1,20}", fullmatch=True)
ROUTES = [route for router in ROUTERS for route in router.routes if isinstance(route, Route)]


def _scope(method: str, path: str) -> Scope:
    return {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}


def _full_matches(method: str, path: str) -> list[Route]:
    return [r for r in ROUTES if r.matches(_scope(method, path))[0] is Match.FULL]


def test_every_router_is_looked_at() -> None:
    assert len({route.path.split("/")[2] for route in ROUTES if route.path.count("/") > 1}) >= 4


@settings(max_examples=300, deadline=None)
@given(route=st.sampled_from(ROUTES), data=st.data())
def test_each_route_alone_answers_its_paths(route: Route, data: st.DataObject) -> None:
    path = _PARAM.sub(lambda _: data.draw(SEGMENTS), route.path)
    for method in sorted(route.methods or {"GET"}):
        assert _full_matches(method, path) == [route], (method, path)
