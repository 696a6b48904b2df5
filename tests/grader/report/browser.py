"""Open a report page in headless Chromium, as an instructor's browser would, from disk.

``load(page)`` gives the DOM after loading, the console messages (script errors, failed
loads), and every file the browser fetched; tests skip, saying why, where Chromium is absent.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
FLAGS = ("--headless", "--disable-gpu", "--no-sandbox", "--enable-logging=stderr", "--v=1")


def chromium() -> str:
    """The browser's path, or skip the test with the reason."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("headless Chromium not found (Debian: apt-get install chromium)")


@dataclass
class Loaded:
    dom: str
    console: list[str]  # messages the page logged (errors included)
    fetched: list[str]  # every file:// URL the browser loaded


def load(page: Path, screenshot: Path | None = None) -> Loaded:
    """Load ``page`` (a file) and return what happened; optionally a PNG screenshot too."""
    url = page.resolve().as_uri()
    args = [chromium(), *FLAGS, "--dump-dom", url]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    console = re.findall(r":INFO:CONSOLE[^\]]*\] (.*)", done.stderr)
    fetched = re.findall(r"FileURLLoader::Start: (\S+)", done.stderr)
    if screenshot is not None:
        shot = [chromium(), *FLAGS[:3], f"--screenshot={screenshot}", "--window-size=1280,2000"]
        subprocess.run([*shot, url], capture_output=True, timeout=120, check=True)
    return Loaded(done.stdout, console, fetched)


class Tables(HTMLParser):
    """Rows of every ``<table id=...>`` and the ``src``/``href`` of every element."""

    def __init__(self, dom: str) -> None:
        super().__init__()
        self.rows: dict[str, list[list[str]]] = {}
        self.links: list[str] = []
        self.images: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self.feed(dom)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("id"):
            self._table = a["id"]
            self.rows[self._table] = []
        elif tag == "tr" and self._table:
            self.rows[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []
        if tag == "img":
            self.images.append(a.get("src") or "")
        for key in ("src", "href"):
            if a.get(key):
                self.links.append(a[key] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._cell is not None and self._table:
            self.rows[self._table][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def body_rows(self, table: str) -> list[list[str]]:
        """The rows of ``table`` below its header."""
        return self.rows[table][1:]
