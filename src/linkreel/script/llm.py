"""The hosted writer: an OpenAI-compatible chat-completions model writes the script, the template
writer stands behind it.

`LLMWriter.write` first writes the template script (the fallback, and the model's reference for
shape, facts and language), then asks the model for a better one as JSON, and checks the answer:
valid against the `Script` scene model, hook first and CTA last, in the requested language's
script, within ±15 % of the spoken budget. Any failure (timeout, HTTP error, bad JSON, wrong
language, too long or short) returns the template script; the reason is logged, never raised.
`script_writer(settings)` picks the LLM writer when `LINKREEL_LLM_URL` and `LINKREEL_LLM_MODEL`
are set, the template writer otherwise.
"""

import itertools
import json
import logging
import re
import unicodedata
from dataclasses import dataclass

import httpx
from pydantic import BaseModel, Field, ValidationError

from linkreel.config import Settings
from linkreel.languages import get_language
from linkreel.scrape.brief import Brief
from linkreel.script.model import Scene, SceneRole, Script
from linkreel.script.styles import DEFAULT_STYLE, HOOK_LABELS
from linkreel.script.writer import TemplateWriter, Writer, estimate_seconds, speech_budget_s

log = logging.getLogger(__name__)

LENGTH_TOLERANCE = 0.15  # the spoken estimate may miss the budget by this share (the voice adapts the rest)
MAX_SCENES = 14

# What each base style does, told to the model. Hook styles are DiscoveryWriter opened on their hook.
STYLE_PROMPTS: dict[str, str] = {
    "BenefitsV2": "Lead with why the product is worth it, then one benefit per scene, each a concrete gain.",
    "BrandStoryV2": "Tell the brand's story: where the idea came from, how it shows in the product, why it matters.",
    "CallToActionV2": "Grab attention in the first line, keep every scene short and push clearly to act now.",
    "DiscoveryWriter": "Sound like a person who just discovered the product and can't stop using it.",
    "DontWorryWriter": "Name the viewer's doubt, then answer it calmly, feature by feature: nothing to worry about.",
    "EmotionalWriter": "Speak to feelings: the small joy and relief the product brings to everyday life.",
    "GenzWriter": "Casual Gen Z voice: short punchy lines, playful slang natural in the language, no cringe.",
    "HowToV2": "A short how-to: numbered steps that use the product, ending with the result.",
    "LetMeShowYouWriter": "Demonstrate: 'let me show you', then walk through what the product does, scene by scene.",
    "MotivationalWriter": "Motivate: the viewer can do more, and the product helps them get there.",
    "ProblemSolutionV2": "Open on a problem the viewer knows, agitate it briefly, then present the product as the fix.",
    "ProblemSolutionWriter": "Problem, consequence, solution: the product resolves a pain point the viewer has felt.",
    "ProductHighlightsV2": "A crisp tour of the product's highlights, one per scene, informative and confident.",
    "ProductLifestyleV2": "Show the product in everyday life: morning, on the go, at home; aspirational and relaxed.",
    "ResponseBubbleWriter": "Reply to a viewer's comment asking if the product is worth it; answer point by point.",
    "SpecialOffersV2": "Centre the ad on the price and the deal; create urgency without inventing discounts.",
    "StoryTimeWriter": "Storytime in first person: how things were before, how the product came in, how it is now.",
    "ThreeReasonsWriter": "Exactly three numbered reasons to buy, one per scene, announced in the hook.",
    "TrendingTopicsV2": "Everyone is talking about it: social buzz, why it is trending, join in.",
    "DIY": "Do it yourself: skip the hassle, the product is the only tool, simple steps, done by you.",
}

SYSTEM_PROMPT = """You write voice-over scripts for short vertical video ads.
Answer with one JSON object only, no prose: {"scenes": [{"role": ROLE, "spoken": TEXT, "on_screen": TEXT}, ...]}.
ROLE is one of: hook, problem, intro, story, step, benefit, proof, offer, cta. The first scene is the hook,
the last is the cta. "spoken" is read aloud by a text-to-speech voice: plain sentences, no emoji, no hashtags,
no stage directions. "on_screen" is at most five words, or "". Use only facts given in the brief: never invent
prices, discounts, ratings, numbers or claims. Write every line in the requested language, natively (its own
word order and idioms), keeping product names as they are."""


