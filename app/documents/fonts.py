"""Fonts for PDF documents: a fast CJK base font plus tiny per-document supplements.

Why: WeasyPrint embeds a subset of every font a PDF uses, and subsetting the system
Noto Sans CJK (a ~20 MB CFF collection) costs 1–4 s per document. So:

* ``build_fonts()`` (CLI: ``python -m app.documents.fonts build``) writes "Huiwu Sans"
  Regular and Bold into the font directory: a TrueType (glyf) subset of Noto Sans CJK SC
  covering Latin, Greek, Cyrillic, kana, punctuation and every GB2312 character
  (~7,900 glyphs, ~2 MB each). WeasyPrint subsets these in a few milliseconds.
* ``supplement_font()`` builds, for the few characters a document needs beyond that
  (喆, 堃, 玥, 𠮷 …), a TrueType font holding just those glyphs, taken from the system
  Noto Sans CJK SC and cached by character set. The renderer adds it to the same
  "Huiwu Sans" family, so templates never need to know about it.

Sources are found with fontconfig (``fc-match``) or in Debian's fonts-noto-cjk paths.
Noto Sans CJK is under the SIL Open Font License 1.1; the built fonts are renamed
(the licence reserves the name "Source") and the licence travels with them.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from fontTools import subset
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.reverseContourPen import ReverseContourPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

__all__ = [
    "FAMILY",
    "FontFiles",
    "base_codepoints",
    "build_fonts",
    "ensure_fonts",
    "font_dir",
    "supplement_font",
]

FAMILY = "Huiwu Sans"
WEIGHTS = {400: "Regular", 700: "Bold"}
# Bump when the build output changes so that existing installs rebuild.
BUILD_VERSION = 1
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SOURCE_FAMILY = "Noto Sans CJK SC"
_DEBIAN_SOURCES = {
    400: ["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"],
    700: ["/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"],
}
_LICENSE_SOURCES = ["/usr/share/doc/fonts-noto-cjk/copyright"]
# Quadratic approximation error, in font units (1000 per em): invisible at badge sizes.
_CU2QU_MAX_ERR = 1.0
# Blocks every badge may need besides GB2312: Latin (pinyin tones, Vietnamese), IPA
# modifiers, combining marks, Greek, Cyrillic, punctuation, currency, letterlike symbols,
# number forms, arrows, circled numbers, CJK punctuation, kana, full-width forms.
_BASE_RANGES = (
    (0x0020, 0x036F),
    (0x0370, 0x03FF),
    (0x0400, 0x052F),
    (0x1E00, 0x1EFF),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0x2100, 0x21FF),
    (0x2460, 0x24FF),
    (0x25A0, 0x25FF),
    (0x3000, 0x30FF),
    (0xFF00, 0xFFEF),
)
_LOCK = threading.Lock()


class FontsUnavailableError(RuntimeError):
    """The Noto Sans CJK source fonts are missing (install Debian's fonts-noto-cjk)."""


@dataclass(frozen=True)
class SourceFace:
    """One face of an installed font file (``index`` selects it in a .ttc)."""

    path: Path
    index: int


@dataclass(frozen=True)
class FontFiles:
    """The built base fonts: weight → path, the codepoints they cover, and how wide each is.

    advances: codepoint → advance width of the Regular face in em, so that documents can fit
    text to a box before layout (WeasyPrint cannot shrink text to fit).
    """

    directory: Path
    paths: dict[int, Path]
    codepoints: frozenset[int]
    advances: Mapping[int, float]


def font_dir() -> Path:
    """Return where built fonts live: $HUIWU_FONT_DIR or <project>/instance/fonts."""
    configured = os.environ.get("HUIWU_FONT_DIR")
    return Path(configured) if configured else PROJECT_ROOT / "instance" / "fonts"


def _gb2312_characters() -> set[int]:
    """Return every character GB2312 encodes (its 6,763 hanzi and its symbols)."""
    found = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                found.add(ord(bytes((high, low)).decode("gb2312")))
    return found


@lru_cache(maxsize=1)
def base_codepoints() -> frozenset[int]:
    """Return the codepoints the base font is built for (those the source has)."""
    wanted = _gb2312_characters()
    for first, last in _BASE_RANGES:
        wanted.update(range(first, last + 1))
    return frozenset(wanted)


def _face_family(font: TTFont) -> str:
    """Return a face's typographic family name (name ID 16, else 1)."""
    name = font["name"]
    return str(name.getDebugName(16) or name.getDebugName(1) or "")


def _face_in_file(path: Path) -> SourceFace | None:
    """Find the Noto Sans CJK SC face inside a .ttc/.otf file."""
    if path.suffix.lower() in {".ttc", ".otc"}:
        from fontTools.ttLib import TTCollection

        collection = TTCollection(str(path), lazy=True)
        try:
            for index, font in enumerate(collection.fonts):
                if _face_family(font) == SOURCE_FAMILY:
                    return SourceFace(path, index)
        finally:
            collection.close()
        return None
    with TTFont(str(path), lazy=True) as font:
        return SourceFace(path, 0) if _face_family(font) == SOURCE_FAMILY else None


@lru_cache(maxsize=4)
def find_source_face(weight: int) -> SourceFace:
    """Locate Noto Sans CJK SC of the given weight; raise FontsUnavailableError if absent."""
    candidates = [Path(p) for p in _DEBIAN_SOURCES.get(weight, [])]
    fc_match = shutil.which("fc-match")
    if fc_match:
        style = WEIGHTS[weight]
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            found = subprocess.run(  # noqa: S603 - fixed arguments, no shell
                [fc_match, "-f", "%{file}", f"{SOURCE_FAMILY}:style={style}"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            ).stdout.strip()
            if found:
                candidates.append(Path(found))
    for candidate in candidates:
        if candidate.is_file():
            face = _face_in_file(candidate)
            if face is not None:
                return face
    raise FontsUnavailableError(
        f"{SOURCE_FAMILY} ({WEIGHTS[weight]}) not found: apt-get install fonts-noto-cjk"
    )


def _to_truetype(font: TTFont) -> None:
    """Replace a font's CFF outlines by TrueType (glyf) quadratic outlines in place."""
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = font.getGlyphOrder()
    glyf.glyphs = {}
    for name in glyf.glyphOrder:
        pen = TTGlyphPen(None)
        # CFF contours run counter-clockwise, TrueType ones clockwise.
        glyph_set[name].draw(Cu2QuPen(ReverseContourPen(pen), _CU2QU_MAX_ERR))
        glyf.glyphs[name] = pen.glyph()
    for tag in ("CFF ", "CFF2", "VORG"):
        if tag in font:
            del font[tag]
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attribute in (
        "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
        "maxStackElements", "maxSizeOfInstructions", "maxComponentElements",
        "maxPoints", "maxContours", "maxCompositePoints", "maxCompositeContours",
        "maxComponentDepth",
    ):  # fmt: skip
        setattr(maxp, attribute, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"


def _rename(font: TTFont, family: str, style: str, description: str) -> None:
    """Give a derived font its own names, keeping copyright and licence records."""
    name = font["name"]
    keep = {0, 13, 14}
    name.names = [record for record in name.names if record.nameID in keep]
    postscript = f"{family.replace(' ', '')}-{style}"
    for name_id, value in (
        (1, family),
        (2, style),
        (3, f"{postscript};{BUILD_VERSION}"),
        (4, f"{family} {style}"),
        (6, postscript),
        (10, description),
    ):
        name.setName(value, name_id, 3, 1, 0x409)


def _source_signature(face: SourceFace) -> str:
    """Identify a source file cheaply: path, size, mtime."""
    stat = face.path.stat()
    return f"{face.path}:{face.index}:{stat.st_size}:{int(stat.st_mtime)}"


def _manifest(faces: dict[int, SourceFace]) -> dict:
    """Return the manifest that says which sources and build version made the fonts."""
    return {
        "build_version": BUILD_VERSION,
        "sources": {str(w): _source_signature(face) for w, face in sorted(faces.items())},
    }


def _file_name(weight: int) -> str:
    """Return the file name of the base font of a weight."""
    return f"HuiwuSans-{WEIGHTS[weight]}.ttf"


def build_fonts(directory: Path | None = None, *, force: bool = False) -> FontFiles:
    """Build the Huiwu Sans base fonts into directory (default font_dir()); ~25 s."""
    directory = Path(directory) if directory else font_dir()
    directory.mkdir(parents=True, exist_ok=True)
    faces = {weight: find_source_face(weight) for weight in WEIGHTS}
    manifest = _manifest(faces)
    manifest_path = directory / "manifest.json"
    with open(directory / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not force and _manifest_matches(manifest_path, manifest, directory):
            return _font_files(directory)
        for weight, face in faces.items():
            font = TTFont(str(face.path), fontNumber=face.index, lazy=True)
            options = subset.Options()
            options.hinting = False
            options.desubroutinize = True
            options.name_IDs = ["*"]
            options.notdef_outline = True
            # No vertical or locale alternates: they would double the glyph count.
            options.layout_features = ["kern", "ccmp", "mark", "mkmk"]
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=base_codepoints())
            subsetter.subset(font)
            _to_truetype(font)
            _rename(
                font,
                FAMILY,
                WEIGHTS[weight],
                f"Subset of {SOURCE_FAMILY} converted to TrueType outlines for Huiwu PDFs.",
            )
            temporary = directory / f".{_file_name(weight)}.tmp"
            font.save(str(temporary))
            font.close()
            temporary.replace(directory / _file_name(weight))
        for license_path in _LICENSE_SOURCES:
            if Path(license_path).is_file():
                shutil.copyfile(license_path, directory / "LICENSE-NotoSansCJK.txt")
                break
        manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    _font_files.cache_clear()
    return _font_files(directory)


def _manifest_matches(manifest_path: Path, manifest: dict, directory: Path) -> bool:
    """Say whether the fonts in directory were built from these sources by this code."""
    try:
        current = json.loads(manifest_path.read_text())
    except (OSError, ValueError):
        return False
    files_exist = all((directory / _file_name(weight)).is_file() for weight in WEIGHTS)
    return files_exist and current == manifest


@lru_cache(maxsize=4)
def _font_files(directory: Path) -> FontFiles:
    """Describe the built fonts of a directory (reads the cmap once)."""
    paths = {weight: directory / _file_name(weight) for weight in WEIGHTS}
    with TTFont(str(paths[400]), lazy=True) as font:
        cmap = font.getBestCmap()
        metrics = font["hmtx"].metrics
        units = font["head"].unitsPerEm
        advances = MappingProxyType(
            {codepoint: metrics[glyph][0] / units for codepoint, glyph in cmap.items()}
        )
    return FontFiles(directory, paths, frozenset(cmap), advances)


def ensure_fonts(directory: Path | None = None) -> FontFiles:
    """Return the built base fonts, building them first if missing or outdated."""
    directory = Path(directory) if directory else font_dir()
    manifest_path = directory / "manifest.json"
    if all((directory / _file_name(w)).is_file() for w in WEIGHTS) and manifest_path.is_file():
        return _font_files(directory)
    return build_fonts(directory)


class _GlyphSource:
    """The full Noto Sans CJK SC of one weight, opened once per process."""

    def __init__(self, face: SourceFace) -> None:
        self.font = TTFont(str(face.path), fontNumber=face.index, lazy=True)
        self.cmap = self.font.getBestCmap()
        self.glyph_set = self.font.getGlyphSet()
        self.hmtx = self.font["hmtx"]
        self.hhea = self.font["hhea"]
        self.os2 = self.font["OS/2"]
        self.units_per_em = self.font["head"].unitsPerEm


@lru_cache(maxsize=4)
def _glyph_source(weight: int) -> _GlyphSource:
    """Return the opened source font of a weight."""
    return _GlyphSource(find_source_face(weight))


def available_in_source(codepoints: Iterable[int], weight: int = 400) -> frozenset[int]:
    """Return those codepoints the full system CJK font can draw."""
    cmap = _glyph_source(weight).cmap
    return frozenset(cp for cp in codepoints if cp in cmap)


def supplement_family(codepoints: frozenset[int]) -> str:
    """Return a stable name identifying the supplement for a set of codepoints."""
    digest = hashlib.sha256(",".join(map(str, sorted(codepoints))).encode()).hexdigest()
    return f"HuiwuSupplement{digest[:12]}"


@lru_cache(maxsize=512)
def supplement_font(codepoints: frozenset[int], weight: int = 400) -> bytes | None:
    """Return a tiny TrueType font with the source glyphs for codepoints (None if none)."""
    with _LOCK:
        source = _glyph_source(weight)
        wanted = sorted(cp for cp in codepoints if cp in source.cmap)
        if not wanted:
            return None
        names = [".notdef"] + [f"uni{cp:04X}" if cp < 0x10000 else f"u{cp:05X}" for cp in wanted]
        glyphs = {".notdef": TTGlyphPen(None).glyph()}
        metrics = {".notdef": (source.units_per_em, 0)}
        for cp, name in zip(wanted, names[1:], strict=True):
            source_name = source.cmap[cp]
            pen = TTGlyphPen(None)
            source.glyph_set[source_name].draw(Cu2QuPen(ReverseContourPen(pen), _CU2QU_MAX_ERR))
            glyph = pen.glyph()
            glyphs[name] = glyph
            advance, _ = source.hmtx[source_name]
            metrics[name] = (advance, 0)
        builder = FontBuilder(source.units_per_em, isTTF=True)
        builder.setupGlyphOrder(names)
        builder.setupCharacterMap(dict(zip(wanted, names[1:], strict=True)))
        builder.setupGlyf(glyphs)
        glyf = builder.font["glyf"]
        for name in names:
            glyph = glyf[name]
            glyph.recalcBounds(glyf)
            metrics[name] = (metrics[name][0], getattr(glyph, "xMin", 0))
        builder.setupHorizontalMetrics(metrics)
        builder.setupHorizontalHeader(ascent=source.hhea.ascent, descent=source.hhea.descent)
        family = supplement_family(frozenset(wanted))
        style = WEIGHTS.get(weight, "Regular")
        builder.setupNameTable(
            {
                "familyName": family,
                "styleName": style,
                "uniqueFontIdentifier": f"{family}-{style}",
                "fullName": f"{family} {style}",
                "psName": f"{family}-{style}",
                "copyright": str(source.font["name"].getDebugName(0) or ""),
                "licenseDescription": str(source.font["name"].getDebugName(13) or ""),
            }
        )
        builder.setupOS2(
            sTypoAscender=source.os2.sTypoAscender,
            sTypoDescender=source.os2.sTypoDescender,
            sTypoLineGap=source.os2.sTypoLineGap,
            usWinAscent=source.os2.usWinAscent,
            usWinDescent=source.os2.usWinDescent,
            usWeightClass=weight,
            fsType=0,
        )
        builder.setupPost()
        buffer = io.BytesIO()
        builder.save(buffer)
        return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m app.documents.fonts build [--dir DIR] [--force]``."""
    parser = argparse.ArgumentParser(prog="python -m app.documents.fonts")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build the Huiwu Sans PDF fonts")
    build.add_argument("--dir", type=Path, default=None, help="output directory")
    build.add_argument("--force", action="store_true", help="rebuild even if up to date")
    arguments = parser.parse_args(argv)
    try:
        files = build_fonts(arguments.dir, force=arguments.force)
    except FontsUnavailableError as error:
        print(error, file=sys.stderr)
        return 1
    for weight, path in sorted(files.paths.items()):
        print(f"{weight}: {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
