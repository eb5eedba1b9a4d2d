"""Short signed codes of a registration, stored nowhere: the personal check-in code and the
certificate's verification code.

A code is the registration's id followed by an HMAC of it (keyed with SECRET_KEY and a salt per
purpose), in Crockford's base32: digits and capital letters without I, L, O and U, so that a
code read aloud or typed from paper survives 0/O and 1/I/L mix-ups and any case. The id part
is at least five characters and the MAC seven (35 bits; looked-up codes are rate-limited or
need a coordinator), grouped by four: ``0000C-ABCD-EFG`` reads as ``0000-CABC-DEFG``.
"""

import re

from django.utils.crypto import constant_time_compare, salted_hmac

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# What people type for the letters the alphabet leaves out (Crockford's decoding).
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
ID_LENGTH = 5
MAC_LENGTH = 7
GROUP = 4
_NOT_CODE = re.compile(r"[\s\-_.]")


def _base32(number: int, length: int = 0) -> str:
    digits = ""
    while number:
        number, rest = divmod(number, 32)
        digits = ALPHABET[rest] + digits
    return digits.rjust(length, "0")


def _mac(salt: str, message: str) -> str:
    digest = salted_hmac(salt, message, algorithm="sha256").digest()
    return _base32(int.from_bytes(digest[:8], "big"), 13)[:MAC_LENGTH]


def group(code: str) -> str:
    """The code in groups of four, as printed: ``0000-CABC-DEFG``."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise(text: str) -> str:
    """What was typed or scanned, as the characters of a code (no spaces or dashes, capitals,
    O read as 0 and I/L as 1); empty when it cannot be a code."""
    text = _NOT_CODE.sub("", text or "").upper().translate(_READ_AS)
    # At most twelve id characters (60 bits): any longer id would overflow the database.
    if len(text) < ID_LENGTH + MAC_LENGTH or len(text) > 12 + MAC_LENGTH:
        return ""
    if any(character not in ALPHABET for character in text):
        return ""
    return text


def make_code(*, salt: str, pk: int, message: str) -> str:
    """The code of object ``pk`` for ``message`` (which should name the object): ungrouped."""
    return _base32(pk, ID_LENGTH) + _mac(salt, message)


def code_id(code: str) -> int | None:
    """The object id a normalised code claims (its MAC is checked by ``code_matches``)."""
    if not code:
        return None
    number = 0
    for character in code[:-MAC_LENGTH]:
        number = number * 32 + ALPHABET.index(character)
    return number


def code_matches(code: str, *, salt: str, pk: int, message: str) -> bool:
    """Whether a normalised code is the one of ``pk`` and ``message`` (constant time)."""
    return bool(code) and constant_time_compare(code, make_code(salt=salt, pk=pk, message=message))


def coded_object(queryset, code: str, *, salt: str, message):
    """The object of ``queryset`` whose signed code ``code`` is (``message(obj)`` being what its
    code signs), or None when the code names no object or does not match it; one query."""
    pk = code_id(code)
    found = queryset.filter(pk=pk).first() if pk else None
    if found is None or not code_matches(code, salt=salt, pk=found.pk, message=message(found)):
        return None
    return found
