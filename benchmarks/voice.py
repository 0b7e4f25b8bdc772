"""`make bench-voice`: how well each voice engine is understood, per language, by Whisper base.

For every language, the default route's engine and every other installed engine that speaks it say
one native ad line (voice/samples.py: no product names in another language, which Whisper would
mishear whatever the voice); Whisper base transcribes it back (told the language) and the
character error rate is printed, with the real-time factor and, where Whisper gives word times, the
mean distance between our word onsets (espeak events, or espeak warped by DTW) and Whisper's.

    .venv/bin/python benchmarks/voice.py [--languages en,es] [--engines espeak,kokoro] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from linkreel.config import Settings
from linkreel.languages import LANGUAGES
from linkreel.voice import asr
from linkreel.voice.catalog import catalog_for
from linkreel.voice.engines import tts_for
from linkreel.voice.normalize import normalize_for_speech
from linkreel.voice.samples import AD_LINES
from linkreel.voice.speech import Voice

# Targets from the issue: ≤ 10 % for these, ≤ 20 % where Whisper base is reliable; hi and ta reported only.
STRICT = {"en", "es", "de", "it", "pt", "nl", "pl", "id"}
REPORT_ONLY = {"hi", "ta"}


@dataclass
class Row:
    language: str
    engine: str
    voice: str
    default: bool
    cer: float
    dissimilarity: float  # the research table's measure, for comparison with its espeak baseline
    rtf: float
    onset_ms: float | None  # mean |our onset - Whisper's| over matched words
    heard: str


def target(language: str) -> float | None:
    return None if language in REPORT_ONLY else 0.10 if language in STRICT else 0.20


def measure(voice: Voice, default: bool, settings: Settings, tmp: Path) -> Row:
    text = normalize_for_speech(AD_LINES[voice.language], voice.language)
    wav = tmp / f"{voice.language}-{voice.engine}.wav"
    tts_for(voice, settings).synthesize(text.split()[0], voice, str(wav))  # load the model outside the timing
    started = time.perf_counter()
    speech = tts_for(voice, settings).synthesize(text, voice, str(wav))
    rtf = (time.perf_counter() - started) / (speech.duration_ms / 1000)
    heard = asr.transcribe(wav, voice.language, settings.cache_path)
    onset = asr.onset_error([(w.text, w.start_ms) for w in speech.words], heard.words)
    said = normalize_for_speech(heard.text, voice.language)
    error = asr.cer(text, said, voice.language)
    unlike = asr.dissimilarity(text, said, voice.language)
    return Row(voice.language, speech.engine, voice.engine_voice, default, round(error, 3), round(unlike, 3),
               round(rtf, 3),
               None if onset is None else round(onset, 1), heard.text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", default=",".join(LANGUAGES))
    parser.add_argument("--engines", default="", help="comma-separated (default: every installed engine)")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()
    if not asr.available():
        print(f"Whisper is not installed: {asr.INSTALL_HINT}", file=sys.stderr)
        return 2
    settings = Settings(voice_engines=args.engines)
    voices = catalog_for(settings)
    rows: list[Row] = []
    print("| lang | engine | voice | default | CER | target | dissimilarity | RTF | onset vs Whisper (ms) |")
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for language in args.languages.split(","):
            default = voices.default(language)
            engines_seen: set[str] = set()
            for voice in voices.for_language(language):
                if voice.engine in engines_seen:
                    continue  # one voice per engine: the first is the engine's default for the language
                engines_seen.add(voice.engine)
                row = measure(voice, voice.id == default.id, settings, Path(tmp))
                rows.append(row)
                goal = target(language)
                verdict = "report" if goal is None else f"≤ {goal:.2f} {'✓' if row.cer <= goal else '✗'}"
                print(f"| {row.language} | {row.engine} | {row.voice} | {'yes' if row.default else ''} | "
                      f"{row.cer:.2f} | {verdict} | {row.dissimilarity:.2f} | {row.rtf:.2f} | "
                      f"{'' if row.onset_ms is None else f'{row.onset_ms:.0f}'} |", flush=True)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=1))
    defaults = [r for r in rows if r.default and target(r.language) is not None]
    met = sum(r.cer <= (target(r.language) or 1) for r in defaults)
    print(f"\ndefault route: {met}/{len(defaults)} languages within their CER target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
