"""Rendering letters: jinja2 (StrictUndefined, autoescape) to HTML, then print-ready PDF.

The PDF engine is headless Chromium when installed (measured ~3× WeasyPrint's pages per second on
this machine: `nhi-collect bench`), else WeasyPrint; NHI_COLLECT_PDF_ENGINE chooses one. Both lay
out many pages per document far faster than one document per letter, so a business date's letters
of one type become one PDF, laid out in parts on every core and joined. Each letter's first page
carries "文書番号 <serial>" (and, for WeasyPrint, an anchor `L-<serial>`), from which the page ranges
of the vendor's manifest are read.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path
from typing import Callable

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ..resources import data_dir
from . import orphans

# Letters per part. WeasyPrint: ~100 (~200 pages) is as fast per page as larger parts and keeps a worker
# near 0.5 GB; Chromium: each part starts a browser (~1 s), so parts are larger (measured).
PART_LETTERS = {"chromium": 500, "weasyprint": 100}
SERIAL_MARK = re.compile(r"文書番号\s*(\S+)")


# Below this many letters a batch goes to WeasyPrint even when Chromium is there: a browser's start
# (~0.8 s) costs more than WeasyPrint's slower pages (~0.05 s each) for a handful of letters (measured).
SMALL_BATCH = 25


def engine(letters: int = SMALL_BATCH, chosen: str | None = None) -> str:
    """`chosen` comes from the settings (bootstrap); without it NHI_COLLECT_PDF_ENGINE, then the size."""
    chosen = chosen or os.environ.get("NHI_COLLECT_PDF_ENGINE")
    if chosen not in (None, "", *PART_LETTERS):
        raise ValueError(f"NHI_COLLECT_PDF_ENGINE={chosen!r}: expected chromium or weasyprint")
    if chosen:
        return chosen
    return "chromium" if shutil.which("chromium") and letters >= SMALL_BATCH else "weasyprint"


@lru_cache(maxsize=4)
def environment(folder: str | None = None) -> Environment:
    env = Environment(loader=FileSystemLoader(folder or str(data_dir("letter_templates"))),
                      undefined=StrictUndefined, autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["yen"] = yen  # a filter, not a macro: jinja2 macros cost several times a function call
    return env


def yen(amount: int) -> str:
    return f"{amount:,}円"


def render_letter(context: dict) -> str:
    """One letter (and its language insert) as an HTML <section>; a missing variable raises. A posting on
    the notice board has no insert: it would print the debt, which is secret (地方公務員法34条: 守秘義務)."""
    env = environment()
    insert = f"insert_{context['household']['language']}.html"
    mailed = not context["recipient"]["on_board"]
    context = {**context, "insert_template": insert if mailed and insert in env.list_templates() else None}
    return env.get_template(context["letter"]["template"]).render(context)


def barcode_svg(modules: str, quiet: int = 10) -> str:
    """The bars of a barcode ("1" = black module) as one SVG path: WeasyPrint draws one element
    far faster than python-barcode's rectangle per bar, and the vector bars stay sharp in print."""
    bars = [(m.start() + quiet, m.end() - m.start()) for m in re.finditer("1+", modules)]
    path = "".join(f"M{x} 0h{w}v1h-{w}z" for x, w in bars)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {len(modules) + 2 * quiet} 1" '
            f'preserveAspectRatio="none"><path d="{path}"/></svg>')


