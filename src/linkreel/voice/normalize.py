"""Numbers, prices and percentages written out as words, before the text is spoken.

espeak reads "$49.99" as "dollar forty nine point nine nine" and gives overlapping word events for
it, and captions must show what is heard, so the pipeline speaks and captions the output of
`normalize_for_speech`. num2words covers 21 of our 29 languages; for the others (bg el hi hr ms
ta tl zh) digits stay digits (espeak reads them natively) but currency symbols still become words.

Locale rules come from Babel: which separator is decimal ("49,99" in de, "1,299" in en), plural
forms of currency names ("1 рубль", "2 рубля", "5 рублей"). A number glued to Latin/Cyrillic/...
letters ("128GB", "X5", "4K") is a name, not an amount, and is left alone; digits glued to CJK
characters ("1234円", "49,000원") are amounts. Anything that does not parse as one number (dates,
times, "24/7", version strings) is left as written.
"""

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import cache

from babel import Locale
from babel.numbers import get_currency_name, get_decimal_symbol, get_group_symbol
from num2words import num2words

from linkreel.languages import get_language

# Our language -> num2words language; missing languages keep digits.
_NUM2WORDS = {
    code: code
    for code in ("ar", "cs", "da", "de", "en", "es", "fi", "fr", "id", "it", "ja", "ko", "nl", "pl",
                 "ro", "ru", "sk", "sv", "tr", "uk")
} | {"pt": "pt_BR"}  # fmt: skip
# Our language -> Babel locale, where the code alone is not the right one.
_LOCALE = {"pt": "pt_BR", "tl": "fil", "zh": "zh_Hans"}
# num2words gets decimals wrong in these (it drops them, tr/ar garble them): spell them ourselves.
_DECIMAL_WORD = {"ar": "فاصلة", "it": "virgola", "tr": "virgül"}
_UNSPACED = {"ja", "zh"}  # languages that write number and unit without a space

# --- currencies ---------------------------------------------------------------------------

# Currency signs as written on product pages -> ISO 4217 (the regex tries longest first).
_SYMBOLS = {
    "US$": "USD", "C$": "CAD", "CA$": "CAD", "A$": "AUD", "AU$": "AUD", "NZ$": "NZD",
    "HK$": "HKD", "S$": "SGD", "MX$": "MXN", "R$": "BRL", "$": "USD", "€": "EUR", "£": "GBP",
    "₹": "INR", "₩": "KRW", "₽": "RUB", "₺": "TRY", "₴": "UAH", "₫": "VND", "₱": "PHP",
    "฿": "THB", "₪": "ILS", "¥": "JPY", "￥": "JPY",
}  # fmt: skip
# Upper-case ISO codes, except those that are also words in ad copy ("TRY 30 DAYS", "PHP 8").
_CODES = (
    "USD", "EUR", "GBP", "JPY", "CNY", "RMB", "INR", "KRW", "RUB", "PLN", "CZK", "SEK", "DKK", "NOK",
    "CHF", "BRL", "IDR", "MYR", "UAH", "BGN", "RON", "AED", "SAR", "EGP", "AUD", "CAD", "NZD", "HKD",
    "SGD", "MXN", "VND", "THB", "ILS",
)  # fmt: skip
# Signs that are words, or mean another currency, in one language only.
_LANGUAGE_SYMBOLS: dict[str, dict[str, str]] = {
    "zh": {"¥": "CNY", "￥": "CNY", "元": "CNY"},
    "ja": {"円": "JPY", "元": "CNY"},
    "ko": {"원": "KRW"},
    "da": {"kr.": "DKK", "kr": "DKK"},
    "sv": {"kr": "SEK"},
    "pl": {"zł": "PLN"},
    "cs": {"Kč": "CZK"},
    "ro": {"lei": "RON"},
    "bg": {"лв.": "BGN", "лв": "BGN"},
    "ms": {"RM": "MYR"},
    "id": {"Rp": "IDR"},
    "tr": {"TL": "TRY", "TRY": "TRY"},
    "tl": {"PHP": "PHP"},
}

