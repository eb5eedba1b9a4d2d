"""Answer templates in use: their placeholders filled in for one case, and inserted into an
answer without losing what was already typed."""

import re

# {ngo}, {title} and {municipality}: the NGO, the expectation's title, the municipality answering.
PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")
PLACEHOLDERS = ("ngo", "title", "municipality")


def unknown_placeholders(body: str) -> list[str]:
    """The ``{name}`` placeholders of a template text that would not be filled in."""
    return sorted({name for name in PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})


def answer_template_fill(body: str, case) -> str:
    """The template's text for this case: the NGO's name, the expectation's title and the
    municipality's name in place of {ngo}, {title} and {municipality}; anything else is kept."""
    values = {
        "ngo": case.submission.ngo.name,
        "title": case.title,
        "municipality": case.municipality.name,
    }
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), body)


def answer_with_template(typed: str, filled: str) -> str:
    """What the answer box holds after inserting a template: the text typed so far, then the
    template after a blank line. Nothing typed is ever replaced."""
    typed = typed.rstrip()
    return f"{typed}\n\n{filled}" if typed else filled
