"""GET /search/hh against a stub of the hh.ru API: hh's search proxied, areas by id or by
name through the cached dictionary, and each item ready to save with one more call."""

from __future__ import annotations

from typing import Any

import pytest


def searches(hh: Any) -> list[Any]:
    return [r for r in hh.requests if r.url.path == "/vacancies"]


async def test_results_are_ready_to_save(alice, shared) -> None:
    response = await alice.get("/search/hh", params={"text": "python", "salary": 200000, "page": 1})
    assert response.status_code == 200, response.text
    results = response.json()
    assert results["found"] == 4821
    assert [item["source"]["external_id"] for item in results["items"]] == [
        "117205741",
        "121212121",
    ]
    assert all(item["saved_id"] is None for item in results["items"])
    sent = searches(shared.hh)[-1].url.params
    assert (sent["text"], sent["salary"], sent["page"], sent["only_with_salary"]) == (
        "python",
        "200000",
        "1",
        "true",
    )

    first = results["items"][0]
    saved = await alice.post("/import", json={"url": first["source"]["url"]})
    assert saved.status_code == 201, saved.text
    assert saved.json()["source"]["external_id"] == "117205741"
    again = (await alice.get("/search/hh", params={"text": "python"})).json()
    assert again["items"][0]["saved_id"] == saved.json()["id"]
    assert again["items"][1]["saved_id"] is None


async def test_an_area_by_name_or_id(alice, shared) -> None:
    by_name = await alice.get("/search/hh", params={"text": "бухгалтер", "area": "москва"})
    assert by_name.status_code == 200, by_name.text
    assert searches(shared.hh)[-1].url.params["area"] == "1"
    area_loads = [r for r in shared.hh.requests if r.url.path == "/areas"]

    await alice.get("/search/hh", params={"text": "бухгалтер", "area": "Екатеринбург"})
    assert searches(shared.hh)[-1].url.params["area"] == "3"
    await alice.get("/search/hh", params={"text": "бухгалтер", "area": "2"})
    assert searches(shared.hh)[-1].url.params["area"] == "2"
    # The dictionary is loaded once and kept.
    assert [r for r in shared.hh.requests if r.url.path == "/areas"] == area_loads


async def test_bad_search_requests(alice, jd) -> None:
    unknown = await alice.get("/search/hh", params={"text": "python", "area": "Атлантида"})
    assert "area" in jd.fields_of(unknown)
    for params in (
        {},
        {"text": ""},
        {"text": "x", "page": -1},
        {"text": "x", "per_page": 500},
        {"text": "x", "salary": -5},
    ):
        response = await alice.get("/search/hh", params=params)
        assert response.status_code in (400, 422), (params, response.text)


async def test_a_captcha_from_hh_is_a_422(alice, shared) -> None:
    shared.hh.search_body = shared.hh.search_body  # the stub's normal page
    original = shared.hh.handle

    def refuse(request):
        if request.url.path == "/vacancies":
            shared.hh.requests.append(request)
            import httpx

            return httpx.Response(
                403,
                content=b'{"errors": [{"type": "captcha_required", "value": "captcha_required"}]}',
            )
        return original(request)

    shared.hh.transport.handler = refuse  # type: ignore[attr-defined]
    try:
        response = await alice.get("/search/hh", params={"text": "python"})
    finally:
        shared.hh.transport.handler = original  # type: ignore[attr-defined]
    assert response.status_code == 422
    assert "paste" in response.json()["detail"]


@pytest.mark.parametrize("text", ["python", "Python-разработчик"])
async def test_search_needs_a_token(client, text) -> None:
    response = await client.get("/api/v1/vacancies/search/hh", params={"text": text})
    assert response.status_code == 401
