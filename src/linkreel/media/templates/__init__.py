"""Visual styles as templates (data): layout families in `layouts`, looks in `model`, the 54 in `catalog`.

    style = get_style("SideBySideTemplate", "16x9")   # InputError if unknown or not allowed in 16x9
"""

from linkreel.errors import InputError
from linkreel.media.templates.catalog import CATALOG
from linkreel.media.templates.layouts import FAMILIES, SAFE_AREAS, Family
from linkreel.media.templates.model import THEMES, Theme, VisualStyle

STYLES: dict[str, VisualStyle] = {s.name: s for s in CATALOG}
DEFAULT_STYLE = "DynamicProductTemplate"


def get_style(name: str, aspect: str | None = None) -> VisualStyle:
    found = STYLES.get(name)
    if found is None:
        raise InputError(f"unknown visual style {name!r}; see `linkreel styles` for the {len(STYLES)} styles")
    if aspect is not None and aspect not in found.ratios:
        raise InputError(f"{name} is not available for aspect ratio {aspect}. It allows: {', '.join(found.ratios)}.")
    return found


__all__ = ["DEFAULT_STYLE", "FAMILIES", "SAFE_AREAS", "STYLES", "THEMES", "Family", "Theme", "VisualStyle",
           "get_style"]
