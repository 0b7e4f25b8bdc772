"""Which engine speaks a voice: a registry from `Voice.engine` to a `TTS`, with espeak-ng behind every other one.

A neural or hosted engine that fails (model missing or damaged, service down) never fails the
ad: `FallbackTTS` logs it and the language's espeak voice speaks instead.
"""

from collections.abc import Callable

from linkreel.config import Settings
from linkreel.voice.espeak import EspeakTTS
from linkreel.voice.hosted import FallbackTTS, HostedConfig, HostedTTS
from linkreel.voice.neural import KokoroTTS, PiperTTS
from linkreel.voice.openjtalk import OpenJTalkTTS
from linkreel.voice.speech import TTS, Voice


def _hosted(settings: Settings) -> TTS:
    return HostedTTS(HostedConfig(url=settings.tts_url, api=settings.tts_api, api_key=settings.tts_api_key,
                                  model=settings.tts_model, timeout_s=settings.tts_timeout_s))


ENGINES: dict[str, Callable[[Settings], TTS]] = {
    "espeak": lambda _settings: EspeakTTS(),
    "piper": lambda _settings: PiperTTS(),
    "kokoro": lambda _settings: KokoroTTS(),
    "openjtalk": lambda _settings: OpenJTalkTTS(),
    "hosted": _hosted,
}


def tts_for(voice: Voice, settings: Settings) -> TTS:
    """The engine of `voice`; anything but espeak falls back to espeak when it cannot speak."""
    engine = ENGINES[voice.engine](settings)
    return engine if voice.engine == "espeak" else FallbackTTS(engine, EspeakTTS())
