"""PDFs with WeasyPrint: rendered from our templates, fetching nothing but app/static files."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, render_template

STATIC_PREFIX = "static:"


def safe_fetcher(url: str, timeout: int = 10, ssl_context=None):
    """Serve only files under app/static (as static:path); refuse everything else, so a
    document can never reach the network or read another file."""
    if not url.startswith(STATIC_PREFIX):
        raise ValueError(f"refused to fetch {urlsplit(url).scheme or 'a'} resource in a PDF")
    static = Path(current_app.static_folder).resolve()
    target = (static / url[len(STATIC_PREFIX):]).resolve()
    if static not in target.parents or not target.is_file():
        raise ValueError("refused to fetch a file outside app/static in a PDF")
    return {"string": target.read_bytes(), "mime_type": _mime(target.suffix)}


def _mime(suffix: str) -> str:
    return {".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml"}.get(
        suffix, "application/octet-stream")


def render(template: str, **context) -> bytes:
    """A tagged PDF (PDF/UA) of the template."""
    from weasyprint import HTML  # imported here: Pango loads only when a PDF is made

    html = render_template(template, **context)
    return HTML(string=html, url_fetcher=safe_fetcher, base_url=STATIC_PREFIX).write_pdf(
        pdf_variant="pdf/ua-1")
