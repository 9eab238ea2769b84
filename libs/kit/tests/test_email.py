"""The canonical e-mail form every service stores, looks up and publishes."""

from __future__ import annotations

import pytest

from qh.kit.email import InvalidEmail, ascii_email, canonical_email


def test_an_internationalised_address_is_accepted_as_typed() -> None:
    assert canonical_email("иван.петров@почта.рф") == "иван.петров@почта.рф"


def test_punycode_and_unicode_domains_are_one_address() -> None:
    assert canonical_email("Иван.Петров@XN--80A1ACNY.XN--P1AI") == "иван.петров@почта.рф"
    assert canonical_email(" ivan@ПОЧТА.РФ ") == "ivan@почта.рф"
    assert ascii_email("ivan@почта.рф") == "ivan@xn--80a1acny.xn--p1ai"
    assert ascii_email("иван@почта.рф") is None


def test_case_and_blanks_do_not_make_another_address() -> None:
    assert canonical_email("  Ada.Lovelace@Example.COM\t") == "ada.lovelace@example.com"
    assert canonical_email("straße@example.de") == "straße@example.de"  # not "strasse"


def test_the_local_part_is_nfc() -> None:
    decomposed = "jose\u0301@example.com"
    assert canonical_email(decomposed) == "jos\u00e9@example.com"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "plainaddress",
        "a@",
        "@example.com",
        "a@b@example.com",
        "a@-example.com",
        "a b@example.com",
        "a@example..com",
        "x" * 300 + "@example.com",
        "a\x00@example.com",
    ],
)
def test_what_is_not_an_address_is_refused_with_a_reason(value: str) -> None:
    with pytest.raises(InvalidEmail) as raised:
        canonical_email(value)
    assert str(raised.value)
    assert "regex" not in str(raised.value).lower()
