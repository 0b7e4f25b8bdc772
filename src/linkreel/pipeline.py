"""Link → ad: scrape → script → voice → captions → timeline → render, each stage cached.

`make_ad` is what the CLI and (later) the job worker call. Each stage is a small function over
typed values; `StageCache` stores their outputs under the work dir keyed by their inputs.
"""

import logging
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import BaseModel

from linkreel.avatars.personas import Persona
from linkreel.avatars.stage import avatar_backends, avatar_photo, choose_persona, photo_key, render_avatar
from linkreel.config import Settings
from linkreel.errors import InputError
from linkreel.languages import get_language
from linkreel.media import music as music_lib
from linkreel.media import plates
from linkreel.media.broll import (
    StockProvider,
    clip_still,
    collect_broll,
    download_page_videos,
    scene_queries,
    stock_provider,
)
from linkreel.media.caption_setting import CaptionSetting, resolve_look
from linkreel.media.caption_styles import CaptionLook
from linkreel.media.captions import caption_track
from linkreel.media.ffmpeg import ffmpeg_exe
from linkreel.media.ffmpeg import run as run_ffmpeg
from linkreel.media.quality import QualityReport, quality_report, speech_check
from linkreel.media.render import RenderOptions, mix_audio, mix_key, render
from linkreel.media.storyboard import LEAD_IN_MS, AdFacts, Extras, build_timeline
from linkreel.media.styles import DEFAULT_STYLE, VisualStyle, get_style
from linkreel.media.timeline import ASPECTS, LENGTHS, CaptionTrack, Timeline
from linkreel.scrape import scrape
from linkreel.scrape.brief import Brief
from linkreel.scrape.fetch import Fetcher
from linkreel.scrape.images import download_images
from linkreel.script.llm import LLMConfig, script_writer
from linkreel.script.model import Scene, SceneRole, Script
from linkreel.script.styles import get_bank
from linkreel.script.styles import get_style as get_script_style
from linkreel.script.writer import format_price, product_name, split_script
from linkreel.stages import StageCache, StageMirror, StageSource, input_key
from linkreel.voice.catalog import Catalog, catalog_for
from linkreel.voice.engines import tts_for
from linkreel.voice.narration import Narration, narrate

log = logging.getLogger("linkreel.pipeline")

END_TAIL_MS = 900  # the voice ends at least this long before the video does
PREVIEW_PRESET = "superfast"  # x264 preset of low-resolution previews
PREVIEW_FPS = 15  # a preview is a quick look: half the frames to draw and encode (captions stay timed to the ms)


@dataclass
class AdRequest:
    source: str  # http(s) URL or a saved page (.html / .html.gz)
    page_url: str | None = None
    aspect: str = "9x16"
    length: int = 30
    language: str = "en"
    script_style: str = "DiscoveryWriter"
    visual_style: str = DEFAULT_STYLE
    voice: str | None = None
    music: str = "auto"  # "auto", "none", a track id/name/category, or an http(s) URL
    music_volume: float | None = None
    voice_volume: float | None = None  # 0..1; None: full level (the mix is loudness-normalised anyway)
    captions: bool = True
    end_card: bool = True  # the call-to-action end card (`no_cta` turns it off)
    script_text: str | None = None  # spoken verbatim instead of a written script
    # The web editor's scenes (order, spoken line, on-screen text), taken as they are; beats script_text,
    # which the editor also sets to their lines so the API shows what is spoken.
    scenes: list[Scene] | None = None
    target_platform: str | None = None  # free text ("TikTok"): the CTA says where the link is
    target_audience: str | None = None  # free text ("Young Adults"): tone and a line for them
    no_emotion: bool = False  # no emotive stickers or pop animations (and a neutral avatar)
    avatar: str | None = None  # persona id for an avatar style; None: matched to the product; "none": no presenter
    avatar_image: str | None = None  # a photo (http(s) URL, or a file from the CLI) animated as the presenter
    stock_broll: bool = True  # stock footage allowed when a provider is configured (`no_stock_broll` turns it off)
    caption_style: str | None = None  # one of the 18 caption styles; None: the visual style's captions
    caption_setting: CaptionSetting | None = None  # contract §4.5; beats caption_style

    def caption_look(self) -> CaptionLook | None:
        """The captions' look, or None when there are none (no_caption, or caption_setting.hidden).
        No caption_style: the visual style's own preset (contract §6.2: null → the style's captions)."""
        if not self.captions:
            return None
        return resolve_look(self.caption_setting, self.caption_style or get_style(self.visual_style).caption_style)

    def validate(self) -> None:
        aspect = self.aspect.replace(":", "x")
        if aspect not in ASPECTS:
            raise InputError(f"unknown aspect {self.aspect!r}; choose one of: {', '.join(ASPECTS)}")
        self.aspect = aspect
        if self.length not in LENGTHS:
            raise InputError(f"unsupported length {self.length}; choose one of: {', '.join(map(str, LENGTHS))}")
        get_language(self.language)
        get_style(self.visual_style, self.aspect)
        self.caption_look()  # an unknown caption style or a bad CSS colour fails here, before any work
        if not (self.script_text and self.script_text.strip()):
            get_script_style(self.script_style)
            get_bank(self.language)  # the template writer speaks this language
        choice = self.music.strip().lower()
        if choice not in ("auto", "none") and not choice.startswith(("http://", "https://")):
            music_lib.get_track(self.music)
        if self.avatar_image:
            if self.avatar:
                raise InputError("use either an avatar persona or an avatar image, not both")
            photo_key(self.avatar_image)  # a missing file fails here, before any work
        for name, volume in (("music", self.music_volume), ("voice", self.voice_volume)):
            if volume is not None and not 0.0 <= volume <= 1.0:
                raise InputError(f"{name} volume must be between 0.0 and 1.0")


