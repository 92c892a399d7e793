"""Reading a page the way a person does: its visible text, its headings, the messages shown
after an action, the errors of a form — for tests that assert what the user sees rather
than a status code alone."""

from __future__ import annotations

import html as htmllib
import re


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def text(response) -> str:
    """The page's visible text, whitespace folded (scripts, styles and tags dropped)."""
    return _fold(re.sub(r"<(script|style)\b.*?</\1>", " ", body(response), flags=re.S))


def _fold(fragment: str) -> str:
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def _texts(pattern: str, response) -> list[str]:
    return [_fold(f) for f in re.findall(pattern, body(response), flags=re.S)]


def headings(response) -> list[str]:
    """The text of every <h1> … <h2>."""
    return _texts(r"<h[12]\b[^>]*>(.*?)</h[12]>", response)


def messages(response) -> list[str]:
    """The messages shown after an action (the site's and the admin's message lists)."""
    return _texts(r'<ul class="messag[^"]*">(.*?)</ul>', response)


def errors(response) -> list[str]:
    """The errors a form shows (Django's error lists, the site's alerts)."""
    return _texts(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response) + _texts(
        r'<p class="error[^"]*"[^>]*>(.*?)</p>', response
    )


def shows(response, *texts: str, status: int = 200) -> str:
    """Assert the answer has ``status`` and its page shows each of ``texts``; the page's
    text, for more assertions."""
    assert response.status_code == status, (response.status_code, text(response)[:2000])
    seen = text(response)
    for t in texts:
        assert t in seen, (t, seen[:3000])
    return seen


def assert_photo(response) -> None:
    """A photo is served: an image, not an empty answer nor a page."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("image/"), response["Content-Type"]
    content = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    assert content.startswith((b"\x89PNG", b"\xff\xd8", b"RIFF")), content[:16]


def table(response) -> list[list[str]]:
    """The rows of a downloaded table (CSV, or the first sheet of an Excel workbook), the
    header first; asserts it comes as a file to save."""
    import csv
    import io

    assert response.status_code == 200, response.status_code
    disposition = response.get("Content-Disposition", "")
    assert disposition.startswith("attachment"), disposition
    content = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if ".xlsx" in disposition:
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
        return [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
