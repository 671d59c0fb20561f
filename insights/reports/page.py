"""The ``<head>`` of every page the runner writes: each report's page and the reports index.

One home for what the pages must share: the character set, the phone viewport, the content
security policy (the page loads nothing from anywhere) and the generator line. Each page
brings its own title and styles.
"""

from __future__ import annotations

import html

__all__ = ["CSP", "page_head"]

#: The page may load nothing from anywhere: styles and SVG are inline, images are data URIs.
CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
    "base-uri 'none'; form-action 'none'"
)


def page_head(title: str, /, *, css: str) -> str:
    """Return the ``<head>`` element of a self-contained page.

    Parameters
    ----------
    title
        The page title (plain text; escaped here).
    css
        The page's styles, inlined (the policy allows no style sheet from elsewhere).

    Examples
    --------
    >>> print(page_head("Reports & more", css="body { margin: 0; }").splitlines()[-3])
    <title>Reports &amp; more</title>

    """
    return f"""<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="generator" content="insights report runner">
<title>{html.escape(title)}</title>
<style>{css}</style>
</head>"""