@dataclass
class AdResult:
    output: Path
    thumbnail: Path
    duration: float
    aspect: str
    language: str
    stages: dict[str, float]
    brief: Brief
    script: Script
    timeline: Timeline
    images: list[dict[str, str | None]] = field(default_factory=list)
    quality_report: QualityReport | None = None

    def summary(self) -> dict:
        return {
            "output": str(self.output),
            "thumbnail": str(self.thumbnail),
            "duration": self.duration,
            "aspect": self.aspect,
            "language": self.language,
            "stages": self.stages,
            "images": self.images,
            "brief": self.brief.model_dump(mode="json"),
            "script": self.script.model_dump(mode="json"),
            "quality_report": self.quality_report.model_dump(mode="json") if self.quality_report else None,
        }


class MusicFile(BaseModel):
    path: str | None
    name: str | None = None


class Progress:
    """Receives stage events and render progress; the CLI shows them."""

    def stage(self, name: str, status: str) -> None: ...

    def fraction(self, name: str, value: float) -> None: ...


# --- stages ----------------------------------------------------------------------------------

def scrape_stage(req: AdRequest, fetcher: Fetcher, out: Path) -> Brief:
    brief, page_path = scrape(req.source, page_url=req.page_url, fetcher=fetcher, language=req.language)
    return download_images(brief, fetcher, out / "images", page_path=page_path)


def brief_stage(brief: Brief, fetcher: Fetcher, out: Path) -> Brief:
    """A given brief (a stored Link): its images are used where they are, else downloaded here."""
    if brief.images and all(img.path and Path(img.path).is_file() for img in brief.images):
        return brief
    return download_images(brief, fetcher, out / "images")


def script_stage(req: AdRequest, brief: Brief, settings: Settings) -> Script:
    if req.scenes:
        return Script(language=req.language, style="override", length_s=req.length, scenes=req.scenes,
                      writer="override")
    if req.script_text and req.script_text.strip():
        return split_script(req.script_text, req.language, req.length)
    return script_writer(settings).write(brief, req.script_style, req.language, req.length,
                                         platform=req.target_platform, audience=req.target_audience)


def voice_stage(script: Script, voice_id: str, budget_ms: int, out: Path, settings: Settings) -> Narration:
    voice = catalog_for(settings).get(voice_id)
    tts = tts_for(voice, settings)
    narration = narrate(script, voice, tts, out, budget_ms, settings.ffmpeg)
    # Still too long at the fastest natural rate: drop middle scenes (never the hook or the CTA).
    while narration.speech.duration_ms > budget_ms and len(script.scenes) > 3:
        middle = [i for i, s in enumerate(script.scenes) if s.role not in (SceneRole.HOOK, SceneRole.CTA)]
        if not middle:
            break
        script = script.model_copy(update={"scenes": [s for i, s in enumerate(script.scenes) if i != middle[-1]]})
        narration = narrate(script, voice, tts, out, budget_ms, settings.ffmpeg)
    return narration


