"""QR codes as inline SVG (segno), for printed receipts: no image request, no JavaScript, crisp on paper."""

from __future__ import annotations

import io

from markupsafe import Markup


def svg(data: str, title: str, scale: int = 4) -> Markup:
    import segno

    out = io.BytesIO()
    segno.make(data, error="m").save(
        out, kind="svg", xmldecl=False, svgns=True, title=title, scale=scale, svgclass="qr"
    )
    return Markup(out.getvalue().decode("utf-8"))  # noqa: S704 (segno writes the SVG; the title is escaped by it)
