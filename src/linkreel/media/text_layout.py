"""Breaking card text into lines that fit a width in pixels (Pillow font metrics)."""

from PIL import ImageFont


def wrap(text: str, font: ImageFont.FreeTypeFont, max_width: int, max_lines: int) -> list[str]:
    """Break text into lines that fit `max_width` pixels; ellipsize what does not fit."""
    spaced = " " in text.strip()
    tokens = text.split() if spaced else list(text.strip())
    joiner = " " if spaced else ""
    lines: list[str] = []
    cur = ""
    for tok in tokens:
        trial = f"{cur}{joiner}{tok}" if cur else tok
        if font.getlength(trial) <= max_width or not cur:
            cur = trial
        else:
            lines.append(cur)
            cur = tok
    if cur:
        lines.append(cur)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and font.getlength(last + "…") > max_width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines


def balanced_wrap(text: str, font: ImageFont.FreeTypeFont, max_width: int, max_lines: int) -> list[str]:
    """Like `wrap`, but with lines of even length: no lonely last word under a full line."""
    lines = wrap(text, font, max_width, max_lines)
    if len(lines) < 2 or lines[-1].endswith("…"):
        return lines
    lo, hi = max_width // len(lines), max_width
    while hi - lo > 4:  # the narrowest width that still needs no more lines
        mid = (lo + hi) // 2
        if len(wrap(text, font, mid, max_lines + 1)) <= len(lines):
            hi = mid
        else:
            lo = mid
    return wrap(text, font, hi, max_lines)
