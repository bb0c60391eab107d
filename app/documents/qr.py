"""The one QR module: PNG bytes for mail/web, compact inline SVG for PDF templates.

Error correction is level M (15 % of the symbol may be damaged). The SVG draws the dark
modules as merged rectangles, each one stroked line, rather than one square per module,
because WeasyPrint parses every path coordinate in Python: fewer coordinates, faster PDFs.

The mask pattern is fixed (MASK_PATTERN) instead of chosen per symbol: qrcode scores all
eight masks in pure Python (~3 ms of a ~25 ms badge), and any mask is valid for decoders.
Measured on 600 ticket codes drawn at 2 px per module and blurred, zxing-cpp failed on
3 with mask 6 against 60 with qrcode's automatic choice (and 13–119 with the other fixed
masks), so mask 6 is both faster and at least as readable for our codes.
"""

from __future__ import annotations

import io
from functools import lru_cache

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

__all__ = ["MASK_PATTERN", "QUIET_ZONE", "qr_matrix", "qr_png", "qr_rectangles", "qr_svg"]

MASK_PATTERN = 6
# Light modules around the symbol that scanners need (4 is the QR standard's minimum).
QUIET_ZONE = 4


@lru_cache(maxsize=4096)
def qr_matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    """Return the QR symbol for data as rows of booleans (True = dark), without border."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=MASK_PATTERN)
    code.add_data(data)
    code.make(fit=True)
    return tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix())


def qr_png(data: str, box_size: int = 10, border: int = 4) -> bytes:
    """Return a black-on-white PNG of the QR symbol for data (1 bit per pixel).

    Drawn from the cached matrix by scaling one pixel per module: qrcode's own image
    factory encodes the data again and paints every module separately (~3 ms a mail).
    """
    if box_size < 1 or border < 0:
        raise ValueError("box_size must be >= 1 and border >= 0")
    matrix = qr_matrix(data)
    side = len(matrix) + 2 * border
    light_row = b"\xff" * side
    margin = b"\xff" * border
    rows = [light_row] * border
    rows.extend(margin + bytes(0 if dark else 255 for dark in row) + margin for row in matrix)
    rows.extend([light_row] * border)
    image = Image.frombytes("L", (side, side), b"".join(rows))
    image = image.resize((side * box_size, side * box_size), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.convert("1").save(buffer, format="PNG")
    return buffer.getvalue()


def qr_rectangles(matrix: tuple[tuple[bool, ...], ...]) -> list[tuple[int, int, int, int]]:
    """Cover the dark modules with rectangles: row runs, stacked while they repeat below."""
    open_runs: dict[tuple[int, int], list[int]] = {}  # (x, width) -> [y, height]
    done: list[tuple[int, int, int, int]] = []
    for y, row in enumerate(matrix):
        runs = set()
        x, size = 0, len(row)
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.add((start, x - start))
            else:
                x += 1
        for key in list(open_runs):
            if key in runs:
                open_runs[key][1] += 1
                runs.discard(key)
            else:
                top, height = open_runs.pop(key)
                done.append((key[0], top, key[1], height))
        for key in runs:
            open_runs[key] = [y, 1]
    done.extend((key[0], top, key[1], height) for key, (top, height) in open_runs.items())
    done.sort(key=lambda rect: (rect[1], rect[0]))
    return done


@lru_cache(maxsize=2048)
def qr_svg(data: str, border: int = 4) -> str:
    """Return an inline <svg> of the QR symbol that scales to its container's width."""
    matrix = qr_matrix(data)
    size = len(matrix) + 2 * border
    # Each rectangle is one stroked line (butt caps): 2 path commands instead of 5.
    by_height: dict[int, list[str]] = {}
    for x, y, width, height in qr_rectangles(matrix):
        middle = y + border + height / 2
        by_height.setdefault(height, []).append(f"M{x + border} {middle:g}h{width}")
    paths = "".join(
        f'<path stroke-width="{height}" d="{"".join(segments)}"/>'
        for height, segments in sorted(by_height.items())
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'width="100%" height="100%" shape-rendering="crispEdges" role="img">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<g fill="none" stroke="#000">{paths}</g></svg>'
    )
