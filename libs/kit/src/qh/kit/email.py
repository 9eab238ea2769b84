"""One canonical form of an e-mail address, shared by every service.

The rule (``canonical_email``):

1. Blanks around the value are dropped; the address is validated by ``email-validator``
   (syntax only: no DNS, ``check_deliverability=False``), internationalised addresses
   allowed (``allow_smtputf8=True``, RFC 6531), so ``иван.петров@почта.рф`` is accepted.
2. The **domain** is in its Unicode form (IDNA decoded, UTS #46 mapped), lower-case:
   ``XN--80A1ACNY.XN--P1AI`` and ``почта.рф`` are both ``почта.рф``.
3. The **local part** is NFC-normalised (``email-validator``) and lower-cased with
   ``str.lower`` (not ``casefold``, which would turn ``ß`` into ``ss``, another mailbox).
   RFC 5321 lets a server treat ``Ivan`` and ``ivan`` as two mailboxes; none that people
   use does, and two accounts differing only in case are a phishing aid, so QH does not.

So the punycode and Unicode spellings, and any mix of case, are one account; the canonical
form is what services store, look up, compare and publish (``user.registered``). Mail is
sent to it as it is (an SMTPUTF8 server takes it; ``ascii_email`` gives the punycode
domain for one that does not, when the local part is ASCII).
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 320


class InvalidEmail(ValueError):
    """The value is not an e-mail address; ``str()`` says why, for a person."""


def _validated(value: str):  # type: ignore[no-untyped-def]
    if not isinstance(value, str):
        raise InvalidEmail("An e-mail address must be text")
    value = value.strip()
    if not value:
        raise InvalidEmail("Enter an e-mail address")
    if len(value) > MAX_LENGTH:
        raise InvalidEmail(f"An e-mail address has at most {MAX_LENGTH} characters")
    try:
        return validate_email(value, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as error:
        raise InvalidEmail(str(error)) from None


def canonical_email(value: str) -> str:
    """The canonical form of ``value`` (see the module's rule); :class:`InvalidEmail`
    with a readable reason when it is not an address."""
    result = _validated(value)
    return f"{result.local_part.lower()}@{result.domain.lower()}"


def ascii_email(value: str) -> str | None:
    """The address with its domain in punycode, for a mail server without SMTPUTF8;
    ``None`` when the local part itself is not ASCII."""
    result = _validated(value)
    local = result.local_part.lower()
    if not local.isascii():
        return None
    return f"{local}@{(result.ascii_domain or result.domain).lower()}"


__all__ = ["MAX_LENGTH", "InvalidEmail", "ascii_email", "canonical_email"]
