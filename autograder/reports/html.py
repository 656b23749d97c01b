"""A self-contained HTML page: inline CSS, images as data: URIs, no scripts, no external requests."""
from __future__ import annotations

import base64
from html import escape

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 70rem;
       padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { margin-bottom: .2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border-bottom: 1px solid #e4e4e4; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f6f6; } td.num, th.num { text-align: right; white-space: nowrap; }
pre { background: #f7f7f9; border: 1px solid #e1e1e8; padding: .6rem; white-space: pre-wrap;
      word-break: break-word; font-size: .85rem; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: .3rem; font-size: .8rem; font-weight: 600;
         color: #fff; }
.passed { background: #2e7d32; } .failed { background: #c62828; } .partial { background: #ef6c00; }
.grader-error { background: #6a1b9a; }
.hidden-note { color: #666; font-style: italic; }
.check { border: 1px solid #e4e4e4; border-radius: .4rem; padding: .2rem 1rem .8rem; margin: 1rem 0; }
.check h3 { font-size: 1.05rem; } .meta { color: #666; font-size: .85rem; }
figure { margin: .6rem 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
.bar { background: #c62828; height: .7rem; display: inline-block; vertical-align: middle; }
.alert { border-left: 4px solid #c62828; background: #fdecea; padding: .5rem 1rem; }
"""


def page(title: str, body: str) -> str:
    """The complete HTML document around `body` (already HTML)."""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<link rel=\"icon\" href=\"data:,\">\n"
            f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def png_img(png: bytes, alt: str) -> str:
    """An <img> holding the PNG as a data: URI."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}">'


def badge(verdict: str) -> str:
    """A coloured 'passed' / 'partial' / 'failed' label."""
    return f'<span class="badge {verdict.replace(" ", "-")}">{verdict}</span>'
