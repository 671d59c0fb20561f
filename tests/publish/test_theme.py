"""The house theme's colours: colour-blind-safe hues that every reader can see on white."""

from __future__ import annotations

from conftest import contrast

from insights.publish.theme import PALETTE


def test_every_palette_colour_has_three_to_one_contrast_on_white() -> None:
    assert {c: round(contrast(c), 2) for c in PALETTE if contrast(c) < 3} == {}


def test_the_palette_has_no_repeated_colour() -> None:
    assert len(set(PALETTE)) == len(PALETTE) == 8


def test_contrast_is_measured_as_wcag_defines_it() -> None:
    assert round(contrast("#000000"), 1) == 21.0
    assert round(contrast("#FFFFFF"), 1) == 1.0
    assert round(contrast("#767676"), 2) == 4.54  # the WCAG AA grey
