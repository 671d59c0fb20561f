"""``<out>/index.html``: every published report with its parameters, dates and status.

Built from the ``manifest.json`` of each published folder and the ``error.json`` of each
filed failure; regenerated after every run. Self-contained and readable on a phone.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

from insights.reports.failures import redact
from insights.reports.html import report_heading
from insights.reports.page import page_head

__all__ = ["write_index"]

_CSS = """
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 'Helvetica Neue', Arial, sans-serif; color: #1f2328; }
main { max-width: 960px; margin: 0 auto; padding: 16px; }
table { border-collapse: collapse; width: 100%; display: block; overflow-x: auto; }
th, td { text-align: left; padding: 4px 10px 4px 0; border-bottom: 1px solid #e6e8eb;
         vertical-align: top; }
th { color: #57606a; font-weight: 600; }
.failed { color: #b42318; }
code { font-size: 0.85em; }
"""


def _read(path: Path) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    return found


def _params(values: dict[str, Any]) -> str:
    return "<br>".join(
        f"<code>{html.escape(str(k))}={html.escape(str(v))}</code>" for k, v in values.items()
    )


def write_index(out: str | Path, /) -> Path:
    """Write ``<out>/index.html`` listing published reports and filed failures.

    Returns
    -------
    Path
        The index file, replaced atomically.

    """
    out = Path(out)
    rows = []
    for manifest_path in sorted(out.glob("*/*/manifest.json")):
        if manifest_path.parts[-3].startswith((".", "_")):
            continue
        m = _read(manifest_path)
        if m is None:
            continue
        link = manifest_path.parent.relative_to(out).as_posix()
        span = m.get("data", {}).get("date_range") or ["?", "?"]
        params = m.get("parameters", {}) if isinstance(m.get("parameters"), dict) else {}
        title = str(m.get("title", m.get("report")))
        heading = report_heading(title, params, last_day=m.get("forecast_last_day"))
        rows.append(
            "<tr>"
            f'<td><a href="{html.escape(link)}/report.html">'
            f"{html.escape(heading)}"
            "</a></td>"
            f"<td>{_params(m.get('parameters', {}))}</td>"
            f"<td>{html.escape(str(span[0]))} to {html.escape(str(span[1]))}</td>"
            f"<td>{html.escape(str(m.get('finished_at', '')))}</td>"
            f"<td>{html.escape(str(m.get('status', '')))}</td>"
            "</tr>"
        )
    failures = []
    for error_path in sorted(out.glob("_failures/*/*/error.json"), reverse=True)[:50]:
        e = _read(error_path)
        if e is None:
            continue
        failures.append(
            "<tr>"
            f"<td>{html.escape(str(e.get('report', error_path.parts[-3])))}</td>"
            f"<td>{_params(e.get('parameters', {}))}</td>"
            f"<td>{html.escape(str(e.get('failed_at', '')))}</td>"
            f'<td class="failed">{html.escape(redact(str(e.get("explanation", ""))))}</td>'
            "</tr>"
        )
    head = "<tr><th>Report</th><th>Parameters</th><th>Data</th><th>Generated</th>"
    page = f"""<!DOCTYPE html>
<html lang="en">
{page_head("Reports", css=_CSS)}
<body>
<main>
<h1>Reports</h1>
<table id="published">
{head}<th>Status</th></tr>
{"".join(rows) or '<tr><td colspan="5">No reports published yet.</td></tr>'}
</table>
<h2>Recent failures</h2>
<table id="failures">
<tr><th>Report</th><th>Parameters</th><th>When</th><th>What happened</th></tr>
{"".join(failures) or '<tr><td colspan="4">None.</td></tr>'}
</table>
</main>
</body>
</html>
"""
    out.mkdir(parents=True, exist_ok=True)
    index = out / "index.html"
    tmp = out / f".index-{os.getpid()}.html"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, index)
    return index
