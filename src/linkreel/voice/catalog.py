"""The voices users can pick: a registry of `Voice`s with stable ids.

Each id is a uuid5 of (engine, language, engine voice), so ids survive reordering and renaming and
are valid UUIDs (the API exposes them as accent ids). Short aliases `<lang>-f` / `<lang>-m` name
a language's default female / male voice for the CLI.

Every language has an espeak-ng female (`+f3`) and male (`+m3`) voice; other engines (Piper,
Kokoro) add theirs with `register()`.
"""

import uuid

from linkreel.errors import InputError
from linkreel.languages import LANGUAGES, get_language
from linkreel.voice.speech import Voice

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://linkreel.dev/voices")
GENDERS = ("female", "male")
_VARIANT = {"female": "+f3", "male": "+m3"}  # espeak voice variants (espeak-ng-data/voices/!v)

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

_VOICES: dict[str, Voice] = {}  # id -> voice, in registration order (defaults first)


def voice_id(engine: str, language: str, engine_voice: str) -> str:
    """The stable id of a voice: the same inputs give the same UUID on every machine."""
    return str(uuid.uuid5(NAMESPACE, f"{engine}/{language}/{engine_voice}"))


def register(voice: Voice) -> Voice:
    """Add a voice (e.g. from another engine). Registering the same id again replaces it."""
    get_language(voice.language)
    if voice.gender not in GENDERS:
        raise ValueError(f"voice {voice.name!r}: gender must be one of {GENDERS}")
    _VOICES[voice.id] = voice
    return voice


def all_voices() -> list[Voice]:
    return list(_VOICES.values())


def voices_for(language: str) -> list[Voice]:
    """The voices of one language, its default accent first."""
    get_language(language)
    return [v for v in _VOICES.values() if v.language == language]


def default_voice(language: str, gender: str | None = None) -> Voice:
    """The first registered voice of `language` (female unless `gender` says otherwise)."""
    if gender is not None and gender not in GENDERS:
        raise InputError(f"unknown gender {gender!r}; choose female or male")
    wanted = gender or "female"
    voices = voices_for(language)
    for voice in voices:
        if voice.gender == wanted:
            return voice
    if voices:
        return voices[0]
    raise InputError(f"no voice is available for language {language!r}")


def get_voice(voice_id: str) -> Voice:
    """A voice by id (a UUID, any case) or by alias `<lang>-f` / `<lang>-m`, e.g. `en-f`."""
    key = voice_id.strip().lower()
    if key in _VOICES:
        return _VOICES[key]
    lang, _, suffix = key.rpartition("-")
    if lang in LANGUAGES and suffix in ("f", "m"):
        return default_voice(lang, "female" if suffix == "f" else "male")
    raise InputError(
        f"unknown voice {voice_id!r}; use a voice id from the voice list or an alias like en-f or de-m"
    )


def _register_espeak() -> None:
    for language, engine_voice, accent, female, male in _ESPEAK_VOICES:
        for gender, name in (("female", female), ("male", male)):
            variant = engine_voice + _VARIANT[gender]
            register(
                Voice(
                    id=voice_id("espeak", language, variant),
                    name=name,
                    gender=gender,
                    language=language,
                    accent_name=accent,
                    engine="espeak",
                    engine_voice=variant,
                )
            )


_register_espeak()
