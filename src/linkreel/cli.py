"""`linkreel` command line: scrape a page, make an ad."""

import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from linkreel.config import Settings
from linkreel.errors import LinkreelError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Turn a product page into a finished short video ad, offline.")
err = Console(stderr=True, soft_wrap=True)  # one error, one line: never wrapped

STAGES = ("scrape", "script", "voice", "music", "captions", "timeline", "render")


class ConsoleProgress:
    """Per-stage progress: a live display on a terminal, plain lines otherwise (logs, CI)."""

    def __init__(self, live: bool) -> None:
        self.live = live
        self.started: dict[str, float] = {}
        self.bar: Progress | None = None
        self.tasks: dict[str, TaskID] = {}
        if live:
            self.bar = Progress(TextColumn("{task.description:<10}"), BarColumn(), TextColumn("{task.fields[note]}"),
                                TimeElapsedColumn(), console=err, transient=False)

    def __enter__(self) -> "ConsoleProgress":
        if self.bar:
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar:
            self.bar.stop()

    def stage(self, name: str, status: str) -> None:
        if status == "start":
            self.started[name] = time.perf_counter()
        took = time.perf_counter() - self.started.get(name, time.perf_counter())
        note = {"start": "…", "done": f"{took:.1f} s", "cached": "cached"}[status]
        if self.bar:
            if name not in self.tasks:
                self.tasks[name] = self.bar.add_task(name, total=1.0, note=note)
            self.bar.update(self.tasks[name], completed=0.0 if status == "start" else 1.0, note=note)
        elif status != "start":
            err.print(f"{name}: {note}", highlight=False)

    def fraction(self, name: str, value: float) -> None:
        if self.bar and name in self.tasks:
            self.bar.update(self.tasks[name], completed=value, note=f"{value:.0%}")