# How the currency is said, where Babel's name is clumsy to speak ("US dollars", "日本円").
# A dict maps Babel plural categories (one, few, many, other) to the word.
_SPOKEN: dict[tuple[str, str], str | dict[str, str]] = {
    ("en", "USD"): {"one": "dollar", "other": "dollars"},
    ("en", "GBP"): {"one": "pound", "other": "pounds"},
    ("en", "JPY"): "yen",
    ("en", "INR"): {"one": "rupee", "other": "rupees"},
    ("de", "USD"): "Dollar", ("de", "GBP"): "Pfund", ("de", "JPY"): "Yen",
    ("fr", "USD"): {"one": "dollar", "other": "dollars"},
    ("es", "USD"): {"one": "dólar", "other": "dólares"},
    ("es", "MXN"): {"one": "peso", "other": "pesos"},
    ("it", "USD"): {"one": "dollaro", "other": "dollari"},
    ("pt", "USD"): {"one": "dólar", "other": "dólares"},
    ("pt", "EUR"): {"one": "euro", "other": "euros"},
    ("pt", "BRL"): {"one": "real", "other": "reais"},
    ("nl", "USD"): "dollar",
    ("sv", "USD"): "dollar", ("sv", "SEK"): {"one": "krona", "other": "kronor"},
    ("da", "USD"): "dollar", ("da", "DKK"): {"one": "krone", "other": "kroner"},
    ("fi", "USD"): {"one": "dollari", "other": "dollaria"},
    ("pl", "USD"): {"one": "dolar", "few": "dolary", "many": "dolarów", "other": "dolara"},
    ("pl", "PLN"): {"one": "złoty", "few": "złote", "many": "złotych", "other": "złotego"},
    ("cs", "USD"): {"one": "dolar", "few": "dolary", "many": "dolaru", "other": "dolarů"},
    ("cs", "CZK"): {"one": "koruna", "few": "koruny", "many": "koruny", "other": "korun"},
    ("sk", "USD"): {"one": "dolár", "few": "doláre", "many": "dolára", "other": "dolárov"},
    ("ru", "USD"): {"one": "доллар", "few": "доллара", "many": "долларов", "other": "доллара"},
    ("ru", "RUB"): {"one": "рубль", "few": "рубля", "many": "рублей", "other": "рубля"},
    ("uk", "USD"): {"one": "долар", "few": "долари", "many": "доларів", "other": "долара"},
    ("uk", "UAH"): {"one": "гривня", "few": "гривні", "many": "гривень", "other": "гривні"},
    # Romanian says "de" before the noun from 20 on ("douăzeci de lei"): the "other" category.
    ("ro", "USD"): {"one": "dolar", "few": "dolari", "other": "de dolari"},
    ("ro", "EUR"): {"one": "euro", "few": "euro", "other": "de euro"},
    ("ro", "RON"): {"one": "leu", "few": "lei", "other": "de lei"},
    ("bg", "USD"): {"one": "долар", "other": "долара"},
    ("bg", "BGN"): {"one": "лев", "other": "лева"},
    ("tr", "USD"): "dolar", ("tr", "TRY"): "lira",
    ("id", "USD"): "dolar", ("id", "IDR"): "rupiah",
    ("ms", "USD"): "dolar", ("ms", "MYR"): "ringgit",
    ("tl", "USD"): "dolyar", ("tl", "PHP"): "piso",
    ("hi", "USD"): "डॉलर", ("hi", "INR"): "रुपये",
    ("ta", "INR"): "ரூபாய்",
    ("ko", "USD"): "달러", ("ko", "KRW"): "원",
    ("zh", "CNY"): "元", ("zh", "RMB"): "元",
    # espeak reads kanji as "Chinese letter", so Japanese gets kana.
    ("ja", "JPY"): "えん", ("ja", "USD"): "ドル", ("ja", "EUR"): "ユーロ", ("ja", "GBP"): "ポンド",
    ("ja", "CNY"): "げん", ("ja", "KRW"): "ウォン",
}  # fmt: skip
# English says the minor unit: "forty-nine dollars and ninety-nine cents".
_EN_MINOR = {"USD": ("cent", "cents"), "EUR": ("cent", "cents"), "CAD": ("cent", "cents"),
             "AUD": ("cent", "cents"), "NZD": ("cent", "cents"), "GBP": ("penny", "pence")}  # fmt: skip
