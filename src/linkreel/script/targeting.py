"""Who the ad is for: `target_platform` and `target_audience` (free text in the contract) as data.

A platform says where the link is ("It's in the description."), spoken right after the style's
call to action. An audience sets the script's tone and adds one line naming who the product is
made for. Both are matched from free text by keywords ("Young Adults" -> young, "TikTok Shop" ->
tiktok); text that names none of them changes nothing.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Platform:
    key: str
    keywords: tuple[str, ...]  # whole words, lower case, matched in the caller's free text
    where_slot: str  # phrase-bank slot: where the viewer finds the link on this platform


@dataclass(frozen=True)
class Audience:
    key: str
    keywords: tuple[str, ...]  # word starts, lower case ("famil" matches "family", "families")
    tone: str  # replaces the style's tone
    line_slot: str  # phrase-bank slot: who the product is made for


PLATFORMS: tuple[Platform, ...] = (
    Platform("tiktok", ("tiktok", "tik tok", "douyin"), "platform.tiktok"),
    Platform("instagram", ("instagram", "insta", "ig", "reels"), "platform.instagram"),
    Platform("youtube", ("youtube", "yt", "shorts"), "platform.youtube"),
    Platform("facebook", ("facebook", "fb", "meta"), "platform.facebook"),
)

AUDIENCES: tuple[Audience, ...] = (
    Audience("young", ("young", "gen z", "genz", "teen", "student", "college", "millennial", "youth"), "playful",
             "audience.young"),
    Audience("parents", ("parent", "mom", "mum", "mother", "dad", "father", "famil"), "warm", "audience.parents"),
    Audience("professionals", ("professional", "business", "office", "entrepreneur", "executive", "manager",
                               "worker", "b2b"), "confident", "audience.professionals"),
    Audience("seniors", ("senior", "elder", "older", "retire", "grandparent", "aging", "ageing"), "calm",
             "audience.seniors"),
    Audience("active", ("athlete", "fitness", "sport", "runner", "gym", "active", "outdoor", "hiker", "cyclist"),
             "energetic", "audience.active"),
)  # fmt: skip


def _earliest(
    text: str | None, entries: tuple[Platform, ...] | tuple[Audience, ...], whole_words: bool
) -> Platform | Audience | None:
    """The entry whose keyword appears first in `text` ("Parents of young kids" -> parents)."""
    if not text:
        return None
    low = text.lower()
    best: tuple[int, int] | None = None
    for i, entry in enumerate(entries):
        for word in entry.keywords:
            tail = r"\b" if whole_words else ""
            if m := re.search(rf"\b{re.escape(word)}{tail}", low):
                best = min(best or (m.start(), i), (m.start(), i))
    return entries[best[1]] if best else None


def find_platform(text: str | None) -> Platform | None:
    found = _earliest(text, PLATFORMS, whole_words=True)
    return found if isinstance(found, Platform) else None


def find_audience(text: str | None) -> Audience | None:
    found = _earliest(text, AUDIENCES, whole_words=False)
    return found if isinstance(found, Audience) else None
