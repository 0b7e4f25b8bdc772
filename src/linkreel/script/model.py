"""The storyboard: an ad script as scenes. The timeline is built from it."""

from enum import StrEnum

from pydantic import BaseModel, Field


class SceneRole(StrEnum):
    HOOK = "hook"
    PROBLEM = "problem"
    INTRO = "intro"  # the product is named and shown
    STORY = "story"  # a narrative or emotional line: an origin, a turn, a feeling, a reply
    STEP = "step"  # one step of a how-to or do-it-yourself
    BENEFIT = "benefit"
    PROOF = "proof"  # reviews, ratings
    OFFER = "offer"  # price, discount
    CTA = "cta"


class Scene(BaseModel):
    role: SceneRole
    spoken: str  # the line the voice reads
    on_screen: str = ""  # short text for cards/overlays (may be empty)
    image: int | None = None  # index into Brief.images to show; None: the writer has no preference
    clip: int | None = None  # index into the ad's b-roll clips to show instead of a photo (the web editor's pick)


class Script(BaseModel):
    language: str
    style: str
    length_s: int  # the requested video length
    scenes: list[Scene] = Field(min_length=1)
    tone: str = ""  # the style's tone, or the audience's: curious, urgent, playful... (a hint for voice and music)
    platform: str | None = None  # the platform the CTA was written for (targeting.PLATFORMS key)
    audience: str | None = None  # the audience the script addresses (targeting.AUDIENCES key)
    writer: str = "template"  # which writer wrote it: "template", "llm", "override"

    @property
    def text(self) -> str:
        return " ".join(s.spoken for s in self.scenes)