# "One" before a currency agrees with it ("ein Euro", not "eins Euro"); num2words says "eins".
_ONE: dict[str | tuple[str, str], str] = {
    "de": "ein", "nl": "één", "sv": "en", "da": "en", "fr": "un", "es": "un", "it": "un", "pt": "um",
    "ro": "un", ("uk", "UAH"): "одна", ("cs", "CZK"): "jedna",
}  # fmt: skip
# Elsewhere the cents follow the unit ("neunundvierzig Euro neunundneunzig"), with a joiner in some.
_CENTS_JOINER = {"es": "con", "it": "e", "pt": "e", "ro": "și", "tr": "", "fr": ""}

# --- percent ------------------------------------------------------------------------------

_PERCENT: dict[str, str | dict[str, str]] = {
    "ar": "بالمئة", "bg": {"one": "процент", "other": "процента"},
    "cs": {"one": "procento", "few": "procenta", "many": "procenta", "other": "procent"},
    "da": "procent", "de": "Prozent", "el": "τοις εκατό", "en": "percent", "es": "por ciento",
    "fi": {"one": "prosentti", "other": "prosenttia"}, "fr": "pour cent", "hi": "प्रतिशत",
    "hr": "posto", "id": "persen", "it": "per cento", "ja": "パーセント", "ko": "퍼센트",
    "ms": "peratus", "nl": "procent", "pl": "procent", "pt": "por cento", "ro": "la sută",
    "ru": {"one": "процент", "few": "процента", "many": "процентов", "other": "процента"},
    "sk": {"one": "percento", "few": "percentá", "many": "percenta", "other": "percent"},
    "sv": "procent", "ta": "சதவீதம்", "tl": "porsiyento",
    "uk": {"one": "відсоток", "few": "відсотки", "many": "відсотків", "other": "відсотка"},
}  # fmt: skip
_PERCENT_PREFIX = {"tr": "yüzde", "zh": "百分之"}  # said before the number

# --- the pattern --------------------------------------------------------------------------

_SPACE = "[ \u00a0\u202f]"  # space, no-break space, narrow no-break space
_ALWAYS_GROUP = "'’\u00a0\u202f٬"  # separators that can only group thousands
_DECIMAL_OR_GROUP = ".,٫"


@cache
def _pattern(language: str) -> re.Pattern[str]:
    symbols = sorted([*_symbols(language), *_CODES], key=len, reverse=True)
    alternatives = [_currency_alternative(s) for s in symbols]
    currency = "|".join(alternatives)
    # In locales grouping with spaces ("1 299 Kč"), a plain space may separate thousands too.
    spaced = get_group_symbol(_locale(language)).isspace()
    group_space = r"| (?=\d{3}(?!\d))" if spaced else ""
    number = rf"\d+(?:(?:[{_ALWAYS_GROUP}{_DECIMAL_OR_GROUP}:/]{group_space})\d+)*"
    return re.compile(
        r"(?P<sign>(?<![\w.,])[-−])?"  # "-20 %": a minus at the start of a word, not "10-20"
        rf"(?P<pct_pre>[%٪]{_SPACE}?)?"
        rf"(?:(?P<cur_pre>{currency}){_SPACE}?)?"
        rf"(?P<num>{number})"
        rf"(?:{_SPACE}?(?P<cur_post>{currency}))?"
        rf"(?:{_SPACE}?(?P<pct_post>[%٪]))?"
    )


def _symbols(language: str) -> dict[str, str]:
    return _SYMBOLS | _LANGUAGE_SYMBOLS.get(language, {})


def _currency_alternative(symbol: str) -> str:
    """A sign made of letters ("kr", "USD") must not be part of a longer word ("krass")."""
    escaped = re.escape(symbol)
    if symbol[0].isalpha() and not _is_cjk_or_hangul(symbol[0]):
        escaped = rf"(?<![^\W\d_]){escaped}"
    if symbol[-1].isalpha() and not _is_cjk_or_hangul(symbol[-1]):
        escaped = rf"{escaped}(?![^\W\d_])"
    return escaped


_EN_ORDINAL = re.compile(r"\b(\d+)(st|nd|rd|th)\b")


def normalize_for_speech(text: str, language: str) -> str:
    """`text` with amounts, prices and percentages spelled out the way a speaker says them (and, in
    Japanese, kanji replaced by their kana reading)."""
    get_language(language)
    if language == "en":
        text = _EN_ORDINAL.sub(lambda m: num2words(int(m.group(1)), lang="en", to="ordinal"), text)
    text = _pattern(language).sub(lambda m: _speak(m, text, language), text)
    return kanji_readings(text) if language == "ja" else text


