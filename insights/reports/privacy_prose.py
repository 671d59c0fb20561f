"""Small counts of people in prose: what alt text (chart descriptions, SVG titles) may not say."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from insights.publish.people import PEOPLE_WORDS
from insights.publish.tables import MIN_CUSTOMERS
from insights.reports.privacy_violation import Violation

__all__ = ["small_counts_in_prose"]


_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"), 0
    )
}
_QUALIFIERS = (
    r"new|repeat|regular|distinct|unique|active|open|more|fewer|other|paying|returning|"
    r"different|separate|individual|loyal"
)
_COUNT = rf"(\d[\d,]*(?:\.\d+)?|{'|'.join(_NUMBER_WORDS)})"
_PROSE_COUNTS = (
    # "3 customers", "four new customers", "2 regular people"
    re.compile(
        rf"(?<![\w.,]){_COUNT}\s+(?:(?:{_QUALIFIERS})\s+){{0,2}}({PEOPLE_WORDS})\b",
        flags=re.IGNORECASE,
    ),
    # "customers: 4", "contacts = 7"
    re.compile(rf"\b({PEOPLE_WORDS})\s*[:=]\s*{_COUNT}(?![\w.%])", flags=re.IGNORECASE),
)
_ALT_ELEMENTS = re.compile(r"<(title|desc)\b[^>]*>(.*?)</\1>", flags=re.IGNORECASE | re.DOTALL)
_IMG_ALT = re.compile(r"<img\b[^>]*?\balt=\"([^\"]*)\"", flags=re.IGNORECASE)


def _count_value(text: str) -> float:
    word = text.lower()
    return float(_NUMBER_WORDS[word]) if word in _NUMBER_WORDS else float(text.replace(",", ""))


def small_counts_in_prose(text: str, /, *, floor: int = MIN_CUSTOMERS) -> list[str]:
    """Find the phrases of ``text`` that give a count of 1 to ``floor - 1`` people.

    A number next to a people word: what data-written alt text must never say.

    Examples
    --------
    >>> small_counts_in_prose("Bars for 12 places; the newest has 3 regular customers.")
    ['3 regular customers']
    >>> small_counts_in_prose("customers: 4; over 7 days, 1,200 open accounts; 5% of people")
    ['customers: 4']

    """
    found = []
    for pattern in _PROSE_COUNTS:
        for match in pattern.finditer(text):
            group = 1 if pattern is _PROSE_COUNTS[0] else 2
            before = text[max(match.start(group) - 1, 0) : match.start(group)]
            if text[match.end(group) : match.end(group) + 1] == "%" or before in {"£", "$", "€"}:
                continue
            if 0 < _count_value(match.group(group)) < floor:
                found.append(match.group(0))
    return found


def _alt_texts(path: Path, text: str) -> list[str]:
    """Return the alt text a file carries.

    That is ``.alt.txt``, SVG ``<title>``/``<desc>``, ``<img alt>`` and a Vega-Lite spec's
    ``description``.
    """
    if path.name.endswith(".alt.txt"):
        return [text]
    if path.name.endswith(".vl.json"):
        spec = json.loads(text)
        return [str(spec.get("description", ""))] if isinstance(spec, dict) else []
    if path.suffix in {".svg", ".html", ".htm", ".ipynb"}:
        texts = [m.group(2) for m in _ALT_ELEMENTS.finditer(text)]
        return texts + [m.group(1) for m in _IMG_ALT.finditer(text)]
    return []


def _scan_alt_text(path: Path, text: str, rel: str, floor: int) -> Iterable[Violation]:
    said = [p for alt in _alt_texts(path, text) for p in small_counts_in_prose(alt, floor=floor)]
    if said:
        yield Violation(
            rel,
            None,
            f"alt text gives {len(said)} count(s) of fewer than {floor} people (a number next "
            "to a people word, e.g. '{said[0]}'); leave small counts out of chart descriptions",
        )
