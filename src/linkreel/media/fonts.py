"""Fonts that cover all 29 languages (Noto, OFL) from the manimgx-fonts wheels, plus two display
faces for caption styles (Fredoka One, Fjalla One; OFL, Latin only).

libass gets a directory of font files (`fontsdir`); Pillow gets a file, a face index (the CJK
collection holds JP/KR/SC/TC faces) and a weight, because the fonts are variable and default
to their lightest instance. libass draws a variable font's *default* instance only (Regular for
Noto Sans, Thin for Noto Sans CJK) whatever `\\b` asks, so captions thicken strokes themselves
(`FontFace.variable`), and `ass_metrics_font` measures the instance libass really draws.
"""

import contextlib
import re
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import ImageFont


@dataclass(frozen=True)
class FontFace:
    family: str  # the family name libass matches in ASS styles
    file: str  # file name inside its package
    package: str
    index: int = 0  # face index inside a .ttc collection
    variable: bool = True  # a wght axis libass ignores (see the module doc)
    subdir: str = ""  # folder of the file inside its package


_FACES: dict[str, FontFace] = {
    f.family: f
    for f in [
        FontFace("Noto Sans", "NotoSans[wght].ttf", "manimgx_fonts"),
        FontFace("Noto Sans Arabic", "NotoSansArabic[wght].ttf", "manimgx_fonts"),
        FontFace("Noto Sans Devanagari", "NotoSansDevanagari[wght].ttf", "manimgx_fonts"),
        FontFace("Noto Sans Tamil", "NotoSansTamil[wght].ttf", "manimgx_fonts"),
        FontFace("Noto Sans CJK JP", "NotoSansCJK-VF.otf.ttc", "manimgx_fonts_cjk", 0),
        FontFace("Noto Sans CJK KR", "NotoSansCJK-VF.otf.ttc", "manimgx_fonts_cjk", 1),
        FontFace("Noto Sans CJK SC", "NotoSansCJK-VF.otf.ttc", "manimgx_fonts_cjk", 2),
        FontFace("Noto Sans Hebrew", "NotoSansHebrew[wght].ttf", "manimgx_fonts"),
        FontFace("Noto Sans Thai", "NotoSansThai[wght].ttf", "manimgx_fonts"),
        FontFace("Noto Emoji", "NotoEmoji[wght].ttf", "manimgx_fonts"),  # monochrome: libass has no colour glyphs
        FontFace("Fredoka One", "FredokaOne-Regular.ttf", "font_fredoka_one", variable=False, subdir="files"),
        FontFace("Fjalla One", "FjallaOne-Regular.ttf", "font_fjallaone", variable=False, subdir="files"),
    ]
}


def _package_dir(package: str) -> Path:
    spec = find_spec(package)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"font package {package} is not installed")
    return Path(spec.origin).parent


def font_face(family: str) -> FontFace:
    return _FACES.get(family, _FACES["Noto Sans"])


def known_family(name: str) -> str | None:
    """The registered family a user-typed name means (case and spacing ignored), or None."""
    key = re.sub(r"[\s_-]+", "", name).lower()
    return next((f for f in _FACES if re.sub(r"[\s_-]+", "", f).lower() == key), None)


def font_path(family: str) -> Path:
    face = font_face(family)
    return _package_dir(face.package) / face.subdir / face.file


def font_dirs() -> list[Path]:
    """Directories holding all our font files (for libass `fontsdir`, one per call)."""
    return sorted({_package_dir(f.package) / f.subdir for f in _FACES.values()})


def fonts_dir(cache_dir: Path) -> Path:
    """One directory with links to every font file: libass takes a single `fontsdir`."""
    out = cache_dir / "fonts"
    out.mkdir(parents=True, exist_ok=True)
    for d in font_dirs():
        for f in list(d.glob("*.ttf")) + list(d.glob("*.ttc")):
            link = out / f.name
            if not link.exists():
                with contextlib.suppress(FileExistsError):  # another render (thread or process) made it first
                    link.symlink_to(f)
    return out


_ASS_FAMILIES = re.compile(r"^Style:\s*[^,]*,\s*([^,]+)|\\fn([^\\}]+)", re.MULTILINE)


