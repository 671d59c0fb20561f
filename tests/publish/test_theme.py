"""The house theme's colours: colour-blind-safe hues that every reader can see on white."""

from __future__ import annotations

from insights.publish.theme import PALETTE


def contrast(colour: str) -> float:
    """WCAG contrast ratio of ``colour`` against white."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def test_every_palette_colour_has_three_to_one_contrast_on_white() -> None:
    assert {c: round(contrast(c), 2) for c in PALETTE if contrast(c) < 3} == {}


def test_the_palette_has_no_repeated_colour() -> None:
    assert len(set(PALETTE)) == len(PALETTE) == 8


def test_contrast_is_measured_as_wcag_defines_it() -> None:
    assert round(contrast("#000000"), 1) == 21.0
    assert round(contrast("#FFFFFF"), 1) == 1.0
    assert round(contrast("#767676"), 2) == 4.54  # the WCAG AA grey
