"""Turkish phone numbers written one way, so that people read and dial them alike and ``tel:``
links work: "0442 344 10 00" (landline or mobile, with the trunk 0), "444 12 34" (nationwide
444 lines) or a short service number such as "153"; an extension as "0442 344 10 00 (dahili 1234)".
"""

import re

_SEPARATORS = re.compile(r"[\s\-().\/]")
_EXTENSION = re.compile(r"^(?P<number>.*?)\s*(?:dahili|dhl\.?|ext\.?|x)\s*(?P<ext>\d{1,6})$", re.I)


def phone_format(value: str) -> str:
    """The number in the one written form; "" for "". Raises ValueError when it is not a Turkish
    number (a foreign one, too few or too many digits, letters)."""
    value = " ".join((value or "").split())
    if not value:
        return ""
    extension = ""
    match = _EXTENSION.match(value)
    if match:
        value, extension = match["number"], match["ext"]
    digits = _SEPARATORS.sub("", value)
    if digits.startswith("+90"):
        digits = "0" + digits[3:]
    elif digits.startswith("0090"):
        digits = "0" + digits[4:]
    elif digits.startswith("90") and len(digits) == 12:
        digits = "0" + digits[2:]
    if not digits.isdigit():
        raise ValueError(value)
    if len(digits) == 10 and digits[0] != "0":
        digits = "0" + digits
    if len(digits) == 11 and digits[0] == "0" and digits[1] in "2345789":
        number = f"{digits[:4]} {digits[4:7]} {digits[7:9]} {digits[9:]}"
    elif len(digits) == 7 and digits.startswith("444"):
        number = f"444 {digits[3:5]} {digits[5:]}"
    elif len(digits) == 3 and digits.startswith("1"):
        number = digits
    else:
        raise ValueError(value)
    return f"{number} (dahili {extension})" if extension else number


def phone_dial(value: str) -> str:
    """The digits a ``tel:`` link dials (the extension left out)."""
    return re.sub(r"\D", "", value.split("(")[0])
