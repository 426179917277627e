"""One rule wherever a key is read: an Authorization header that is not `Bearer <token>`
is 401 with a challenge, whether the key is optional there or required."""

from __future__ import annotations

import httpx
import pytest

from tests.api.test_reports import check_id
from tests.conftest import KeyMaker

pytestmark = pytest.mark.anyio

UNREADABLE = ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "Token abc", "", "thg_abc"]


@pytest.mark.parametrize("authorization", UNREADABLE)
async def test_report_with_an_unreadable_authorization_is_401_not_anonymous(
    client: httpx.AsyncClient, authorization: str
) -> None:
    body = {"check_id": await check_id(client)}
    headers = {"Authorization": authorization}
    response = await client.post("/v1/reports", json=body, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="thatgia"'
    assert response.json()["detail"].startswith("The Authorization header must be `Bearer")
    anonymous = await client.post("/v1/reports", json=body)
    assert anonymous.status_code == 201  # nothing was recorded by the refused one


@pytest.mark.parametrize("authorization", UNREADABLE)
@pytest.mark.parametrize("path", ["/v1/reports", "/v1/indicators", "/v1/tickets/SD251120-000123"])
async def test_unreadable_authorization_where_a_key_is_required_is_401(
    client: httpx.AsyncClient, authorization: str, path: str
) -> None:
    response = await client.get(path, headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="thatgia"'


async def test_the_scheme_is_read_in_any_case(
    client: httpx.AsyncClient, make_key: KeyMaker
) -> None:
    headers = {"Authorization": f"bEaReR {await make_key('gateway', name='mx1')}"}
    body = {"check_id": await check_id(client)}
    response = await client.post("/v1/reports", json=body, headers=headers)
    assert (response.status_code, response.json()["reporter"]) == (201, "mx1")