def spoken(script: Script) -> dict[str, object]:
    """What the voice stage reads of a script: a scene's picture (image, clip) or on-screen text does not
    change the narration, so picking another one in the editor re-voices nothing."""
    return {"language": script.language, "scenes": [(scene.role.value, scene.spoken) for scene in script.scenes]}


def music_stage(req: AdRequest, brief: Brief, seconds: float, settings: Settings, fetcher: Fetcher,
                out: Path) -> MusicFile:
    choice = req.music.strip()
    if choice.lower() == "none":
        return MusicFile(path=None)
    if choice.startswith(("http://", "https://")):
        raw = out / "download"
        raw.write_bytes(fetcher.get(choice, accept="audio/*,*/*;q=0.5").content)
        wav = out / "music.wav"
        fade = max(0.0, seconds - 1.5)
        # Loop or cut the user's track to the ad's length, fading out at the end.
        run_ffmpeg(ffmpeg_exe(settings.ffmpeg), ["-stream_loop", "-1", "-i", str(raw), "-t", f"{seconds:.3f}",
                                                 "-af", f"afade=t=out:st={fade:.3f}:d=1.5", "-ac", "2",
                                                 "-ar", "44100", str(wav)])
        return MusicFile(path=str(wav), name=choice)
    track = (music_lib.pick_track(brief.title, None) if choice.lower() == "auto"
             else music_lib.get_track(choice))
    path = music_lib.ensure_track(track, seconds, settings.cache_path)
    return MusicFile(path=str(path), name=track.name)


class BrollFiles(BaseModel):
    paths: list[str]  # the page's own videos (what `Scene.clip`, the web editor's pick, indexes)
    scenes: dict[int, str] = {}  # scene index → the stock clip found for it
    # A still of each page video, for the editor's clip picker. Results cached before stills existed have
    # none: their videos are still used, only not offered for picking (so no STAGE_VERSION bump for them).
    stills: list[str] = []


def broll_stage(req: AdRequest, brief: Brief, script: Script, provider: StockProvider | None, fetcher: Fetcher,
                out: Path, ffmpeg: str) -> BrollFiles:
    """The page's own videos first (they show the product), then a stock clip per scene if a provider is set."""
    page = download_page_videos([v.url for v in brief.videos if not v.embed], fetcher, out)
    queries = scene_queries(brief.title, brief.features, script.scenes, count=2)
    found = collect_broll(page, provider, queries, req.aspect, fetcher, out)
    stills = [str(clip_still(Path(p), out / f"still-{i}.jpg", ffmpeg)) for i, p in enumerate(found.page)]
    return BrollFiles(paths=found.page, scenes=found.scenes, stills=stills)


class AvatarFile(BaseModel):
    path: str
    persona: str


def presenter_persona(requested: str | None, brief: Brief) -> Persona:
    """The library persona an avatar style shows: `requested`, or the one matched to the product."""
    return choose_persona(requested, f"{brief.title} {brief.description}", seed=brief.title)


def presenter_voice(req: AdRequest, brief: Brief, voices: Catalog) -> str | None:
    """The voice of the drawn presenter an avatar style will show: the language's best voice of the
    persona's gender (a woman on screen does not speak with the default male voice). None: no presenter,
    or a photo (whose gender we do not guess)."""
    style = get_style(req.visual_style, req.aspect)
    if style.family.avatar is None or req.avatar == "none" or req.avatar_image:
        return None
    return voices.default(req.language, presenter_persona(req.avatar, brief).voice_gender).id


def avatar_stage(req: AdRequest, script: Script, narration: Narration, brief: Brief, style: VisualStyle,
                 settings: Settings, out: Path) -> AvatarFile:
    """The presenter for the style's avatar slot: `req.avatar_image` animated, `req.avatar` or the persona
    matched to the product (with a photo, the persona only seeds the idle motion)."""
    persona = presenter_persona(req.avatar, brief)
    background = not style.family.avatar_cutout
    avatar, fallback = avatar_backends(settings, avatar_photo(req.avatar_image, settings), background)
    scenes = [(scene.role.value, span.start_ms, span.end_ms)
              for scene, span in zip(script.scenes, narration.scenes, strict=False) if span.first_word >= 0]
    path = render_avatar(narration.speech, scenes, persona, req.length * 1000, LEAD_IN_MS, out / "avatar.mov",
                         ffmpeg_exe(settings.ffmpeg), settings.fps, no_emotion=req.no_emotion,
                         background=background, avatar=avatar, fallback=fallback)
    return AvatarFile(path=str(path), persona="" if req.avatar_image else persona.id)


