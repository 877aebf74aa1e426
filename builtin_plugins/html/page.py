"""The HTML page: a fixed template, the CSS and script from ``assets/``, the run's data as JSON.

Nothing of the run is ever written as HTML: test names, output and messages travel inside the JSON
and the script puts them on the page as text nodes. The JSON sits in a
``<script type="application/json">`` element, with ``<``, ``>`` and ``&`` escaped as ``\\u003c``...,
so no ``</script>`` or ``<!--`` in a test's output can end the element; control characters are
JSON escapes, and undecodable bytes (lone surrogates) ``\\udcXX`` escapes.
"""

from __future__ import annotations

import html
import json
from importlib import resources
from typing import Any

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<noscript>This report needs JavaScript to show its data.</noscript>
<script type="application/json" id="report-data">{data}</script>
<script>{js}</script>
</body>
</html>
"""


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("assets", name).read_text(encoding="utf-8")


def embed_json(data: Any) -> str:
    """``data`` as JSON that cannot end or break the ``<script>`` element holding it."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(data: dict[str, Any]) -> str:
    return _TEMPLATE.format(title=html.escape(str(data.get("title", "Test report"))), css=_asset("report.css"),
                            js=_asset("report.js"), data=embed_json(data))
