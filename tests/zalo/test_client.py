"""The OA API client against the stand-in, over real HTTP."""

from __future__ import annotations

import pytest

from app.zalo.client import Outcome, RefreshError, ZaloApi
from tests.zalo.standin import DROP, StandIn

pytestmark = pytest.mark.anyio


async def test_send_posts_recipient_and_text_with_the_access_token(
    standin: StandIn, zalo_api: ZaloApi
) -> None:
    access, _ = standin.issue_pair()
    result = await zalo_api.send_text(access, "u1", "Xin chào")
    assert result.outcome is Outcome.SENT
    assert standin.sent[0].access_token == access
    assert standin.texts_to("u1") == ["Xin chào"]


@pytest.mark.parametrize(
    ("code", "outcome"),
    [
        (-216, Outcome.TOKEN),
        (-220, Outcome.TOKEN),
        (-32, Outcome.RETRY),
        (-213, Outcome.UNREACHABLE),
        (-230, Outcome.UNREACHABLE),
        (-232, Outcome.UNREACHABLE),
        (-999, Outcome.RETRY),
    ],
)
async def test_each_error_code_is_classified(
    standin: StandIn, zalo_api: ZaloApi, code: int, outcome: Outcome
) -> None:
    access, _ = standin.issue_pair()
    standin.answer_next(code)
    result = await zalo_api.send_text(access, "u1", "x")
    assert (result.outcome, result.error) == (outcome, code)


async def test_dropped_connection_is_retried_later(standin: StandIn, zalo_api: ZaloApi) -> None:
    standin.answer_next(DROP)
    result = await zalo_api.send_text("at", "u1", "x")
    assert result.outcome is Outcome.RETRY
    assert result.error is None


async def test_slow_answer_times_out_into_a_retry(standin: StandIn, zalo_api: ZaloApi) -> None:
    standin.answer_next(1.0)
    result = await zalo_api.send_text("at", "u1", "x")
    assert result.outcome is Outcome.RETRY
    assert "Timeout" in result.detail


async def test_refresh_sends_form_and_secret_and_returns_the_new_pair(
    standin: StandIn, zalo_api: ZaloApi
) -> None:
    grant = await zalo_api.refresh(standin.app_id, standin.app_secret, "rt-0")
    assert (grant.access_token, grant.refresh_token, grant.expires_in) == ("at-1", "rt-1", 90000)
    seen = standin.refreshes[0]
    assert seen.secret_key == standin.app_secret
    assert seen.form == {
        "refresh_token": "rt-0",
        "app_id": standin.app_id,
        "grant_type": "refresh_token",
    }


async def test_a_used_refresh_token_is_refused(standin: StandIn, zalo_api: ZaloApi) -> None:
    await zalo_api.refresh(standin.app_id, standin.app_secret, "rt-0")
    with pytest.raises(RefreshError):
        await zalo_api.refresh(standin.app_id, standin.app_secret, "rt-0")
