"""QR codes (segno) as inline SVG: no image file to serve, no script, prints sharply."""

import segno
from markupsafe import Markup

# Medium error correction: a poster survives a fold or a glare spot.
ERROR_CORRECTION = "m"


def qr_code(data: str) -> segno.QRCode:
    """The QR code of ``data``, the one every poster of it shows."""
    return segno.make(data, error=ERROR_CORRECTION)


def qr_svg(data: str, title: str) -> Markup:
    """``data``'s QR code as an ``<svg>`` element, named by ``title`` for screen readers."""
    svg = qr_code(data).svg_inline(
        scale=6, border=4, omitsize=True, title=title, svgclass="qr-code"
    )
    return Markup(svg)