def music_ahead(req: AdRequest, brief: Brief, settings: Settings) -> None:
    """Synthesise a catalog music bed into the cache early; any fault is left to the music stage to report."""
    try:
        choice = req.music.strip()
        if choice.lower() != "none" and not choice.startswith(("http://", "https://")):
            track = music_lib.pick_track(brief.title, None) if choice.lower() == "auto" else music_lib.get_track(choice)
            music_lib.ensure_track(track, req.length, settings.cache_path)
    except Exception:  # an optimisation only: the music stage meets the same fault and reports it
        log.debug("music ahead failed", exc_info=True)


def ad_facts(brief: Brief, script: Script, broll: BrollFiles | None = None) -> AdFacts:
    cta = next((s.on_screen for s in reversed(script.scenes) if s.role == SceneRole.CTA and s.on_screen), "")
    images = tuple(img.path for img in brief.images if img.path)
    return AdFacts(
        title=product_name(brief.title, brief.brand),
        price_text=format_price(brief.price, brief.currency, get_bank(script.language).locale),
        brand=brief.brand,
        cta=cta or brief.site_name or "",
        images=images,
        videos=tuple(broll.paths) if broll else (),
        scene_videos=tuple(sorted(broll.scenes.items())) if broll else (),
    )


# --- the pipeline ----------------------------------------------------------------------------

@dataclass
class AdPlan:
    """Everything before the pixels: the storyboard (timeline) and what it was made from.

    A timeline holds layout boxes for every aspect, so one plan renders in any ratio its style allows.
    """

    req: AdRequest
    brief: Brief
    script: Script
    narration: Narration
    music: MusicFile
    timeline: Timeline
    cache: StageCache
    broll: BrollFiles = field(default_factory=lambda: BrollFiles(paths=[]))  # the page videos `Scene.clip` picks


class Soundtrack(BaseModel):
    path: str


class Rendered(BaseModel):
    output: str
    thumbnail: str
    quality_report: QualityReport | None = None  # full-size renders only (not previews)


