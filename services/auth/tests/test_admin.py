"""Admin routes: list, read, change roles, deactivate; only for the admin role."""

from __future__ import annotations

import uuid
from typing import Any

import jwt


async def test_admin_lists_and_reads_users(api: Any) -> None:
    users = [await api.register() for _ in range(3)]
    admin, headers = await api.admin()
    page = await api.client.get(
        "/api/v1/auth/users", params={"limit": 2, "offset": 0}, headers=headers
    )
    assert page.status_code == 200
    body = page.json()
    assert body["total"] == 4
    assert body["limit"] == 2
    assert body["offset"] == 0
    assert len(body["items"]) == 2
    rest = (
        await api.client.get(
            "/api/v1/auth/users", params={"limit": 2, "offset": 2}, headers=headers
        )
    ).json()
    ids = {u["id"] for u in body["items"] + rest["items"]}
    assert ids == {u["id"] for u in users} | {admin["id"]}
    one = await api.client.get(f"/api/v1/auth/users/{users[0]['id']}", headers=headers)
    assert one.status_code == 200
    assert one.json()["email"] == users[0]["email"]
    missing = await api.client.get(f"/api/v1/auth/users/{uuid.uuid4()}", headers=headers)
    assert missing.status_code == 404


async def test_admin_grants_and_removes_roles(api: Any) -> None:
    user = await api.register()
    _, headers = await api.admin()
    response = await api.client.patch(
        f"/api/v1/auth/users/{user['id']}", json={"roles": ["admin"]}, headers=headers
    )
    assert response.status_code == 200
    assert response.json()["roles"] == ["admin", "user"]
    pair = await api.login(user["email"])
    assert jwt.decode(pair["access_token"], options={"verify_signature": False})["roles"] == [
        "admin",
        "user",
    ]
    response = await api.client.patch(
        f"/api/v1/auth/users/{user['id']}", json={"roles": ["user"]}, headers=headers
    )
    assert response.json()["roles"] == ["user"]


async def test_roles_are_limited_to_user_and_admin(api: Any) -> None:
    user = await api.register()
    _, headers = await api.admin()
    for roles in (["service"], ["root"], [], "admin"):
        response = await api.client.patch(
            f"/api/v1/auth/users/{user['id']}", json={"roles": roles}, headers=headers
        )
        assert response.status_code == 422, roles


async def test_an_admin_cannot_lock_themselves_out(api: Any) -> None:
    admin, headers = await api.admin()
    for change in ({"roles": ["user"]}, {"is_active": False}):
        response = await api.client.patch(
            f"/api/v1/auth/users/{admin['id']}", json=change, headers=headers
        )
        assert response.status_code == 409


async def test_users_cannot_use_admin_routes(api: Any) -> None:
    user = await api.register()
    pair = await api.login(user["email"])
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert (await api.client.get("/api/v1/auth/users", headers=headers)).status_code == 403
    assert (
        await api.client.get(f"/api/v1/auth/users/{user['id']}", headers=headers)
    ).status_code == 403
    response = await api.client.patch(
        f"/api/v1/auth/users/{user['id']}", json={"roles": ["admin"]}, headers=headers
    )
    assert response.status_code == 403
    assert (await api.client.get("/api/v1/auth/users")).status_code == 401


async def test_create_admin_promotes_an_existing_account(api: Any) -> None:
    user = await api.register()
    async with api.context.transaction() as session:
        admin = await api.context.provide("admin", session)
        promoted, created = await admin.grant_admin(user["email"].upper(), None)
    assert created is False
    assert promoted.roles == ["admin", "user"]


async def test_a_demoted_admins_token_stops_working_at_once(api: Any) -> None:
    first, first_headers = await api.admin()
    _, second_headers = await api.admin()
    response = await api.client.patch(
        f"/api/v1/auth/users/{first['id']}", json={"roles": ["user"]}, headers=second_headers
    )
    assert response.status_code == 200
    # the token still says admin, the database no longer does
    assert (await api.client.get("/api/v1/auth/users", headers=first_headers)).status_code == 403


async def test_deactivation_is_published_once_so_every_service_refuses_old_tokens(
    api: Any,
) -> None:
    user = await api.register()
    _, headers = await api.admin()
    for _ in range(2):  # deactivating an inactive account publishes nothing more
        response = await api.client.patch(
            f"/api/v1/auth/users/{user['id']}", json={"is_active": False}, headers=headers
        )
        assert response.status_code == 200
    assert await api.events("user.deactivated.v1") == [{"user_id": user["id"]}]
