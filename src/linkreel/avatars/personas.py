"""The persona (avatar) library: presenters a video can use, as data (contract §6.1).

    personas()                                  -> every library persona, in catalog order
    get_persona(id)                             -> Persona or None
    filter_personas(items, age_range={"adult"}, gender={"f", "nb"}, ...)   -> matching any value
    suggest_persona(text, seed)                 -> the persona whose industries/keywords best fit
                                                   the product text (for `override_avatar: null`)

Ids are uuid5 of the creator name, stable across machines. `voice_gender` picks the matched voice
(`previews.persona_voice`); how each persona looks is in `looks.py`, its preview media in `previews.py`.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://linkreel.dev/personas")
LIBRARY_DATE = datetime(2025, 1, 1, tzinfo=UTC)  # library entries do not change per install

AGE_RANGES = ("child", "teen", "adult", "senior")
GENDERS = ("m", "f", "nb")
LOCATIONS = ("outdoor", "fantasy", "indoor", "other")
STYLES = ("selfie", "presenter", "other")
FILTERS: dict[str, tuple[str, ...]] = {
    "age_range": AGE_RANGES,
    "gender": GENDERS,
    "location": LOCATIONS,
    "style": STYLES,
}
_VOICE_GENDER = {"m": "male", "f": "female", "nb": "female"}


@dataclass(frozen=True)
class Persona:
    creator_name: str
    gender: str
    age_range: str
    location: str
    style: str
    video_scene: str
    suitable_industries: tuple[str, ...]
    keywords: tuple[str, ...] = ()
    id: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", str(uuid.uuid5(NAMESPACE, self.creator_name)))
        for name, allowed in FILTERS.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"persona {self.creator_name}: {name} must be one of {allowed}")

    @property
    def voice_gender(self) -> str:
        return _VOICE_GENDER[self.gender]


LIBRARY: tuple[Persona, ...] = (
    Persona("Maya", "f", "adult", "indoor", "selfie", "bright kitchen",
            ("food", "home", "kitchen", "health"), ("cooking", "recipe", "healthy", "bottle")),
    Persona("Daniel", "m", "adult", "indoor", "presenter", "modern studio",
            ("tech", "electronics", "software", "finance"), ("gadget", "app", "laptop", "headphones")),
    Persona("Aisha", "f", "adult", "indoor", "selfie", "bathroom vanity",
            ("beauty", "skincare", "cosmetics"), ("serum", "moisturizer", "spf", "makeup")),
    Persona("Leo", "m", "teen", "outdoor", "selfie", "skate park",
            ("fashion", "sports", "gaming"), ("sneakers", "hoodie", "skate", "controller")),
    Persona("Sofia", "f", "teen", "indoor", "selfie", "bedroom desk",
            ("fashion", "beauty", "education", "gaming"), ("study", "outfit", "lip gloss", "stationery")),
    Persona("Grace", "f", "senior", "indoor", "presenter", "cosy living room",
            ("health", "home", "garden"), ("comfort", "wellness", "tea", "knitting")),
    Persona("Walter", "m", "senior", "outdoor", "presenter", "garden patio",
            ("garden", "tools", "outdoor", "finance"), ("grill", "lawn", "retirement", "drill")),
    Persona("Riley", "nb", "adult", "outdoor", "selfie", "city street",
            ("fashion", "travel", "lifestyle"), ("backpack", "sustainable", "vintage", "travel")),
    Persona("Sam", "nb", "adult", "indoor", "presenter", "creative studio",
            ("art", "education", "software"), ("design", "course", "drawing", "tablet")),
    Persona("Noah", "m", "child", "outdoor", "other", "backyard",
            ("toys", "kids", "outdoor"), ("toy", "bike", "ball", "puzzle")),
    Persona("Lily", "f", "child", "indoor", "other", "playroom",
            ("toys", "kids", "education"), ("doll", "craft", "books", "learning")),
    Persona("Marcus", "m", "adult", "outdoor", "presenter", "mountain trail",
            ("sports", "fitness", "outdoor", "travel"), ("hiking", "running", "water bottle", "camping")),
    Persona("Elena", "f", "adult", "fantasy", "presenter", "enchanted forest",
            ("entertainment", "gaming", "books"), ("fantasy", "magic", "story", "board game")),
    Persona("Kai", "m", "adult", "fantasy", "other", "neon cyber city",
            ("gaming", "tech", "entertainment"), ("rgb", "keyboard", "vr", "console")),
    Persona("Priya", "f", "adult", "other", "presenter", "plain studio backdrop",
            ("finance", "saas", "education", "health"), ("insurance", "banking", "productivity", "clinic")),
    Persona("Omar", "m", "adult", "indoor", "selfie", "home gym",
            ("fitness", "health", "sports"), ("protein", "workout", "dumbbell", "supplement")),
)

_BY_ID = {p.id: p for p in LIBRARY}


def personas() -> tuple[Persona, ...]:
    return LIBRARY


def get_persona(persona_id: str) -> Persona | None:
    return _BY_ID.get(persona_id.strip().lower())


def filter_personas(items: Iterable[Persona], **wanted: set[str] | None) -> list[Persona]:
    """Keep personas whose attribute is any of the wanted values (None or empty: no filter)."""
    out = list(items)
    for name, values in wanted.items():
        if values:
            out = [p for p in out if getattr(p, name) in values]
    return out


def suggest_persona(text: str, seed: str = "") -> Persona:
    """The persona whose industries and keywords appear most in `text`; ties broken by `seed`."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    lowered = text.lower()

    def score(p: Persona) -> int:
        return sum(2 for k in p.keywords if k in lowered) + sum(1 for i in p.suitable_industries if i in words)

    best = max(score(p) for p in LIBRARY)
    candidates = [p for p in LIBRARY if score(p) == best and p.age_range in ("adult", "senior", "teen")] or [
        p for p in LIBRARY if score(p) == best
    ]
    index = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:4], "big") % len(candidates)
    return candidates[index]
