"""Open JTalk's HMM voice `mei` (Japanese), from the pyopenjtalk-plus wheel we already use for kana readings.

Fast (about 0.1 × real time) and clear, though less natural than Kokoro; a second Japanese voice.
Its audio is timed like every other engine's: espeak's events warped onto it (voice/align.py).
The engine keeps one HTS voice per process, so syntheses are serialised. Voice: "mei" © Nagoya
Institute of Technology, CC BY 3.0 (shipped inside pyopenjtalk-plus).
"""

import threading

import numpy as np

from linkreel.errors import InputError
from linkreel.voice.align import timed_speech
from linkreel.voice.neural import check_text, espeak_reference, to_int16
from linkreel.voice.speech import Speech, TTSUnavailable, Voice

_LOCK = threading.Lock()


class OpenJTalkTTS:
    name = "openjtalk"

    def synthesize(self, text: str, voice: Voice, out_wav: str, rate: float = 1.0) -> Speech:
        check_text(text, rate)
        if voice.language != "ja":
            raise InputError("the Open JTalk voice speaks Japanese only")
        try:
            import pyopenjtalk
        except ImportError as e:
            raise TTSUnavailable("pyopenjtalk-plus is not installed") from e
        with _LOCK:
            audio, sample_rate = pyopenjtalk.tts(text, speed=rate)
        pcm = to_int16(np.asarray(audio, np.float32) / 32768.0)
        if pcm.size == 0:
            raise TTSUnavailable("Open JTalk produced no audio for this text")
        return timed_speech(espeak_reference(text, voice, out_wav), pcm, sample_rate, out_wav, self.name)
