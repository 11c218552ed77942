"""Rendering letters: jinja2 (StrictUndefined, autoescape) to HTML, WeasyPrint to print-ready PDF.

WeasyPrint lays out many pages in one document far faster than one document per letter, so a
business date's letters of one type become one PDF; each letter starts with an anchor `L-<serial>`
from which the page ranges of the vendor's manifest are read.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ..resources import data_dir


@lru_cache(maxsize=4)
def environment(folder: str | None = None) -> Environment:
    return Environment(loader=FileSystemLoader(folder or str(data_dir("letter_templates"))),
                       undefined=StrictUndefined, autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


def render_letter(context: dict) -> str:
    """One letter (and its language insert) as an HTML <section>; a missing variable raises."""
    env = environment()
    insert = f"insert_{context['household']['language']}.html"
    context = {**context, "insert_template": insert if insert in env.list_templates() else None}
    return env.get_template(f"{context['letter']['type']}.html").render(context)


def document(sections: list[str], title: str) -> str:
    css = (data_dir("letter_templates") / "style.css").read_text("utf-8")
    return (f'<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{css}</style></head><body>{''.join(sections)}</body></html>")


def write_pdf(html: str, path: Path, serials: list[str]) -> dict[str, tuple[int, int]]:
    """Write one PDF; returns each serial's (first page, last page), 1-based."""
    from weasyprint import HTML
    rendered = HTML(string=html).render()
    starts = {}
    for number, page in enumerate(rendered.pages, 1):
        for anchor in page.anchors:
            if anchor.startswith("L-"):
                starts.setdefault(anchor[2:], number)
    rendered.write_pdf(path)
    total = len(rendered.pages)
    ordered = [starts[s] for s in serials]
    ends = [n - 1 for n in ordered[1:]] + [total]
    return {s: (first, last) for s, first, last in zip(serials, ordered, ends)}
