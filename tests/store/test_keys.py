"""API keys: tokens shown once, kept only as hashes, refused once revoked."""

from __future__ import annotations

from sqlalchemy import select

from app.store.database import Database
from app.store.keys import ActiveKey, authenticate, create_key, digest, list_keys, revoke_key
from app.store.tables import ApiKey


async def authenticated(database: Database, token: str) -> ActiveKey | None:
    """The key of a token, looked up as a request does."""
    return await database.read(lambda lookup: authenticate(lookup, token))


async def test_created_key_authenticates_its_token(database: Database) -> None:
    async with database.write_session() as session:
        key, token = await create_key(session, "gateway-mx1", ["gateway"])
    found = await authenticated(database, token)
    assert found is not None
    assert (found.key_id, found.name) == (key.key_id, "gateway-mx1")
    assert found.scopes == frozenset({"gateway"})


async def test_only_the_hash_of_the_token_is_stored(database: Database) -> None:
    async with database.write_session() as session:
        _, token = await create_key(session, "support", ["support"])
    async with database.session() as session:
        row = (await session.scalars(select(ApiKey))).one()
    secret = token.rsplit("_", 1)[1]
    stored = " ".join(str(v) for v in (row.key_id, row.name, row.scopes, row.secret_sha256))
    assert secret not in stored
    assert row.secret_sha256 == digest(token)


async def test_token_with_a_wrong_secret_is_refused(database: Database) -> None:
    async with database.write_session() as session:
        _, token = await create_key(session, "support", ["support"])
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert await authenticated(database, forged) is None


async def test_token_of_an_unknown_key_id_is_refused(database: Database) -> None:
    assert await authenticated(database, "thg_000000000000_" + "x" * 43) is None
    assert await authenticated(database, "not-a-token") is None


async def test_revoked_key_no_longer_authenticates(database: Database) -> None:
    async with database.write_session() as session:
        key, token = await create_key(session, "support", ["support"])
        await revoke_key(session, key.key_id)
    assert await authenticated(database, token) is None


async def test_key_can_be_revoked_by_its_unique_name(database: Database) -> None:
    async with database.write_session() as session:
        await create_key(session, "ops", ["admin"])
        revoked = await revoke_key(session, "ops")
    async with database.session() as session:
        keys = await list_keys(session)
    assert [k.key_id for k in keys if k.revoked_at] == [revoked.key_id]