def plan_ad(req: AdRequest, workdir: Path, settings: Settings, progress: Progress | None = None,
            brief: Brief | None = None, mirror: StageMirror | None = None,
            seeds: tuple[StageSource, ...] = ()) -> AdPlan:
    """Scrape (or take `brief`), write, speak, pick music, caption and lay out: every stage cached
    (and copied to `mirror`, for a job another worker may resume).

    With `brief` (a stored Link) nothing is scraped: its images are downloaded into the work dir.
    `seeds`: where finished stages of another job are taken from instead of running them again (StageCache).
    """
    req.validate()
    progress = progress or Progress()
    duration_ms = req.length * 1000
    voices = catalog_for(settings)
    voice_id = req.voice or voices.default(req.language).id
    voice = voices.get(voice_id)  # fail early on an unknown voice
    if voice.language != req.language:
        raise InputError(f"voice {voice_id} speaks {voice.language}, not {req.language}")
    cache = StageCache(workdir, on_event=progress.stage, mirror=mirror, seeds=seeds)

    with Fetcher(settings) as fetcher:
        if brief is not None:
            given = brief
            brief = cache.run("scrape", {"brief": given}, Brief, lambda d: brief_stage(given, fetcher, d))
        else:
            source = req.source
            source_key: object = source
            if not source.startswith(("http://", "https://")):
                p = Path(source)
                if not p.is_file():
                    raise InputError(f"no such file: {source}")
                source_key = {"file": str(p.resolve()), "size": p.stat().st_size, "mtime": p.stat().st_mtime_ns}
            brief = cache.run("scrape", {"source": source_key, "page_url": req.page_url}, Brief,
                              lambda d: scrape_stage(req, fetcher, d))
        scraped = brief
        ahead = ThreadPoolExecutor(max_workers=1)
        # Work that needs only the scrape runs beside script and voice (a neural voice takes seconds):
        # the photos are read, analysed and cut out for the plates, and the music bed is synthesised.
        music_ready = ahead.submit(music_ahead, req, scraped, settings)
        ahead.submit(plates.warm, [img.path for img in scraped.images if img.path])
        if req.voice is None:
            voice_id = presenter_voice(req, scraped, voices) or voice_id
        script = cache.run("script", {"brief": scraped, "style": req.script_style, "lang": req.language,
                                      "length": req.length, "text": req.script_text,
                                      **({"scenes": req.scenes} if req.scenes else {}),
                                      "platform": req.target_platform, "audience": req.target_audience,
                                      "llm": settings.llm_model if LLMConfig.from_settings(settings) else ""},
                           Script, lambda d: script_stage(req, scraped, settings))
        budget = duration_ms - LEAD_IN_MS - END_TAIL_MS
        narration = cache.run("voice", {"script": spoken(script), "voice": voice_id, "budget": budget}, Narration,
                              lambda d: voice_stage(script, voice_id, budget, d, settings))
        music_ready.result()  # not synthesised twice at once
        music = cache.run("music", {"music": req.music, "title": scraped.title, "seconds": req.length},
                          MusicFile, lambda d: music_stage(req, scraped, req.length, settings, fetcher, d))
        provider = stock_provider(settings) if req.stock_broll else None
        broll = BrollFiles(paths=[])
        if provider is not None or any(not v.embed for v in scraped.videos):
            broll = cache.run("broll", {"title": scraped.title, "aspect": req.aspect, "videos": scraped.videos,
                                        "api": settings.stock_api_url if provider else "",
                                        **({"scenes": script.scenes} if provider else {})},
                              BrollFiles, lambda d: broll_stage(req, scraped, script, provider, fetcher, d,
                                                                ffmpeg_exe(settings.ffmpeg)))

    ahead.shutdown(wait=True)  # the render draws from what it prepared
    style = get_style(req.visual_style, req.aspect)
    avatar = None
    if style.family.avatar is not None and req.avatar != "none":
        avatar = cache.run("avatar", {"speech": narration.speech, "scenes": narration.scenes, "avatar": req.avatar,
                                      "title": scraped.title, "length": req.length, "fps": settings.fps,
                                      "no_emotion": req.no_emotion, "circle": style.family.avatar_circle,
                                      # cut-out layouts draw the presenter without its background
                                      **({"cutout": True} if style.family.avatar_cutout else {}),
                                      **({"image": photo_key(req.avatar_image)} if req.avatar_image else {}),
                                      **({"backend": settings.avatar_url} if settings.avatar_url else {})},
                           AvatarFile, lambda d: avatar_stage(req, script, narration, scraped, style, settings, d))
    captions = None
    look = req.caption_look()
    if look is not None:
        captions = cache.run("captions", {"speech": narration.speech, "lang": req.language,
                                          "style": req.visual_style, "look": look}, CaptionTrack,
                             lambda d: caption_track(narration.speech, req.language, LEAD_IN_MS,
                                                     style.caption_box, look))
    timeline = cache.run(
        "timeline",
        {"script": script, "narration": narration, "brief": scraped, "style": req.visual_style,
         "music": music, "music_volume": req.music_volume, "captions": captions, "length": req.length,
         "voice_volume": req.voice_volume, "end_card": req.end_card, "no_emotion": req.no_emotion,
         "broll": broll.paths, **({"stock": broll.scenes} if broll.scenes else {}),
         "avatar": avatar.path if avatar else None},
        Timeline,
        lambda d: build_timeline(script, narration, ad_facts(scraped, script, broll), style, duration_ms,
                                 music.path, music_volume=req.music_volume, captions=captions, fps=settings.fps,
                                 voice_volume=req.voice_volume,
                                 extras=Extras(end_card=req.end_card, no_emotion=req.no_emotion,
                                               avatar=avatar.path if avatar else None)),
    )
    return AdPlan(req=req, brief=scraped, script=script, narration=narration, music=music, timeline=timeline,
                  cache=cache, broll=broll)


