"""bench.mailprofile times what the mail route calls: every name it wraps still exists."""

from __future__ import annotations

import inspect

from bench.mailprofile import STAGES


def test_every_stage_names_a_function_its_owner_holds() -> None:
    for _, label, owner, name in STAGES:
        assert callable(inspect.getattr_static(owner, name)), label


def test_nested_stages_sit_under_a_stage_one_level_up() -> None:
    depths = [depth for depth, *_ in STAGES]
    assert depths[0] == 0
    assert all(b <= a + 1 for a, b in zip(depths, depths[1:], strict=False))