def document(sections: list[str], title: str) -> str:
    css = (data_dir("letter_templates") / "style.css").read_text("utf-8")
    return (f'<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{css}</style></head><body>{''.join(sections)}</body></html>")


@dataclass
class Batch:
    """One print file: its letters' sections in print order and their serials."""
    path: Path
    title: str
    sections: list[str]
    serials: list[str]
    engine: str | None = None  # the settings' choice (None: by size, see `engine`)


def write_pdfs(batches: list[Batch], workers: int | None = None) -> dict[str, tuple[int, int]]:
    """Write each batch as one PDF; returns every serial's (first page, last page), 1-based.

    A batch is laid out in parts, on every core, and the parts are joined: one document is one core,
    and WeasyPrint's memory grows with the pages of one document. A single part is laid out here,
    without starting the pool."""
    parts = _parts(batches, workers)
    if len(parts) == 1:
        return _join_all(batches, parts, [_render_part(parts[0][1:])])
    return _on_pool(batches, parts, workers)()


def submit_pdfs(batches: list[Batch], workers: int | None = None) -> Callable[[], dict[str, tuple[int, int]]]:
    """Start laying out the batches on the pool and return at once; calling the result waits for the
    parts, writes the files and returns every serial's pages. The demo prints one day's letters while
    it runs the next day."""
    return _on_pool(batches, _parts(batches, workers), workers)


def _on_pool(batches: list[Batch], parts: list[tuple], workers: int | None) -> Callable[[], dict[str, tuple[int, int]]]:
    futures = [_pool(workers).submit(_render_part, p[1:]) for p in parts]
    return lambda: _join_all(batches, parts, [f.result() for f in futures])


def _parts(batches: list[Batch], workers: int | None) -> list[tuple]:
    """Equal parts of at most PART_LETTERS letters, spread over the cores when each part keeps at least
    half of PART_LETTERS: 600 letters are two parts of 300, 300 stay one part (a second browser's start
    costs more than it saves, and the demo keeps the other core busy anyway: measured)."""
    cores = workers or os.cpu_count() or 1
    parts = []
    for b in batches:
        used, n = engine(len(b.sections), b.engine), len(b.sections)
        count = max(-(-n // PART_LETTERS[used]), min(cores, n // (PART_LETTERS[used] // 2)), 1)
        size = -(-n // count)
        parts += [(b.path, used, b.title, b.sections[i:i + size]) for i in range(0, n, size)]
    return parts


def _join_all(batches: list[Batch], parts: list[tuple], rendered: list) -> dict[str, tuple[int, int]]:
    pages: dict[str, tuple[int, int]] = {}
    for batch in batches:
        mine = [r for (path, *_rest), r in zip(parts, rendered) if path == batch.path]
        pages |= _join(batch, mine)
    return pages


_POOLS: dict[int, ProcessPoolExecutor] = {}


def _pool(workers: int | None) -> ProcessPoolExecutor:
    """One pool per process, kept for its life: a business date's letters do not pay for starting
    workers and loading WeasyPrint and the fonts again (the demo prints on some 300 dates)."""
    size = workers or os.cpu_count() or 1
    if size not in _POOLS:
        import weasyprint  # noqa: F401  (loaded once here, inherited by the forked workers)
        _POOLS[size] = ProcessPoolExecutor(size, mp_context=get_context("fork"), initializer=orphans.worker_start,
                                           initargs=(os.getpid(),))
    return _POOLS[size]


def close_pools() -> None:
    """Stop the PDF workers now. A process's end otherwise waits for each worker to take its stop signal,
    and a worker forked while another thread held a lock (a test process serving the web app, driving a
    browser) may never take it: the process then hangs at exit."""
    for pool in _POOLS.values():
        for worker in list(pool._processes.values()):  # noqa: SLF001 (the executor offers no kill)
            worker.kill()
        pool.shutdown(wait=False, cancel_futures=True)
    _POOLS.clear()


def _render_part(part: tuple[str, str, list[str]]) -> tuple[bytes, dict[str, int], int]:
    used, title, sections = part
    html = document(sections, title)
    if used == "chromium":
        pdf = _chromium(html)
        return (pdf, *_starts_from_text(pdf))
    from weasyprint import HTML
    rendered = HTML(string=html).render()
    starts: dict[str, int] = {}
    for number, page in enumerate(rendered.pages, 1):
        for anchor in page.anchors:
            if anchor.startswith("L-"):
                starts.setdefault(anchor[2:], number)
    return rendered.write_pdf(), starts, len(rendered.pages)


def _chromium(html: str) -> bytes:
    """One headless Chromium print. Its own profile folder, so parts printed at once do not share one;
    no sandbox, because it runs as root in CI and prints only the HTML this program wrote. Untagged:
    these are print files for the mailing vendor, and the accessibility tags Chromium adds by default
    took 40 % of the time and made the file four times larger (916 pages: 11.2 s and 20 MB tagged,
    6.6 s and 5 MB untagged, measured)."""
    with tempfile.TemporaryDirectory(prefix="nhi-letters-") as tmp:
        source, target = Path(tmp) / "letters.html", Path(tmp) / "letters.pdf"
        source.write_text(html, "utf-8")
        orphans.prepare()
        subprocess.run([shutil.which("chromium") or "chromium", "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions", "--no-pdf-header-footer",
                        "--disable-pdf-tagging",
                        f"--user-data-dir={tmp}/profile", f"--print-to-pdf={target}", source.as_uri()],
                       check=True, capture_output=True, timeout=900, preexec_fn=orphans.die_with_parent)
        return target.read_bytes()


def _starts_from_text(pdf: bytes) -> tuple[dict[str, int], int]:
    """Each serial's first page, from the "文書番号" line only a letter's first page carries."""
    import pypdfium2
    document_ = pypdfium2.PdfDocument(pdf)
    try:
        starts: dict[str, int] = {}
        for number in range(len(document_)):
            page = document_[number]
            text = page.get_textpage().get_text_range()
            for serial in SERIAL_MARK.findall(text):
                starts.setdefault(serial, number + 1)
        return starts, len(document_)
    finally:
        document_.close()


def _join(batch: Batch, parts: list[tuple[bytes, dict[str, int], int]]) -> dict[str, tuple[int, int]]:
    starts, offset = {}, 0
    for _pdf, part_starts, count in parts:
        starts |= {serial: offset + first for serial, first in part_starts.items()}
        offset += count
    if len(parts) == 1:
        batch.path.write_bytes(parts[0][0])
    else:
        # PDFium (C++) appends the later parts to the first, which keeps its title: ten times pypdf's
        # speed (four parts of 916 pages: 0.15 s against 1.66 s, measured)
        import pypdfium2
        joined = pypdfium2.PdfDocument(parts[0][0])
        for pdf, _starts, _count in parts[1:]:
            joined.import_pages(pypdfium2.PdfDocument(pdf))
        joined.save(str(batch.path))
        joined.close()
    firsts = [starts[s] for s in batch.serials]
    ends = [n - 1 for n in firsts[1:]] + [offset]
    return {s: (first, last) for s, first, last in zip(batch.serials, firsts, ends)}
