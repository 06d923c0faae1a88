"""Self-contained HTML reports (and an optional PDF) of sections with text, tables and PNG images.

One report form for every resilience study: a title, then sections, each with paragraphs, tables (rows of
dicts; the columns are the union of the keys in first-seen order) and PNG figures. The HTML embeds its images as
data URIs and its style inline, so the one file opens offline and can be mailed or archived as is (no CDN, no
script). The PDF, when asked for, is drawn with matplotlib (already a dependency): one page per section.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["Section", "Table", "write_html_report", "write_pdf_report"]

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:2em auto;max-width:70em;
color:#1b1f24;line-height:1.45;padding:0 1em}
h1{font-size:1.6em;border-bottom:2px solid #1b4f72;padding-bottom:.2em}
h2{font-size:1.25em;color:#1b4f72;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.88em}
caption{text-align:left;font-weight:600;padding:.3em 0}
th,td{border:1px solid #c9d1d9;padding:.25em .6em;text-align:right}th{background:#eef3f8}
td.t,th.t{text-align:left}figure{margin:1em 0}figure img{max-width:100%;border:1px solid #d0d7de}
figcaption{font-size:.85em;color:#57606a}.meta{color:#57606a;font-size:.85em}
"""


@dataclass
class Table:
    """A table: a caption and rows (dicts of column -> value)."""

    caption: str
    rows: Sequence[dict[str, Any]]


@dataclass
class Section:
    """A report section: heading, paragraphs, tables and PNG image paths (with optional captions)."""

    heading: str
    text: Sequence[str] = field(default_factory=list)
    tables: Sequence[Table] = field(default_factory=list)
    images: Sequence[str | Path | tuple[str | Path, str]] = field(default_factory=list)


def _columns(rows: Iterable[dict[str, Any]]) -> list[str]:
    """Union of the row keys in first-seen order."""
    cols: dict[str, None] = {}
    for row in rows:
        for k in row:
            cols.setdefault(str(k), None)
    return list(cols)


def _cell(value: Any) -> tuple[str, bool]:
    """Display text of a table value and whether it is text (left-aligned)."""
    if value is None:
        return "", True
    if isinstance(value, bool):
        return ("yes" if value else "no"), True
    if isinstance(value, int):
        return str(value), False
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a", False
        if math.isinf(value):
            return ("inf" if value > 0 else "-inf"), False
        if value != 0.0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
            return f"{value:.4g}", False
        return f"{value:.3f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:.1f}", False
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return _cell(value.item())
    return str(value), True


def _table_html(table: Table) -> str:
    """HTML of one table."""
    cols = _columns(table.rows)
    out = ["<table>", f"<caption>{html.escape(table.caption)}</caption>", "<thead><tr>"]
    out += [f'<th class="t">{html.escape(c)}</th>' for c in cols]
    out.append("</tr></thead><tbody>")
    for row in table.rows:
        out.append("<tr>")
        for c in cols:
            text, is_text = _cell(row.get(c))
            out.append(f'<td class="t">{html.escape(text)}</td>' if is_text else f"<td>{html.escape(text)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _image_html(image: str | Path | tuple[str | Path, str]) -> str:
    """HTML figure embedding a PNG file as a data URI."""
    path, caption = (image if isinstance(image, tuple) else (image, ""))
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    alt = html.escape(caption or Path(path).name)
    return f'<figure><img alt="{alt}" src="data:image/png;base64,{data}">{cap}</figure>'


def write_html_report(out_dir: str | Path, title: str, sections: Sequence[Section],
                      filename: str = "report.html", generated: datetime | None = None) -> Path:
    """Write one self-contained HTML file (images embedded) into out_dir and return its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    when = (generated or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>", f'<p class="meta">Generated {when} by orbitshare.</p>']
    for sec in sections:
        parts.append(f"<section><h2>{html.escape(sec.heading)}</h2>")
        parts += [f"<p>{html.escape(p)}</p>" for p in sec.text]
        parts += [_table_html(t) for t in sec.tables]
        parts += [_image_html(i) for i in sec.images]
        parts.append("</section>")
    parts.append("</body></html>\n")
    path = out / filename
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def write_pdf_report(out_dir: str | Path, title: str, sections: Sequence[Section],
                     filename: str = "report.pdf", max_rows: int = 40) -> Path:
    """Write the same report as a PDF (matplotlib, A4 portrait, one page per section plus one per image)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.image as mpimg
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / filename
    with PdfPages(path) as pdf:
        for k, sec in enumerate(sections):
            fig = plt.figure(figsize=(8.27, 11.69))
            y = 0.96
            if k == 0:
                fig.text(0.06, y, title, fontsize=15, weight="bold")
                y -= 0.04
            fig.text(0.06, y, sec.heading, fontsize=12, weight="bold", color="#1b4f72")
            y -= 0.03
            for para in sec.text:
                import textwrap
                lines = textwrap.wrap(para, 100)
                fig.text(0.06, y, "\n".join(lines), fontsize=8, va="top")
                y -= 0.014 * len(lines) + 0.01
            for tab in sec.tables:
                cols = _columns(tab.rows)
                rows = [[_cell(r.get(c))[0] for c in cols] for r in tab.rows[:max_rows]]
                if not rows or y < 0.1:
                    continue
                height = min(0.02 * (len(rows) + 1), y - 0.05)
                ax = fig.add_axes((0.06, y - height - 0.02, 0.88, height))
                ax.axis("off")
                ax.set_title(tab.caption, fontsize=8, loc="left")
                t = ax.table(cellText=rows, colLabels=cols, loc="upper left", cellLoc="right")
                t.auto_set_font_size(False)
                t.set_fontsize(6)
                y -= height + 0.05
            pdf.savefig(fig)
            plt.close(fig)
            for img in sec.images:
                ipath, cap = (img if isinstance(img, tuple) else (img, ""))
                fig = plt.figure(figsize=(8.27, 11.69))
                ax = fig.add_axes((0.05, 0.1, 0.9, 0.8))
                ax.imshow(mpimg.imread(str(ipath)))
                ax.axis("off")
                ax.set_title(cap or Path(ipath).name, fontsize=9)
                pdf.savefig(fig)
                plt.close(fig)
    return path