# A run of kanji with the kana that follows it: OpenJTalk reads a word better with its okurigana.
_KANJI_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff々〆ヶ][\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff々〆ヶ]*")


def kanji_readings(text: str) -> str:
    """Japanese text with each kanji run replaced by its katakana reading (OpenJTalk's dictionary, the
    pyopenjtalk-plus wheel): espeak-ng reads a kanji as "Chinese letter". Unchanged without the wheel."""
    if not _KANJI_RUN.search(text):
        return text
    try:
        import pyopenjtalk  # loads its 100 MB dictionary on first use, so only when there is kanji
    except ImportError:
        return text
    return _KANJI_RUN.sub(lambda m: pyopenjtalk.g2p(m.group(0), kana=True), text)


def _speak(m: re.Match[str], text: str, language: str) -> str:
    value = _parse(m.group("num"), language)
    if value is None or _glued_to_letters(text, m.start(), m.end()):
        return m.group(0)
    pre, post, sign = m.group("cur_pre"), m.group("cur_post"), m.group("sign") or ""
    if not (pre or post) and _next_to_number(text, m.start(), m.end()):
        return m.group(0)  # "0800 123 456", "10-20", "20-30 %": leave the series to espeak
    if sign and not (pre or post):
        value = -value
    if m.group("pct_pre") or m.group("pct_post"):
        # a currency sign next to a percentage is odd: keep it as written
        return " ".join(part for part in (pre, _percent(value, language), post) if part)
    symbol = pre or post
    if symbol is None:
        return m.group(0) if _is_code(m.group("num")) else _number(value, language)
    return sign + _price(value, _currency_code(symbol, language), language)  # "-5 €": keep the "-"


def _is_code(raw: str) -> bool:
    """Phone numbers, zip codes, article numbers: "0800 123", "007", "4006381333931"."""
    return (len(raw) > 1 and raw[0] == "0" and raw[1].isdigit()) or (raw.isdigit() and len(raw) >= 7)


_NUMBER_BEFORE = re.compile(rf"\d(?:{_SPACE}|-|–)$")
_NUMBER_AFTER = re.compile(rf"(?:{_SPACE}|-|–)\d")


def _next_to_number(text: str, start: int, end: int) -> bool:
    return bool(_NUMBER_BEFORE.search(text[max(0, start - 2) : start]) or _NUMBER_AFTER.match(text, end))


def _glued_to_letters(text: str, start: int, end: int) -> bool:
    """True for "128GB", "X5": a letter (not CJK) right before `start` or right after `end`."""
    around = (text[start - 1] if start > 0 else " ", text[end] if end < len(text) else " ")
    return any(ch.isalpha() and not _is_cjk_or_hangul(ch) for ch in around)


# --- numbers ------------------------------------------------------------------------------


def _parse(raw: str, language: str) -> Decimal | None:
    """The value of a number as written in this locale, or None when it is not one number."""
    if ":" in raw or "/" in raw:
        return None  # time, ratio, date: read as written
    s = "".join(str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in raw)
    s = re.sub(rf"[{_ALWAYS_GROUP} ]", "\x00", s)  # group separators: validated, then dropped
    seps = [ch for ch in s if ch in _DECIMAL_OR_GROUP]
    decimal: str | None = None
    if "٫" in seps:
        decimal = "٫"
    elif len(set(seps)) == 2:
        decimal = s[max(s.rfind("."), s.rfind(","))]
    elif len(seps) == 1:
        tail = s.rsplit(seps[0], 1)[1]
        locale_decimal = get_decimal_symbol(_locale(language))
        # "1,299" groups in en, "49,99" is decimal everywhere, "1.234" is 1.234 in en, 1234 in de
        if len(tail) != 3 or seps[0] == locale_decimal:
            decimal = seps[0]
    whole, _, fraction = s.rpartition(decimal) if decimal else (s, "", "")
    groups = re.split(r"[\x00.,٬]", whole)
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        return None
    if decimal and not fraction.isdigit():
        return None
    try:
        return Decimal("".join(groups) + ("." + fraction if decimal else ""))
    except InvalidOperation:
        return None


