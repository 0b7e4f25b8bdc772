"""The 29 languages of the contract: names, espeak voices, caption fonts, speech rates."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    espeak: str  # espeak-ng voice name
    font: str  # font family for captions and cards (libass / Pillow)
    rtl: bool = False
    no_spaces: bool = False  # CJK: words are not separated by spaces


_LATIN = "Noto Sans"

LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in [
        Language("ar", "Arabic", "ar", "Noto Sans Arabic", rtl=True),
        Language("bg", "Bulgarian", "bg", _LATIN),
        Language("cs", "Czech", "cs", _LATIN),
        Language("da", "Danish", "da", _LATIN),
        Language("de", "German", "de", _LATIN),
        Language("el", "Greek", "el", _LATIN),
        Language("en", "English", "en-us", _LATIN),
        Language("es", "Spanish", "es", _LATIN),
        Language("fi", "Finnish", "fi", _LATIN),
        Language("fr", "French", "fr", _LATIN),
        Language("hi", "Hindi", "hi", "Noto Sans Devanagari"),
        Language("hr", "Croatian", "hr", _LATIN),
        Language("id", "Indonesian", "id", _LATIN),
        Language("it", "Italian", "it", _LATIN),
        Language("ja", "Japanese", "ja", "Noto Sans CJK JP", no_spaces=True),
        Language("ko", "Korean", "ko", "Noto Sans CJK KR"),
        Language("ms", "Malay", "ms", _LATIN),
        Language("nl", "Dutch", "nl", _LATIN),
        Language("pl", "Polish", "pl", _LATIN),
        Language("pt", "Portuguese", "pt-br", _LATIN),
        Language("ro", "Romanian", "ro", _LATIN),
        Language("ru", "Russian", "ru", _LATIN),
        Language("sk", "Slovak", "sk", _LATIN),
        Language("sv", "Swedish", "sv", _LATIN),
        Language("ta", "Tamil", "ta", "Noto Sans Tamil"),
        Language("tl", "Tagalog", "id", _LATIN),  # espeak has no Tagalog; Indonesian reads it well
        Language("tr", "Turkish", "tr", _LATIN),
        Language("uk", "Ukrainian", "uk", _LATIN),
        Language("zh", "Chinese", "cmn", "Noto Sans CJK SC", no_spaces=True),
    ]
}


def get_language(code: str) -> Language:
    from linkreel.errors import InputError

    try:
        return LANGUAGES[code]
    except KeyError:
        raise InputError(
            f"unknown language {code!r}; choose one of: {', '.join(sorted(LANGUAGES))}"
        ) from None
