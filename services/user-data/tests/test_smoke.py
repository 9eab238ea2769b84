async def test_personal_and_sections(alice, ud) -> None:
    r = await alice.get("/me")
    assert r.status_code == 200, r.text
    r = await alice.patch("/me", json={"full_name": "Иван 🚀", "phone": "+7 916 123-45-67"})
    assert r.status_code == 200, r.text
    assert r.json()["phone"] == "+79161234567"
    for name, body in ud.VALID.items():
        r = await alice.post(f"/me/{name}", json=body)
        assert r.status_code == 201, (name, r.text)
    r = await alice.get("/me/export")
    assert r.status_code == 200, r.text
    r = await alice.get("/me/export?format=jsonresume")
    assert r.status_code == 200, r.text