def _number(value: Decimal, language: str) -> str:
    """Words for a number, or plain digits in languages num2words lacks."""
    lang = _NUM2WORDS.get(language)
    if lang is None:
        return _digits(value, language)
    if value == value.to_integral_value():
        return _cardinal(int(value), language)
    value = value.normalize()  # "3.50" is said "three point five"
    if language in _DECIMAL_WORD:
        whole, fraction = str(value).split(".")
        digits = " ".join(_cardinal(int(d), language) for d in fraction)
        return f"{_cardinal(int(whole), language)} {_DECIMAL_WORD[language]} {digits}"
    if language == "ja":
        return num2words(value, lang="ja", reading=True)
    return num2words(value, lang=lang)


def _cardinal(n: int, language: str) -> str:
    lang = _NUM2WORDS[language]
    if language == "ja":
        return num2words(n, lang="ja", reading=True)  # hiragana: espeak cannot read kanji numerals
    words = " ".join(num2words(n, lang=lang).replace(",", " ").split())  # en: "one thousand, two"
    return _split_turkish(words) if language == "tr" else words


_TR_NUMBER_WORDS = re.compile(
    "trilyon|milyar|milyon|bin|yüz|doksan|seksen|yetmiş|altmış|elli|kırk|otuz|yirmi|on|"
    "dokuz|sekiz|yedi|altı|beş|dört|üç|iki|bir|sıfır|virgül"
)


def _split_turkish(words: str) -> str:
    """num2words writes Turkish numbers as one word ("kırkdokuz"); Turkish spells "kırk dokuz"."""
    out = []
    for word in words.split():
        parts = _TR_NUMBER_WORDS.findall(word)
        out.append(" ".join(parts) if "".join(parts) == word else word)
    return " ".join(out)


def _digits(value: Decimal, language: str) -> str:
    """Digits without group separators, with the locale's decimal mark: "1.299,5" -> "1299,5"."""
    text = format(value, "f")
    return text.replace(".", get_decimal_symbol(_locale(language)))


def _percent(value: Decimal, language: str) -> str:
    number = _number(value, language)
    if language in _PERCENT_PREFIX:
        return _join(_PERCENT_PREFIX[language], number, language, space=language not in _UNSPACED)
    return _join(number, _plural(_PERCENT[language], value, language), language)


# --- prices -------------------------------------------------------------------------------


def _currency_code(symbol: str, language: str) -> str:
    if symbol in _CODES:
        return "CNY" if symbol == "RMB" else symbol
    return _symbols(language)[symbol]


def _price(value: Decimal, code: str, language: str) -> str:
    whole = int(value)
    cents = (value - whole) * 100
    if _NUM2WORDS.get(language) is None or language in ("ja", "ko") or cents != int(cents):
        # decimal reading + unit: "49.99 美元", "よんじゅうきゅうてんきゅうきゅうドル"
        return _join(_number(value, language), _currency_name(code, value, language), language)
    amount = _ONE.get((language, code), _ONE.get(language)) if whole == 1 else None
    amount = amount or _number(Decimal(whole), language)
    said = _join(amount, _currency_name(code, Decimal(whole), language), language)
    if not cents:
        return said
    cents_said = _number(cents, language)
    if language == "en":
        one, many = _EN_MINOR.get(code, ("", ""))
        return f"{said} and {cents_said} {one if cents == 1 else many}".rstrip()
    return " ".join(part for part in (said, _CENTS_JOINER.get(language, ""), cents_said) if part)


def _currency_name(code: str, count: Decimal, language: str) -> str:
    spoken = _SPOKEN.get((language, code))
    if spoken is not None:
        return _plural(spoken, count, language)
    return get_currency_name(code, count=count, locale=_locale(language))


# --- helpers ------------------------------------------------------------------------------


def _plural(word: str | dict[str, str], count: Decimal, language: str) -> str:
    if isinstance(word, str):
        return word
    category = Locale.parse(_locale(language)).plural_form(count)
    return word.get(category, word["other"])


def _join(first: str, second: str, language: str, space: bool | None = None) -> str:
    if space is None:
        space = language not in _UNSPACED
    return f"{first} {second}" if space else f"{first}{second}"


def _locale(language: str) -> str:
    return _LOCALE.get(language, language)


def _is_cjk_or_hangul(ch: str) -> bool:
    return (
        "\u3040" <= ch <= "\u30ff"
        or "\u3400" <= ch <= "\u9fff"
        or "\uac00" <= ch <= "\ud7af"
        or "\uf900" <= ch <= "\ufaff"
        or "\uff66" <= ch <= "\uff9f"
    )
