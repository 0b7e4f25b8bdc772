"""Visual styles: the registry lives in `linkreel.media.templates`; this name is kept for callers."""

from linkreel.media.templates import DEFAULT_STYLE, STYLES, VisualStyle, get_style

__all__ = ["DEFAULT_STYLE", "STYLES", "VisualStyle", "get_style"]
