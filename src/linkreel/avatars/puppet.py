"""Compositing one frame of a drawn presenter from its pre-drawn parts.

    puppet = Puppet(parts, background=scene_image_or_None)
    frame = puppet.frame(FrameState(...))   -> RGBA PIL image at the sprite size

Per frame only cheap operations run: a copy of a pre-composed base (scene + body at the breathing
offset), then small alpha composites of the head layers (cropped to their content) and of the
moving parts. Rotations are cached per quarter degree: the static head layers, and each small part
image (eyes per blink level, brows, each mouth shape), so a long clip rotates each only once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image

from linkreel.avatars.drawing import BLINK_LEVELS, Parts

_PART_CACHE_LIMIT = 4000  # rotated small parts kept (a few KB each)


@dataclass(frozen=True)
class FrameState:
    mouth_open: float
    mouth_wide: float
    mouth_round: float
    smile: float
    brows: float
    blink: float
    head_dx: float  # face widths
    head_dy: float
    head_angle: float  # degrees
    breath: float  # 0..1
    gesture: float  # 0..1


@dataclass(frozen=True)
class _Layer:
    image: Image.Image
    offset: tuple[int, int]  # of the cropped image inside the head canvas


class Puppet:
    def __init__(self, parts: Parts, background: Image.Image | None) -> None:
        self.parts = parts
        g = parts.geometry
        self.size = (g.width, g.height)
        self._background = background.copy() if background is not None else Image.new("RGBA", self.size)
        self._bases: dict[int, Image.Image] = {}
        self._layers: dict[tuple[str, float], _Layer] = {}
        self._parts: dict[tuple[int, float], Image.Image] = {}

    def _base(self, breath_dy: int) -> Image.Image:
        base = self._bases.get(breath_dy)
        if base is None:
            base = self._background.copy()
            base.alpha_composite(self.parts.body, (0, breath_dy))
            self._bases[breath_dy] = base
        return base

    def _layer(self, name: str, angle: float) -> _Layer:
        """A static head layer rotated about the neck, cropped to its visible pixels."""
        key = (name, angle)
        layer = self._layers.get(key)
        if layer is None:
            source = self.parts.head if name == "head" else self.parts.front
            if angle:
                source = source.rotate(angle, Image.Resampling.BICUBIC, center=self.parts.geometry.pivot)
            box = source.getbbox() or (0, 0, 1, 1)
            layer = self._layers[key] = _Layer(source.crop(box), (box[0], box[1]))
        return layer

    def _rotated_part(self, part: Image.Image, angle: float) -> Image.Image:
        if not angle:
            return part
        key = (id(part), angle)  # parts live as long as `self.parts` (its mouth cache never evicts)
        img = self._parts.get(key)
        if img is None:
            if len(self._parts) > _PART_CACHE_LIMIT:
                self._parts.clear()
            img = self._parts[key] = part.rotate(angle, Image.Resampling.BILINEAR, expand=True)
        return img

    def _place(self, out: Image.Image, part: Image.Image, at: tuple[float, float], angle: float,
               origin: tuple[int, int]) -> None:
        """Composite a small moving part (eyes, mouth, brows) turned with the head about the pivot."""
        cx, cy = at[0] + part.width / 2, at[1] + part.height / 2
        px, py = self.parts.geometry.pivot
        rad = math.radians(angle)
        # Pillow rotates counter-clockwise on screen (y down): x' = c*dx + s*dy, y' = -s*dx + c*dy
        dx, dy = cx - px, cy - py
        rx = px + math.cos(rad) * dx + math.sin(rad) * dy
        ry = py - math.sin(rad) * dx + math.cos(rad) * dy
        turned = self._rotated_part(part, angle)
        at_x, at_y = origin[0] + rx - turned.width / 2, origin[1] + ry - turned.height / 2
        out.alpha_composite(turned, (round(at_x), round(at_y)))

    def _head_layer(self, out: Image.Image, name: str, angle: float, origin: tuple[int, int]) -> None:
        layer = self._layer(name, angle)
        out.alpha_composite(layer.image, (origin[0] + layer.offset[0], origin[1] + layer.offset[1]))

    def frame(self, s: FrameState) -> Image.Image:
        p, g = self.parts, self.parts.geometry
        breath_dy = round(s.breath * g.fw * 0.012)
        out = self._base(breath_dy).copy()

        angle = round(s.head_angle * 4) / 4
        origin = (g.head_left + round(s.head_dx * g.fw), g.head_top + round(s.head_dy * g.fw) + breath_dy)
        self._head_layer(out, "head", angle, origin)
        level = min(range(len(BLINK_LEVELS)), key=lambda k: abs(BLINK_LEVELS[k] - s.blink))
        self._place(out, p.eyes[level], p.eyes_at, angle, origin)
        left, top, _, _ = g.mouth_box()
        self._place(out, p.mouth(s.mouth_open, s.mouth_wide, s.mouth_round, s.smile), (left, top), angle, origin)
        self._head_layer(out, "front", angle, origin)
        self._place(out, p.brows, (p.brows_at[0], p.brows_at[1] - s.brows * g.fw * 0.05), angle, origin)

        if s.gesture > 0.01:
            hand = p.hand
            y = round(g.height - hand.height * 0.95 * s.gesture)
            if y < g.height:
                out.alpha_composite(hand, (round(g.width * 0.78 - hand.width / 2), y))
        return out