def render_plan(plan: AdPlan, aspect: str, settings: Settings, progress: Progress | None = None,
                size: tuple[int, int] | None = None) -> Rendered:
    """Render a plan in one aspect (cached). `size` renders smaller than the aspect's full size (previews)."""
    progress = progress or Progress()
    get_style(plan.req.visual_style, aspect)  # the style must allow this ratio
    # A preview is a quick look at a few hundred pixels: x264's faster search costs little there (see
    # benchmarks/README.md), and the preview's wall time is what the user waits on.
    opts = RenderOptions(ffmpeg=ffmpeg_exe(settings.ffmpeg), fonts_cache=settings.cache_path,
                         preset=settings.x264_preset if size is None else PREVIEW_PRESET, crf=settings.x264_crf)
    timeline = plan.timeline if size is None else plan.timeline.model_copy(update={"fps": PREVIEW_FPS})

    def soundtrack() -> Path:  # mixed and encoded once for every aspect, the preview and picture-only edits
        return Path(plan.cache.run("mix", mix_key(timeline, opts), Soundtrack,
                                   lambda d: Soundtrack(path=str(mix_audio(timeline, d / "mix.m4a", opts)))).path)

    def do_render(d: Path) -> Rendered:
        full_size = size is None  # previews are for a quick look; the report is for what gets published
        with ThreadPoolExecutor(max_workers=1) as pool:
            # Whisper listens to the voice track while ffmpeg renders (both mostly wait on native code).
            speech = pool.submit(speech_check, Path(plan.narration.speech.audio_path), plan.narration.speech.text,
                                 plan.script.language, settings.cache_path) if full_size and settings.qa_asr else None
            result = render(timeline, aspect, d / "ad.mp4", d, opts,
                            progress=lambda f: progress.fraction("render", f), size=size, audio=soundtrack)
            report = None
            if full_size:
                try:
                    report = quality_report(result.output, timeline, aspect, opts.ffmpeg, float(plan.req.length),
                                            speech=speech.result() if speech else None)
                except Exception:  # the report advises; a fault in measuring must not lose a finished video
                    log.exception("quality report failed for %s", result.output)
        return Rendered(output=str(result.output), thumbnail=str(result.thumbnail), quality_report=report)

    key: dict[str, object] = {"timeline": timeline, "aspect": aspect, "preset": opts.preset, "crf": opts.crf}
    if size is not None:  # only previews add the key, so full-size cache entries stay as they were
        key["size"] = list(size)
    return plan.cache.run("render", key, Rendered, do_render)


def make_ad(req: AdRequest, output: Path, workdir: Path, settings: Settings,
            progress: Progress | None = None) -> AdResult:
    plan = plan_ad(req, workdir, settings, progress)
    rendered = render_plan(plan, req.aspect, settings, progress)
    return _deliver(plan, rendered, output)


def check_aspects(req: AdRequest, aspects: list[str]) -> list[str]:
    """The asked aspects, normalised ("9:16" → "9x16") and without repeats; every one is checked against
    the request (unknown ratio, a visual style that does not allow it) before any stage runs."""
    if not aspects:
        raise InputError("no aspect ratio asked; choose one or more of: " + ", ".join(ASPECTS))
    checked: list[str] = []
    for aspect in aspects:
        one = replace(req, aspect=aspect)
        one.validate()
        if one.aspect not in checked:
            checked.append(one.aspect)
    return checked


def aspect_output(output: Path, aspect: str) -> Path:
    """`ad.mp4` → `ad-9x16.mp4`: the file name of one aspect when several are made at once."""
    return output.with_name(f"{output.stem}-{aspect}{output.suffix or '.mp4'}")


def make_ads(req: AdRequest, aspects: list[str], output: Path, workdir: Path, settings: Settings,
             progress: Progress | None = None) -> list[AdResult]:
    """One ad per aspect from one script and one voice track.

    Each aspect is planned like the job runner plans an `aspect_ratios[]` entry: the stages that do not
    depend on the ratio (scrape, script, voice, music, captions, avatar) hit the same cache entries, so they
    run once and every file carries the same audio; only b-roll (stock clips are searched per orientation)
    and the render are per aspect. One aspect keeps `output` as given; several get the aspect as suffix.
    """
    checked = check_aspects(req, aspects)
    results = []
    for aspect in checked:
        one = replace(req, aspect=aspect)
        plan = plan_ad(one, workdir, settings, progress)
        rendered = render_plan(plan, aspect, settings, progress)
        results.append(_deliver(plan, rendered, output if len(checked) == 1 else aspect_output(output, aspect)))
    return results


def _deliver(plan: AdPlan, rendered: Rendered, output: Path) -> AdResult:
    """Copy a cached render (and its thumbnail, beside it as .jpg) to where the user asked for it."""
    req = plan.req
    output.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(rendered.output, output)
    thumb = output.with_suffix(".jpg")
    shutil.copyfile(rendered.thumbnail, thumb)
    return AdResult(
        output=output,
        thumbnail=thumb,
        duration=float(req.length),
        aspect=req.aspect,
        language=req.language,
        stages=plan.cache.seconds(),
        brief=plan.brief,
        script=plan.script,
        timeline=plan.timeline,
        images=[{"url": i.url, "source": i.source, "path": i.path} for i in plan.brief.images if i.path],
        quality_report=rendered.quality_report,
    )


def default_workdir(settings: Settings, source: str) -> Path:
    return settings.work_path / input_key(source)
