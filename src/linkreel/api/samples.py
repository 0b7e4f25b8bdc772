"""Audio served under /media without API keys: voice previews and the music catalog, made on demand.

    voice_preview_url(settings, voice_id) -> ".../media/voices/<id>/preview.mp3"
    music_url(settings, track)            -> ".../media/music/<id>.mp3"
    track_for_url(settings, url)          -> the catalog Track a `background_music_url` names, or None
                                             (so a worker uses the track directly instead of
                                             fetching its own server through the SSRF guard)
    ensure_voice_preview(settings, voice) / ensure_music(settings, track) -> Path of the MP3

Files are rendered once into `settings.media_path` (write to a temp file, then rename, so
concurrent requests never serve half a file) and served from there afterwards.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from linkreel.config import Settings
from linkreel.files import make_once
from linkreel.media import music
from linkreel.media.ffmpeg import ffmpeg_exe
from linkreel.media.ffmpeg import run as run_ffmpeg
from linkreel.voice.engines import tts_for
from linkreel.voice.speech import Voice

MUSIC_SECONDS = 60.0  # length of the catalog renditions (`duration` in /api/musics/)

# "Hi, I'm {name}. This is how I sound in your next video ad." in each of the 29 languages.
SAMPLE_TEXT: dict[str, str] = {
    "ar": "مرحبا، أنا {name}. هكذا يبدو صوتي في إعلانك القادم.",
    "bg": "Здравейте, аз съм {name}. Така звучи гласът ми в следващата ви реклама.",
    "cs": "Ahoj, jsem {name}. Takhle zním ve vaší příští reklamě.",
    "da": "Hej, jeg hedder {name}. Sådan lyder jeg i din næste videoreklame.",
    "de": "Hallo, ich bin {name}. So klinge ich in deiner nächsten Videoanzeige.",
    "el": "Γεια σας, είμαι η φωνή {name}. Έτσι ακούγομαι στην επόμενη διαφήμισή σας.",
    "en": "Hi, I'm {name}. This is how I sound in your next video ad.",
    "es": "Hola, soy {name}. Así sueno en tu próximo anuncio en vídeo.",
    "fi": "Hei, olen {name}. Tältä kuulostan seuraavassa videomainoksessasi.",
    "fr": "Bonjour, je suis {name}. Voici ma voix dans votre prochaine publicité vidéo.",
    "hi": "नमस्ते, मैं {name} हूँ। आपके अगले वीडियो विज्ञापन में मेरी आवाज़ ऐसी होगी।",
    "hr": "Bok, ja sam {name}. Ovako zvučim u vašem sljedećem video oglasu.",
    "id": "Halo, saya {name}. Beginilah suara saya di iklan video Anda berikutnya.",
    "it": "Ciao, sono {name}. Ecco come suono nel tuo prossimo annuncio video.",
    "ja": "こんにちは、{name}です。次の動画広告ではこんな声でお届けします。",
    "ko": "안녕하세요, {name}입니다. 다음 동영상 광고에서 이런 목소리로 들려드릴게요.",
    "ms": "Hai, saya {name}. Beginilah bunyi suara saya dalam iklan video anda yang seterusnya.",
    "nl": "Hallo, ik ben {name}. Zo klink ik in je volgende videoadvertentie.",
    "pl": "Cześć, jestem {name}. Tak brzmię w twojej następnej reklamie wideo.",
    "pt": "Olá, eu sou {name}. É assim que eu soo no seu próximo anúncio em vídeo.",
    "ro": "Bună, sunt {name}. Așa sun în următoarea ta reclamă video.",
    "ru": "Привет, я {name}. Вот так я звучу в вашей следующей видеорекламе.",
    "sk": "Ahoj, som {name}. Takto znejem vo vašej ďalšej video reklame.",
    "sv": "Hej, jag heter {name}. Så här låter jag i din nästa videoannons.",
    "ta": "வணக்கம், நான் {name}. உங்கள் அடுத்த வீடியோ விளம்பரத்தில் என் குரல் இப்படி இருக்கும்.",
    "tl": "Kumusta, ako si {name}. Ganito ang boses ko sa susunod mong video ad.",
    "tr": "Merhaba, ben {name}. Bir sonraki video reklamınızda sesim böyle olacak.",
    "uk": "Привіт, я {name}. Ось так я звучу у вашій наступній відеорекламі.",
    "zh": "你好，我是{name}。这就是我在你下一个视频广告里的声音。",
}


def _base(settings: Settings) -> str:
    return settings.public_url.rstrip("/")


def voice_preview_url(settings: Settings, voice_id: str) -> str:
    return f"{_base(settings)}/media/voices/{voice_id}/preview.mp3"


def music_url(settings: Settings, track: music.Track) -> str:
    return f"{_base(settings)}/media/music/{track.id}.mp3"


def music_entry(settings: Settings, track: music.Track) -> dict[str, str | float]:
    """One catalog track as `/api/musics/` lists it (and `linkreel musics --json`)."""
    return {"id": track.id, "name": track.name, "category": track.category, "duration": MUSIC_SECONDS,
            "url": music_url(settings, track)}


_MUSIC_PATH = re.compile(r"/media/music/([0-9a-f-]{36})\.mp3$")


def track_for_url(settings: Settings, url: str) -> music.Track | None:
    """The catalog track behind one of our own `music_url`s, else None."""
    if not url.startswith(_base(settings) + "/"):
        return None
    match = _MUSIC_PATH.search(url.split("?")[0])
    return next((t for t in music.TRACKS if match and t.id == match.group(1)), None)


def _to_mp3(settings: Settings, wav: Path, mp3: Path, bitrate: str) -> None:
    run_ffmpeg(ffmpeg_exe(settings.ffmpeg), ["-i", str(wav), "-codec:a", "libmp3lame", "-b:a", bitrate,
                                             "-f", "mp3", str(mp3)])


def ensure_voice_preview(settings: Settings, voice: Voice) -> Path:
    target = settings.media_path / "voices" / voice.id / "preview.mp3"

    def render(out: Path) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "preview.wav"
            text = SAMPLE_TEXT.get(voice.language, SAMPLE_TEXT["en"]).format(name=voice.name)
            tts_for(voice, settings).synthesize(text, voice, str(wav))
            _to_mp3(settings, wav, out, "64k")

    return make_once(target, render)


def ensure_music(settings: Settings, track: music.Track) -> Path:
    target = settings.media_path / "music" / f"{track.id}.mp3"

    def render(out: Path) -> None:
        _to_mp3(settings, music.ensure_track(track, MUSIC_SECONDS, settings.cache_path), out, "160k")

    return make_once(target, render)