@dataclass(frozen=True)
class LLMConfig:
    url: str  # the chat-completions endpoint
    model: str
    api_key: str = ""
    timeout_s: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> "LLMConfig | None":
        if not (settings.llm_url and settings.llm_model):
            return None
        url = settings.llm_url.rstrip("/")
        if not url.endswith("/chat/completions"):
            url += "/chat/completions"
        return cls(url, settings.llm_model, settings.llm_api_key, settings.llm_timeout_s)


class LLMFailure(Exception):
    """The model's answer cannot be used; the message says why (logged, then the template is used)."""


class _Answer(BaseModel):
    scenes: list[Scene] = Field(min_length=2, max_length=MAX_SCENES)


def style_prompt(style: str) -> str:
    if style in HOOK_LABELS:
        return f'Open on the hook "{HOOK_LABELS[style]}", then: {STYLE_PROMPTS[DEFAULT_STYLE]}'
    return STYLE_PROMPTS[style]


class LLMWriter:
    """`Writer` backed by a chat-completions model, with the template writer as reference and fallback."""

    name = "llm"

    def __init__(self, config: LLMConfig, fallback: Writer | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        self.fallback = fallback or TemplateWriter()
        self.transport = transport  # tests: httpx.MockTransport

    def write(self, brief: Brief, style: str = DEFAULT_STYLE, language: str = "en", length_s: int = 30,
              platform: str | None = None, audience: str | None = None) -> Script:
        draft = self.fallback.write(brief, style, language, length_s, platform=platform, audience=audience)
        try:
            scenes = self._ask(brief, draft)
            return _checked(draft, scenes, brief_text(brief), n_images=len(brief.images))
        except LLMFailure as e:
            log.warning("LLM script rejected, using the template script: %s", e)
            return draft

    def _ask(self, brief: Brief, draft: Script) -> list[Scene]:
        body = {
            "model": self.config.model,
            "messages": [{"role": "system", "content": SYSTEM_PROMPT},
                         {"role": "user", "content": user_prompt(brief, draft)}],
            "temperature": 0.7,
            "response_format": {"type": "json_object"},
        }
        headers = {"Authorization": f"Bearer {self.config.api_key}"} if self.config.api_key else {}
        try:
            with httpx.Client(timeout=self.config.timeout_s, transport=self.transport) as client:
                response = client.post(self.config.url, json=body, headers=headers)
        except httpx.HTTPError as e:
            raise LLMFailure(f"request failed: {type(e).__name__}: {e}") from e
        if response.status_code != 200:
            raise LLMFailure(f"HTTP {response.status_code}: {response.text[:200]}")
        try:
            content = response.json()["choices"][0]["message"]["content"]
            return _Answer.model_validate(json.loads(_unfenced(content))).scenes
        except (ValueError, KeyError, IndexError, TypeError, ValidationError) as e:
            raise LLMFailure(f"not a script: {type(e).__name__}: {str(e)[:200]}") from e


def brief_text(brief: Brief) -> str:
    """Everything the page says, in its own words (may be kept untranslated in any language)."""
    return " ".join([brief.title, brief.brand or "", *brief.features, brief.description,
                     *(r.text for r in brief.reviews)])


def user_prompt(brief: Brief, draft: Script) -> str:
    lang = get_language(draft.language)
    budget = speech_budget_s(draft.length_s)
    facts = {
        "title": brief.title, "brand": brief.brand, "features": brief.features[:8],
        "description": brief.description[:600], "price": brief.price, "currency": brief.currency,
        "rating": brief.rating, "review_count": brief.review_count,
        "reviews": [r.text[:200] for r in brief.reviews[:3]],
    }
    reference = [{"role": s.role.value, "spoken": s.spoken, "on_screen": s.on_screen} for s in draft.scenes]
    targeting = "".join([f"\nPlatform: {draft.platform}." if draft.platform else "",
                         f"\nAudience: {draft.audience}." if draft.audience else ""])
    return (
        f"Style: {draft.style}. {style_prompt(draft.style)}\nTone: {draft.tone}.{targeting}\n"
        f"Language: {lang.name} ({lang.code}). Every spoken line in {lang.name}.\n"
        f"Length: the spoken lines must take {budget:.0f} seconds at a normal pace, about "
        f"{len(draft.text)} characters in total, like the reference.\n"
        f"Product brief (facts you may use): {json.dumps({k: v for k, v in facts.items() if v}, ensure_ascii=False)}\n"
        f"Reference script (correct facts, language and length; write a better ad in the same style): "
        f"{json.dumps({'scenes': reference}, ensure_ascii=False)}"
    )  # fmt: skip


_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$")


def _unfenced(content: str) -> str:
    """Models often wrap JSON in a Markdown code fence."""
    return _FENCE.sub("", content)


def _checked(draft: Script, scenes: list[Scene], facts: str, n_images: int) -> Script:
    lang = draft.language
    scenes = [s for s in scenes if s.spoken.strip()]
    if len(scenes) < 2 or scenes[0].role != SceneRole.HOOK or scenes[-1].role != SceneRole.CTA:
        raise LLMFailure("scenes must open on a hook and end on a CTA")
    text = " ".join(s.spoken for s in scenes)
    if not names_the_product(text, draft):
        raise LLMFailure("the product is never named")
    if (found := written_in(text, lang, facts)) is not None:
        raise LLMFailure(f"wrong language: {found}")
    budget = speech_budget_s(draft.length_s)
    spoken = estimate_seconds(text, lang)
    if abs(spoken - budget) > LENGTH_TOLERANCE * budget:
        raise LLMFailure(f"{spoken:.1f} s of speech for a {budget:.1f} s budget")
    placed = [s.model_copy(update={"image": i % n_images if n_images else None}) for i, s in enumerate(scenes)]
    return draft.model_copy(update={"scenes": placed, "writer": "llm"})


def names_the_product(text: str, draft: Script) -> bool:
    """The ad says at least one word of the name the template used ("Acme", "AeroBottle")."""
    name = next((s.on_screen for s in draft.scenes if s.role in (SceneRole.HOOK, SceneRole.INTRO)), "")
    words = [w for w in _words(name) if len(w) >= 3] or _words(name)
    return not words or any(w.lower() in text.lower() for w in words)


# The Unicode script (unicodedata name prefix) a language is written in; the rest use Latin letters.
SCRIPTS: dict[str, tuple[str, ...]] = {
    "ar": ("ARABIC",), "bg": ("CYRILLIC",), "el": ("GREEK",), "hi": ("DEVANAGARI",), "ru": ("CYRILLIC",),
    "ta": ("TAMIL",), "uk": ("CYRILLIC",), "ja": ("HIRAGANA", "KATAKANA", "CJK UNIFIED"), "ko": ("HANGUL",),
    "zh": ("CJK UNIFIED",),
}  # fmt: skip
# Words frequent in English ads and rare in the other Latin-script languages.
_ENGLISH = frozenset(["the", "and", "you", "your", "with", "this", "that", "it's", "are", "our", "what", "get"])


def written_in(text: str, language: str, facts: str = "") -> str | None:
    """None if `text` looks written in `language`, else what it looks like instead. Words of `facts`
    (the brief: names and features stay in the page's language) are left out of the count."""
    allowed = {w.lower() for w in _words(facts)}
    words = [w for w in _words(text) if w.lower() not in allowed]
    letters = [unicodedata.name(c, "") for w in words for c in w]
    if not letters:
        return "no words of its own"
    expected = SCRIPTS.get(language, ("LATIN",))
    share = sum(n.startswith(expected) for n in letters) / len(letters)
    if share < 0.9:
        return f"only {share:.0%} of the letters are in the {language} script"
    if language != "en" and expected == ("LATIN",):
        english = sum(w.lower() in _ENGLISH for w in words) / len(words)
        if english > 0.08:
            return f"English ({english:.0%} English function words)"
    return None


_RUN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def _words(text: str) -> list[str]:
    """Letter runs, cut where the script changes ("Acmeの" -> "Acme", "の")."""
    out = []
    for run in _RUN.findall(text):
        for _, chars in itertools.groupby(run, key=lambda c: unicodedata.name(c, "?").split()[0]):
            out.append("".join(chars))
    return out


def script_writer(settings: Settings, transport: httpx.BaseTransport | None = None) -> Writer:
    """The writer to use: the LLM writer when one is configured, the offline template writer otherwise."""
    config = LLMConfig.from_settings(settings)
    return LLMWriter(config, transport=transport) if config else TemplateWriter()