@app.command("scrape")
def scrape_cmd(
    source: Annotated[str, typer.Argument(help="Product page URL, or a saved page (.html / .html.gz)")],
    page_url: Annotated[str | None, typer.Option(help="Original address of a saved page")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the brief as JSON")] = False,
) -> None:
    """Read a product page and print what the ad will be made from."""
    from linkreel.scrape import scrape
    from linkreel.scrape.fetch import Fetcher

    with Fetcher(Settings()) as fetcher:
        brief, _ = scrape(source, page_url=page_url, fetcher=fetcher)
    if as_json:
        print(brief.model_dump_json(indent=2))
        return
    out = Console()
    out.print(f"[bold]{brief.title}[/]")
    for label, value in [("price", f"{brief.price or ''} {brief.currency or ''}".strip()), ("brand", brief.brand),
                         ("sku", brief.sku), ("availability", brief.availability),
                         ("rating", brief.rating), ("images", len(brief.images)), ("reviews", len(brief.reviews))]:
        if value:
            out.print(f"  {label:<13}{value}", highlight=False)
    if brief.description:
        out.print(f"  {brief.description[:300]}", highlight=False)


@app.command("make")
def make_cmd(
    source: Annotated[str, typer.Argument(help="Product page URL, or a saved page (.html / .html.gz)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the MP4")] = Path("ad.mp4"),
    aspect: Annotated[list[str] | None, typer.Option(
        help="9x16, 16x9 or 1x1 (default 9x16); repeat it for one file per aspect from the same voice track, "
             "named OUT-<aspect>.mp4")] = None,
    length: Annotated[int, typer.Option(help="15, 30, 45 or 60 seconds")] = 30,
    language: Annotated[str, typer.Option(help="Language of script, voice and captions (ISO 639-1)")] = "en",
    script_style: Annotated[str, typer.Option(help="Script style, e.g. DiscoveryWriter")] = "DiscoveryWriter",
    visual_style: Annotated[str, typer.Option(help="Visual style, e.g. DynamicProductTemplate")] =
        "DynamicProductTemplate",
    voice: Annotated[str | None, typer.Option(help="Voice id (see `linkreel voices`)")] = None,
    music: Annotated[str, typer.Option(help="auto, none, a track id/name/category, or an http(s) URL")] = "auto",
    music_volume: Annotated[float | None, typer.Option(help="Music level 0..1 before the -14 LUFS normalisation "
                                                       "(as the API's background_music_volume; default: the "
                                                       "visual style's)")] = None,
    voice_volume: Annotated[float | None, typer.Option(help="Voice level 0..1 before the normalisation (as the "
                                                       "API's voiceover_volume; default 1)")] = None,
    no_caption: Annotated[bool, typer.Option("--no-caption", help="No burned-in captions")] = False,
    caption_style: Annotated[str | None, typer.Option(help="One of the 18 caption styles, e.g. neo, brick, toons "
                                                      "(default: the visual style's captions)")] = None,
    caption_setting: Annotated[str | None, typer.Option(
        help='JSON as the API\'s caption_setting, e.g. \'{"style": "caution", "offset": {"x": 0, "y": 0.3}}\'; '
             'colours, font, size, width, line height and shadow apply with "override_visual_style": true')] = None,
    no_cta: Annotated[bool, typer.Option("--no-cta", help="No call-to-action end card")] = False,
    no_emotion: Annotated[bool, typer.Option("--no-emotion", help="No emotive stickers or animations")] = False,
    no_stock_broll: Annotated[bool, typer.Option("--no-stock-broll", help="No stock footage")] = False,
    avatar: Annotated[str | None, typer.Option(help="Presenter for avatar styles: a persona id (`linkreel personas`), "
                                               "or none (default: matched to the product)")] = None,
    avatar_image: Annotated[str | None, typer.Option(help="Presenter for avatar styles: a photo of one face "
                                                     "(file or http(s) URL), animated")] = None,
    page_url: Annotated[str | None, typer.Option(help="Original address of a saved page")] = None,
    script: Annotated[str | None, typer.Option(help="Speak this text verbatim instead of writing a script")] =
        None,
    workdir: Annotated[Path | None, typer.Option(help="Cache of stage outputs (default: per source)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object with the result (a list of them "
                                          "for several aspects)")] = False,
) -> None:
    """Make a video ad from a product page."""
    from linkreel.media.caption_setting import parse_setting
    from linkreel.pipeline import AdRequest, default_workdir, make_ads

    settings = Settings()
    aspects = [a.strip() for value in (aspect or ["9x16"]) for a in value.split(",") if a.strip()]
    req = AdRequest(source=source, page_url=page_url, aspect=aspects[0] if aspects else "9x16", length=length,
                    language=language, script_style=script_style, visual_style=visual_style, voice=voice, music=music,
                    music_volume=music_volume, voice_volume=voice_volume,
                    captions=not no_caption, end_card=not no_cta, script_text=script, no_emotion=no_emotion,
                    stock_broll=not no_stock_broll, caption_style=caption_style,
                    caption_setting=parse_setting(caption_setting), avatar=avatar, avatar_image=avatar_image)
    work = workdir or default_workdir(settings, source)
    with ConsoleProgress(live=err.is_terminal and not as_json) as progress:
        results = make_ads(req, aspects, output, work, settings, progress)
    if as_json:
        summaries = [r.summary() for r in results]
        # One aspect keeps the single object callers already parse; several print a list, one per file.
        print(json.dumps(summaries[0] if len(summaries) == 1 else summaries, ensure_ascii=False, indent=1))
        return
    for result in results:
        err.print(f"[green]✓[/] {result.output}  ({result.duration:.0f} s, {result.aspect}, {result.language}); "
                  f"thumbnail {result.thumbnail}", highlight=False)
    used = ", ".join(f"{_short_url(i['url'])} ({i['source']})" for i in results[0].images) or \
        "none could be used (generated product cards)"
    err.print(f"  images used: {used}", highlight=False)


def _short_url(url: str | None) -> str:
    if not url:
        return "?"
    if url.startswith("data:"):
        return "embedded image"
    return url.rstrip("/").rsplit("/", 1)[-1][:60]


@app.command("styles")
def styles_cmd(as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False) -> None:
    """List the visual, caption and script styles (visual styles with their allowed aspects)."""
    from linkreel.media.caption_styles import CAPTION_STYLES
    from linkreel.media.templates import STYLES as VISUAL
    from linkreel.script.styles import STYLES as SCRIPT

    listing = {
        "visual": [{"name": v.name, "label": v.label, "aspects": list(v.ratios), "layout": v.family.name}
                   for v in VISUAL.values()],
        "caption": [{"name": name} for name in CAPTION_STYLES],
        "script": [{"name": s.name, "label": s.label} for s in SCRIPT.values()],
    }
    if as_json:
        print(json.dumps(listing, ensure_ascii=False, indent=1))
        return
    for v in listing["visual"]:
        print(f"{v['name']:<40} {v['label']:<34} {','.join(v['aspects']):<14} {v['layout']}")


@app.command()
def personas(as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """The avatar presenters (persona ids for --avatar and the API's override_avatar)."""
    from linkreel.avatars.personas import personas as library

    rows = [{"id": p.id, "name": p.creator_name, "gender": p.gender, "age_range": p.age_range, "style": p.style,
             "location": p.location} for p in library()]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for r in rows:
        print(f"{r['id']}  {r['name']:<12} {r['gender']:<3} {r['age_range']:<7} {r['style']:<10} {r['location']}")


@app.command("voices")
def voices_cmd(
    language: Annotated[str | None, typer.Option(help="Only this language")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list")] = False,
) -> None:
    """List the voices of the enabled engines, each language's default first (LINKREEL_VOICE_ENGINES)."""
    from linkreel.languages import get_language
    from linkreel.voice.catalog import catalog_for

    voices = catalog_for(Settings())
    if language is not None:
        get_language(language)
    defaults = {voices.default(v.language, v.gender).id for v in voices.all()}
    rows = [{"id": v.id, "language": v.language, "gender": v.gender, "name": v.name, "accent_name": v.accent_name,
             "engine": v.engine, "engine_voice": v.engine_voice, "default": v.id in defaults}
            for v in voices.all() if language is None or v.language == language]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for r in rows:
        mark = "*" if r["default"] else " "
        print(f"{r['id']} {mark} {r['language']}  {r['gender']:<6}  {r['engine']:<7} {r['name']} ({r['accent_name']})")


@app.command("musics")
def musics_cmd(
    category: Annotated[str | None, typer.Option(help="Only this category, e.g. Upbeat")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list, the entries of /api/musics/")] = False,
) -> None:
    """List the bundled music catalog (track names, ids or categories go to `make --music`)."""
    from linkreel.api.samples import music_entry
    from linkreel.media import music

    settings = Settings()
    rows = [music_entry(settings, t) for t in music.tracks(category)]  # an unknown category is an error here
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for r in rows:
        print(f"{r['id']}  {r['category']:<12} {r['name']}")


@app.command("script")
def script_cmd(
    source: Annotated[str, typer.Argument(help="Product page URL, or a saved page (.html / .html.gz)")],
    page_url: Annotated[str | None, typer.Option(help="Original address of a saved page")] = None,
    script_style: Annotated[str, typer.Option(help="Script style, e.g. DiscoveryWriter")] = "DiscoveryWriter",
    language: Annotated[str, typer.Option(help="Language of the script (ISO 639-1)")] = "en",
    length: Annotated[int, typer.Option(help="Video length in seconds (15, 30, 45 or 60)")] = 30,
    platform: Annotated[str | None, typer.Option(help="Target platform, e.g. TikTok, Instagram")] = None,
    audience: Annotated[str | None, typer.Option(help="Target audience, e.g. 'Young Adults'")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the script as JSON")] = False,
) -> None:
    """Write the ad script for a product page, without voice or video."""
    from linkreel.scrape import scrape
    from linkreel.scrape.fetch import Fetcher
    from linkreel.script.llm import script_writer
    from linkreel.script.writer import estimate_seconds, speech_budget_s

    settings = Settings()
    with Fetcher(settings) as fetcher:
        brief, _ = scrape(source, page_url=page_url, fetcher=fetcher)
    script = script_writer(settings).write(brief, script_style, language, length, platform=platform, audience=audience)
    seconds = [round(estimate_seconds(s.spoken, language), 2) for s in script.scenes]
    if as_json:
        data = script.model_dump(mode="json")
        for scene, s in zip(data["scenes"], seconds, strict=True):
            scene["estimated_s"] = s
        data |= {"estimated_s": round(estimate_seconds(script.text, language), 2),
                 "budget_s": speech_budget_s(length)}
        print(json.dumps(data, ensure_ascii=False, indent=1))
        return
    out = Console(soft_wrap=True)
    out.print(f"[bold]{script.style}[/] {language} {length} s ({script.tone}, {script.writer} writer): "
              f"~{estimate_seconds(script.text, language):.1f} s of speech for {speech_budget_s(length):.1f} s",
              highlight=False)
    for scene, s in zip(script.scenes, seconds, strict=True):
        screen = f"  [dim]\\[{scene.on_screen}][/]" if scene.on_screen else ""
        out.print(f"  {scene.role.value:<8}{s:5.1f} s  {scene.spoken}{screen}", highlight=False)


@app.command("say")
def say_cmd(
    text: Annotated[str, typer.Argument(help="What to say")],
    language: Annotated[str, typer.Option(help="Language of the text (ISO 639-1)")] = "en",
    voice: Annotated[str | None, typer.Option(help="Voice id or alias like en-m (see `linkreel voices`)")] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the WAV")] = Path("say.wav"),
    rate: Annotated[float, typer.Option(help="Speaking rate, 1.0 = the voice's normal speed")] = 1.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print word timings as JSON")] = False,
) -> None:
    """Speak a text with an offline voice; print the word timings."""
    from linkreel.errors import InputError
    from linkreel.languages import get_language
    from linkreel.voice.catalog import catalog_for
    from linkreel.voice.engines import tts_for
    from linkreel.voice.normalize import normalize_for_speech

    settings = Settings()
    get_language(language)
    voices = catalog_for(settings)
    chosen = voices.get(voice) if voice else voices.default(language)
    if chosen.language != language:
        raise InputError(f"voice {voice} speaks {chosen.language}, not {language}")
    if not text.strip():
        raise InputError("nothing to say: the text is empty")
    if not 0.5 <= rate <= 2.0:
        raise InputError("rate must be between 0.5 and 2.0")
    output.parent.mkdir(parents=True, exist_ok=True)
    speech = tts_for(chosen, settings).synthesize(normalize_for_speech(text, language), chosen, str(output), rate)
    result = {"output": str(output), "words": [[w.text, w.start_ms, w.end_ms] for w in speech.words],
              "engine": speech.engine, "voice": chosen.id, "duration": round(speech.duration_ms / 1000, 3)}
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    err.print(f"[green]✓[/] {output}  ({result['duration']:.2f} s, {chosen.name}, {speech.engine}, "
              f"{len(speech.words)} words)", highlight=False)


def _add_server_commands() -> None:
    """`keys`, `credits`, `serve` and `worker` live in their own modules; their imports are lazy."""
    from linkreel import cli_server
    from linkreel.cli_admin import credits_app, keys_app

    app.add_typer(keys_app, name="keys")
    app.add_typer(credits_app, name="credits")
    app.command("serve")(cli_server.serve)
    app.command("worker")(cli_server.worker)


_add_server_commands()


def main() -> None:
    try:
        app()
    except LinkreelError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # a bug, not bad input: one line, details only on request
        if os.environ.get("LINKREEL_DEBUG"):
            raise
        err.print(f"[bold red]internal error:[/] {type(exc).__name__}: {exc} (set LINKREEL_DEBUG=1 for details)",
                  highlight=False)
        sys.exit(2)
