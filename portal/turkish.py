"""Turkish text: case folding, accent-insensitive search keys, alphabetical sorting and slugs.

Python's str methods are locale-blind: ``"İ".lower()`` gives ``"i̇"`` (i + combining dot) and
``"I".lower()`` gives ``"i"`` instead of ``"ı"``; Django's ``slugify("Işık")`` drops the ``ı``.
Everything in the portal that folds, searches, sorts or slugifies Turkish text goes through here,
so SQLite and PostgreSQL behave the same: the keys are computed in Python and stored in columns.
"""

import functools
import re
import unicodedata

__all__ = [
    "tr_lower",
    "tr_upper",
    "tr_title",
    "tr_capfirst",
    "search_key",
    "sort_key",
    "tr_slugify",
]

# The Turkish alphabet in order (q, w, x where foreign names put them); the circumflexed vowels
# sort as their base letter.
ALPHABET = "abcçdefgğhıijklmnoöpqrsştuüvwxyz"
_CIRCUMFLEX = {"â": "a", "î": "i", "û": "u"}

# Letters that ASCII typing stands for: ç→c, ğ→g, ı→i, ö→o, ş→s, ü→u (and the circumflexes).
_ASCII_FOLD = str.maketrans({"ç": "c", "ğ": "g", "ı": "i", "ö": "o", "ş": "s", "ü": "u"})


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def tr_lower(text: str) -> str:
    """Lower-case by Turkish rules: İ→i, I→ı; a stray combining dot after i is dropped."""
    text = _nfc(text).replace("İ", "i").replace("I", "ı").lower()
    return text.replace("i\u0307", "i")


def tr_upper(text: str) -> str:
    """Upper-case by Turkish rules: i→İ, ı→I."""
    return _nfc(text).replace("i", "İ").replace("ı", "I").upper()


def tr_title(text: str) -> str:
    """Capitalise the first letter of each word by Turkish rules, lower-case the rest."""
    words = re.split(r"(\s+|-)", tr_lower(text))
    return "".join(tr_upper(word[:1]) + word[1:] if word.strip(" -") else word for word in words)


def tr_capfirst(text: str) -> str:
    """Capitalise the first letter by Turkish rules (``işlem`` → ``İşlem``); the rest unchanged."""
    text = str(text)
    return tr_upper(text[:1]) + text[1:]


def search_key(text: str) -> str:
    """An accent- and case-insensitive key: ``Şanlıurfa``, ``sanliurfa``, ``ŞANLIURFA`` agree.

    Letters fold to ASCII (ç→c, ğ→g, ı/İ/I→i, ö→o, ş→s, ü→u, other accents stripped);
    punctuation becomes a space and runs of spaces collapse, so a query's key can be matched with
    a plain substring test against a stored key.
    """
    text = tr_lower(text).translate(_ASCII_FOLD)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^0-9a-z]+", " ", text)
    return text.strip()


def _letter_code(ch: str) -> str:
    ch = _CIRCUMFLEX.get(ch, ch)
    if ch in ALPHABET:
        # Two characters per letter from [a-z] and [0-9] only: they compare alike in every
        # collation a database may use, so ORDER BY on the stored key is the Turkish order.
        index = ALPHABET.index(ch)
        return chr(ord("a") + index // 10) + str(index % 10)
    if ch in "0123456789":
        return "1" + ch
    return ""


def sort_key(text: str) -> str:
    """A key whose plain (binary or locale) order is Turkish alphabetical order.

    C < Ç < D, G < Ğ < H, I (ı) < İ (i) < J, O < Ö < P, S < Ş < T, U < Ü < V; case is ignored;
    words are compared one by one, so "Ak Şehir" sorts before "Akarca".
    """
    return _sort_key(str(text))


# The same names (81 provinces, 1,393 municipalities, categories) are sorted on every report
# page: a key is a pure function of its text, so it is computed once per process.
@functools.lru_cache(maxsize=65536)
def _sort_key(text: str) -> str:
    words = re.findall(r"\w+", tr_lower(text))
    parts = []
    for word in words:
        normalized = unicodedata.normalize("NFC", word)
        parts.append("".join(_letter_code(ch) for ch in normalized))
    # "00" separates words and sorts before every digit code (1x) and letter code (a0…d1)
    return "00".join(parts)


def tr_slugify(text: str) -> str:
    """A URL slug that keeps every letter: ``Işık Çayı`` → ``isik-cayi``."""
    return search_key(text).replace(" ", "-")