def ass_fonts_dir(ass: str, cache_dir: Path, out: Path) -> Path:
    """A `fontsdir` with only the faces this ASS script names (its styles and `\\fn` tags: each caption word
    is tagged with a face that covers it), plus Noto Sans. libass reads every file of its fontsdir into
    memory; the CJK collection alone is most of the ~95 MiB the whole set costs a render."""
    families = {"Noto Sans"} | {(a or b).strip() for a, b in _ASS_FAMILIES.findall(ass)}
    out.mkdir(parents=True, exist_ok=True)
    shared = fonts_dir(cache_dir)
    for name in sorted({font_path(f).name for f in families}):
        link = out / name
        if not link.exists():
            link.symlink_to((shared / name).resolve())
    return out


@cache
def pil_font(family: str, size: int, weight: int = 700) -> ImageFont.FreeTypeFont:
    face = _FACES.get(family, _FACES["Noto Sans"])
    font = ImageFont.truetype(
        str(font_path(face.family)), size, index=face.index, layout_engine=ImageFont.Layout.RAQM
    )
    axes = font.get_variation_axes() if face.variable else None
    if axes:
        lo, hi = axes[0]["minimum"], axes[0]["maximum"]
        font.set_variation_by_axes([max(lo, min(hi, weight))])
    return font


# Unicode ranges → the family that has the glyphs. Text on cards can be in the page's language
# (a Japanese product name in an English ad), so the font follows the text, not the ad.
_SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0590, 0x05FF, "Noto Sans Hebrew"),
    (0x0600, 0x06FF, "Noto Sans Arabic"),
    (0x0750, 0x077F, "Noto Sans Arabic"),
    (0x0900, 0x097F, "Noto Sans Devanagari"),
    (0x0B80, 0x0BFF, "Noto Sans Tamil"),
    (0x0E00, 0x0E7F, "Noto Sans Thai"),
    (0x1100, 0x11FF, "Noto Sans CJK KR"),
    (0xAC00, 0xD7AF, "Noto Sans CJK KR"),
    (0x3040, 0x30FF, "Noto Sans CJK JP"),
    (0x3400, 0x9FFF, "Noto Sans CJK {han}"),
    (0xFF00, 0xFFEF, "Noto Sans CJK {han}"),
    (0x2600, 0x27BF, "Noto Emoji"),
    (0x1F300, 0x1FAFF, "Noto Emoji"),
)


def family_for_text(text: str, language: str = "en") -> str:
    """The Noto family that covers `text`; Han characters follow the language (SC for zh)."""
    han = {"zh": "SC", "ko": "KR"}.get(language, "JP")
    for ch in text:
        cp = ord(ch)
        for lo, hi, family in _SCRIPT_RANGES:
            if lo <= cp <= hi:
                return family.format(han=han)
    return "Noto Sans"


@cache
def _coverage(family: str) -> frozenset[int]:
    face = font_face(family)
    font = TTFont(str(font_path(family)), fontNumber=face.index, lazy=True)
    return frozenset(font.getBestCmap())


def covers(family: str, text: str) -> bool:
    """Whether the family has a glyph for every visible character of `text`."""
    cmap = _coverage(family)
    return all(ord(ch) in cmap for ch in text if not ch.isspace() and ord(ch) not in (0x200C, 0x200D, 0xFE0F))


@cache
def ass_metrics_font(family: str, ass_size: float) -> ImageFont.FreeTypeFont:
    """A Pillow font that lays text out as libass does at ASS `Fontsize` `ass_size`.

    libass (like VSFilter) scales a face so that usWinAscent + usWinDescent spans the font size,
    and draws a variable font's default instance; Pillow's size is the em."""
    face = font_face(family)
    tt = TTFont(str(font_path(family)), fontNumber=face.index, lazy=True)
    os2 = tt["OS/2"]
    em_px = ass_size * tt["head"].unitsPerEm / (os2.usWinAscent + os2.usWinDescent)
    return ImageFont.truetype(str(font_path(family)), max(1, round(em_px)), index=face.index,
                              layout_engine=ImageFont.Layout.RAQM)
