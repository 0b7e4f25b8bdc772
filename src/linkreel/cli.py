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
    aspect: Annotated[str, typer.Option(help="9x16, 16x9 or 1x1")] = "9x16",
    length: Annotated[int, typer.Option(help="15, 30, 45 or 60 seconds")] = 30,
    language: Annotated[str, typer.Option(help="Language of script, voice and captions (ISO 639-1)")] = "en",
    script_style: Annotated[str, typer.Option(help="Script style, e.g. DiscoveryWriter")] = "DiscoveryWriter",
    visual_style: Annotated[str, typer.Option(help="Visual style, e.g. DynamicProductTemplate")] =
        "DynamicProductTemplate",
    voice: Annotated[str | None, typer.Option(help="Voice id (see `linkreel voices`)")] = None,
    music: Annotated[str, typer.Option(help="auto, none, a track id/name/category, or an http(s) URL")] = "auto",
    no_caption: Annotated[bool, typer.Option("--no-caption", help="No burned-in captions")] = False,
    no_cta: Annotated[bool, typer.Option("--no-cta", help="No call-to-action end card")] = False,
    page_url: Annotated[str | None, typer.Option(help="Original address of a saved page")] = None,
    script: Annotated[str | None, typer.Option(help="Speak this text verbatim instead of writing a script")] =
        None,
    workdir: Annotated[Path | None, typer.Option(help="Cache of stage outputs (default: per source)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object with the result")] = False,
) -> None:
    """Make a video ad from a product page."""
    from linkreel.pipeline import AdRequest, default_workdir, make_ad

    settings = Settings()
    req = AdRequest(source=source, page_url=page_url, aspect=aspect, length=length, language=language,
                    script_style=script_style, visual_style=visual_style, voice=voice, music=music,
                    captions=not no_caption, end_card=not no_cta, script_text=script)
    work = workdir or default_workdir(settings, source)
    with ConsoleProgress(live=err.is_terminal and not as_json) as progress:
        result = make_ad(req, output, work, settings, progress)
    if as_json:
        print(json.dumps(result.summary(), ensure_ascii=False, indent=1))
        return
    err.print(f"[green]✓[/] {result.output}  ({result.duration:.0f} s, {result.aspect}, {result.language}); "
              f"thumbnail {result.thumbnail}", highlight=False)
    used = ", ".join(f"{_short_url(i['url'])} ({i['source']})" for i in result.images) or \
        "none could be used (generated product cards)"
    err.print(f"  images used: {used}", highlight=False)


def _short_url(url: str | None) -> str:
    if not url:
        return "?"
    if url.startswith("data:"):
        return "embedded image"
    return url.rstrip("/").rsplit("/", 1)[-1][:60]


@app.command("voices")
def voices_cmd(language: Annotated[str | None, typer.Option(help="Only this language")] = None) -> None:
    """List the offline voices."""
    from linkreel.voice.catalog import all_voices

    for v in all_voices():
        if language is None or v.language == language:
            print(f"{v.id}  {v.language}  {v.gender:<6}  {v.name} ({v.accent_name})")


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
