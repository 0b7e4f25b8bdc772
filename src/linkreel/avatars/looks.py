"""How each library persona looks: skin, hair, outfit, extras and the scene behind them, as data.

    look_for(persona) -> Look   (every library persona has one; custom personas get a neutral look)

Colours are RGB tuples. Hair styles, outfits and scenes are names in the registries of
`drawing.py` and `scenes.py`, so a test can check that every name here exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from linkreel.avatars.personas import Persona

RGB = tuple[int, int, int]

SKIN: dict[str, RGB] = {
    "porcelain": (247, 221, 203),
    "light": (236, 196, 168),
    "olive": (212, 167, 125),
    "tan": (190, 140, 100),
    "brown": (150, 100, 68),
    "deep": (104, 68, 46),
}


@dataclass(frozen=True)
class Look:
    skin: RGB
    hair_style: str
    hair: RGB
    outfit: str
    outfit_color: RGB
    scene: str
    eyes: RGB = (74, 52, 38)
    lips: RGB | None = None  # None: derived from the skin tone
    glasses: bool = False
    beard: bool = False
    accent: RGB = (240, 240, 240)  # second outfit colour (shirt under a blazer, hoodie strings...)


LOOKS: dict[str, Look] = {
    "Maya": Look(SKIN["olive"], "long", (58, 36, 24), "tshirt", (236, 120, 92), "kitchen",
                 lips=(196, 96, 92)),
    "Daniel": Look(SKIN["light"], "short", (92, 62, 40), "blazer", (52, 64, 96), "studio",
                   eyes=(70, 110, 150), accent=(236, 240, 246)),
    "Aisha": Look(SKIN["deep"], "curly", (30, 22, 20), "top", (240, 200, 210), "bathroom",
                  lips=(140, 62, 64)),
    "Leo": Look(SKIN["porcelain"], "spiky", (196, 150, 80), "hoodie", (72, 140, 96), "skatepark",
                eyes=(80, 120, 90), accent=(236, 236, 236)),
    "Sofia": Look(SKIN["tan"], "ponytail", (70, 40, 28), "sweater", (170, 150, 220), "bedroom",
                  lips=(188, 92, 104)),
    "Grace": Look(SKIN["light"], "bob", (214, 214, 218), "sweater", (150, 60, 80), "livingroom",
                  glasses=True, eyes=(90, 120, 140)),
    "Walter": Look(SKIN["brown"], "bald", (210, 208, 204), "shirt", (110, 150, 190), "garden",
                   beard=True, glasses=True),
    "Riley": Look(SKIN["olive"], "bob", (120, 60, 150), "jacket", (60, 60, 66), "city",
                  accent=(230, 200, 90)),
    "Sam": Look(SKIN["brown"], "buzz", (36, 28, 26), "shirt", (236, 170, 60), "creative",
                glasses=True),
    "Noah": Look(SKIN["deep"], "afro", (26, 20, 18), "tshirt", (60, 130, 220), "backyard"),
    "Lily": Look(SKIN["porcelain"], "pigtails", (226, 170, 90), "dress", (240, 110, 150), "playroom",
                 eyes=(70, 120, 160)),
    "Marcus": Look(SKIN["tan"], "short", (30, 24, 22), "athletic", (220, 70, 60), "mountains",
                   beard=True),
    "Elena": Look(SKIN["porcelain"], "long", (170, 50, 36), "dress", (40, 120, 110), "forest",
                  eyes=(70, 140, 100), lips=(200, 90, 100)),
    "Kai": Look(SKIN["light"], "spiky", (40, 40, 52), "jacket", (40, 40, 60), "neon",
                accent=(0, 230, 230)),
    "Priya": Look(SKIN["brown"], "bun", (24, 18, 16), "blazer", (40, 44, 52), "backdrop",
                  accent=(236, 236, 240), lips=(150, 70, 76)),
    "Omar": Look(SKIN["tan"], "buzz", (26, 22, 20), "athletic", (40, 44, 50), "gym", beard=True,
                 accent=(120, 220, 120)),
}

_NEUTRAL = Look(SKIN["olive"], "short", (60, 44, 34), "tshirt", (90, 110, 140), "backdrop")


def look_for(persona: Persona) -> Look:
    return LOOKS.get(persona.creator_name, _NEUTRAL)
