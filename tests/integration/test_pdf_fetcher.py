"""WeasyPrint may fetch only files under app/static: nothing from the network or disk."""

from __future__ import annotations

import pytest

from app.services.pdf import safe_fetcher


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://example.com/x.png",
                                 "https://127.0.0.1/", "static:../../etc/passwd",
                                 "static:../config.py", "data:text/plain,hello", "/etc/passwd"])
def test_everything_but_static_files_is_refused(app, url):
    with app.app_context(), pytest.raises(ValueError):
        safe_fetcher(url)


def test_a_static_file_is_served(app):
    with app.app_context():
        fetched = safe_fetcher("static:js/teamaround.js")
        assert b"GOVUKFrontend" in fetched["string"]
