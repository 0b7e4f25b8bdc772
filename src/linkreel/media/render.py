"""Timeline → MP4 + thumbnail: one ffmpeg process for the picture, one for the soundtrack beside it.

Pillow draws each still once (photo plates, cards); everything that moves — Ken Burns, crossfades,
card fades, word-highlighted captions (libass) — happens inside a single ffmpeg filter graph, so the
picture is encoded exactly once and no frame passes through Python. The soundtrack (voice, ducked music,
loudness) is mixed and encoded once per ad (`mix_audio`) and muxed with each picture as it is.
"""

import math
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PIL import Image, ImageDraw

from linkreel.media import ffmpeg, plates
from linkreel.media.captions import to_ass
from linkreel.media.fonts import ass_fonts_dir
from linkreel.media.stickers import draw_sticker
from linkreel.media.timeline import (
    SIZES,
    AvatarClip,
    EndCardClip,
    ImageClip,
    Overlay,
    TextPlateClip,
    Timeline,
    TitleCard,
    VideoClip,
    VisualClip,
)

# ffmpeg's "fast" AAC coder: 4-5x less CPU than the default "twoloop" (0.5 vs 2.2-2.7 CPU s for 30 s of
# stereo); at 160 kb/s the two measure alike (benchmarks/README.md).
AAC_CODER = "fast"
TRUE_PEAK_LIMIT = 0.79  # -2 dBFS sample peak: AAC and the peaks between samples add up to ~0.6 dB; the check is -1 dBTP
ANIM_S = 0.35  # how long a card's slide or pop entrance takes


@dataclass(frozen=True)
class RenderOptions:
    ffmpeg: str
    fonts_cache: Path
    preset: str = "veryfast"
    crf: int = 21
    audio_bitrate: str = "160k"


@dataclass(frozen=True)
class RenderResult:
    output: Path
    thumbnail: Path
    duration_ms: int
    aspect: str
    width: int
    height: int


def _even(v: float) -> int:
    return int(v) // 2 * 2


def _frames(ms: int, fps: int) -> int:
    return math.ceil(ms * fps / 1000)


def _draw_plate(clip: VisualClip, size: tuple[int, int], timeline: Timeline, aspect: str, out: Path) -> None:
    if isinstance(clip, ImageClip):
        img = plates.image_plate(clip, aspect, size, timeline.accent, timeline.language, clip.frame_name)
    elif isinstance(clip, TextPlateClip):
        img = plates.text_plate(clip.title, clip.subtitle, size, clip.seed, timeline.language, clip.src)
    else:
        assert isinstance(clip, EndCardClip)
        img = plates.end_card(clip.src, clip.cta, clip.title, clip.price_text, clip.brand, size,
                              timeline.accent, timeline.language)
    img.save(out, quality=92)


def _draw_overlay(card: Overlay, size: tuple[int, int], timeline: Timeline) -> Image.Image:
    if isinstance(card, TitleCard):
        return plates.title_card(card.title, card.price_text, size, timeline.accent, timeline.language, card.color)
    return draw_sticker(card, size, timeline.language)


def prepare_assets(timeline: Timeline, aspect: str, assets: Path,
                   size: tuple[int, int] | None = None) -> tuple[list[Path], list[Path]]:
    """Draw every still for this aspect: plates (oversized by the clip's max zoom), cards, avatar masks.

    A b-roll clip has no plate: its entry is the video file itself."""
    width, height = size or SIZES[aspect]
    assets.mkdir(parents=True, exist_ok=True)
    jobs = []
    plate_paths = []
    for i, clip in enumerate(timeline.visuals):
        if isinstance(clip, VideoClip):
            plate_paths.append(Path(clip.src).resolve())
            continue
        zmax = max(clip.motion.zoom_from, clip.motion.zoom_to, 1.0)
        size = (_even(width * zmax), _even(height * zmax))
        path = assets / f"plate{i}.jpg"
        plate_paths.append(path)
        jobs.append((clip, size, path))
    card_paths = []
    for k, card in enumerate(timeline.overlays):
        _, _, w, h = card.box[aspect].pixels(width, height)  # type: ignore[index]
        path = assets / f"card{k}.png"
        card_paths.append(path)
        _draw_overlay(card, (max(2, w), max(2, h)), timeline).save(path)
    for k, av in enumerate(timeline.avatars):
        if av.circle:
            side = _even(av.box[aspect].pixels(width, height)[2])  # type: ignore[index]
            path = assets / f"bubble{k}.png"
            _bubble(side, timeline.accent).save(path)
            card_paths.append(path)
    # Pillow releases the GIL while resampling and encoding, so threads overlap the heavy plates.
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda j: _draw_plate(j[0], j[1], timeline, aspect, j[2]), jobs))
    return plate_paths, card_paths


def _bubble(side: int, accent: tuple[int, int, int]) -> Image.Image:
    """The round window of a bubble avatar: a light disc in an accent ring (its alpha is the mask)."""
    disc = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    ring = max(2, side // 28)
    draw = ImageDraw.Draw(disc)
    draw.ellipse((0, 0, side - 1, side - 1), fill=(*accent, 255))
    draw.ellipse((ring, ring, side - 1 - ring, side - 1 - ring), fill=(238, 240, 244, 255))
    return disc


def _ken_burns(i: int, clip: VisualClip, frames: int, width: int, height: int, fps: int) -> str:
    m = clip.motion
    last = max(1, frames - 1)
    z = f"({m.zoom_from}+({m.zoom_to - m.zoom_from})*n/{last})"
    px = f"({m.pan_from[0]}+({m.pan_to[0] - m.pan_from[0]})*n/{last})"
    py = f"({m.pan_from[1]}+({m.pan_to[1] - m.pan_from[1]})*n/{last})"
    # The plate is drawn at the largest zoom, so scale only ever shrinks: sharp, and cheap.
    return (
        f"[{i}:v]format=yuv420p,loop=loop={frames - 1}:size=1:start=0,settb=1/{fps},setpts=N,"
        f"scale=w='2*trunc({width}*{z}/2)':h='2*trunc({height}*{z}/2)':eval=frame:flags=bilinear:out_range=tv,"
        f"crop={width}:{height}:x='(iw-{width})*(0.5+0.5*{px})':y='(ih-{height})*(0.5+0.5*{py})',"
        f"setsar=1,format=yuv420p[c{i}]"
    )


def _broll(i: int, frames: int, width: int, height: int, fps: int) -> str:
    """A b-roll clip filling the frame (scaled to cover, centre-cropped), held on its last frame if short."""
    return (
        f"[{i}:v]fps={fps},scale={width}:{height}:force_original_aspect_ratio=increase:flags=bilinear,"
        f"crop={width}:{height},setsar=1,format=yuv420p,tpad=stop_mode=clone:stop=-1,"
        f"trim=end_frame={frames},settb=1/{fps},setpts=N[c{i}]"
    )


def _frame(ms: int, fps: int) -> int:
    return round(ms * fps / 1000)


def video_graph(timeline: Timeline, aspect: str, n_plates: int, captions_file: str | None,
                fonts: str, size: tuple[int, int] | None = None) -> tuple[list[str], str]:
    """Filter chains for the picture; inputs 0..n-1 are plates (or b-roll files), then one per card or
    sticker, one disc per bubble avatar, one video per avatar.

    Crossfades blend only their overlap: each clip is cut into head / body / tail, the tail of one
    clip and the head of the next go through `xfade`, and everything is concatenated in order.
    (A chain of full-length `xfade`s makes ffmpeg run every clip from the start and queue frames.)
    """
    width, height = size or SIZES[aspect]
    fps = timeline.fps
    clips = timeline.visuals
    first = [_frame(c.start_ms, fps) for c in clips]
    last = [_frame(c.end_ms, fps) for c in clips]
    overlap = [last[i] - first[i + 1] for i in range(len(clips) - 1)]  # frames shared by clip i and i+1
    chains = []
    pieces: list[str] = []
    for i, clip in enumerate(clips):
        frames = last[i] - first[i]
        head = overlap[i - 1] if i > 0 else 0
        tail = overlap[i] if i < len(clips) - 1 else 0
        if isinstance(clip, VideoClip):
            chains.append(_broll(i, frames, width, height, fps))
        else:
            chains.append(_ken_burns(i, clip, frames, width, height, fps))
        outs = [f"[c{i}h]"] * bool(head) + [f"[c{i}b]"] + [f"[c{i}t]"] * bool(tail)
        chains.append(f"[c{i}]split={len(outs)}{''.join(outs)}" if len(outs) > 1 else f"[c{i}]null[c{i}b]")
        if head:
            chains.append(f"[c{i}h]trim=end_frame={head},setpts=PTS-STARTPTS[h{i}]")
        chains.append(f"[c{i}b]trim=start_frame={head}:end_frame={frames - tail},setpts=PTS-STARTPTS[b{i}]")
        if tail:
            chains.append(f"[c{i}t]trim=start_frame={frames - tail},setpts=PTS-STARTPTS[t{i}]")
        if head:
            chains.append(f"[t{i - 1}][h{i}]xfade=transition={timeline.transition}:duration={head / fps:.4f}:"
                          f"offset=0[x{i}]")
            pieces.append(f"[x{i}]")
        pieces.append(f"[b{i}]")
    if len(pieces) > 1:
        chains.append(f"{''.join(pieces)}concat=n={len(pieces)}:v=1:a=0[base]")
        label = "base"
    else:
        label = "b0"
    # The presenter stands on the picture, under cards and captions.
    # Inputs after the cards: one disc per bubble avatar, then the avatar videos.
    first_mask = n_plates + len(timeline.overlays)
    first_video = first_mask + sum(a.circle for a in timeline.avatars)
    for k, av in enumerate(timeline.avatars):
        chains += _avatar_chains(k, av, label, aspect, width, height, avatar_in=first_video + k,
                                 mask_in=first_mask + sum(a.circle for a in timeline.avatars[:k]))
        label = f"av{k}"
    for k, card in enumerate(timeline.overlays):
        chains += _overlay_chains(k, card, n_plates + k, label, aspect, width, height, fps)
        label = f"ov{k}"
    if timeline.progress:
        bar = timeline.progress
        bh = max(2, _even(bar.height * height))
        total = timeline.duration_ms / 1000
        chains.append(f"color=c=0x{bytes(bar.color).hex()}:s={width}x{bh}:r={fps}:d={total:.3f}[pbar]")
        chains.append(f"[{label}][pbar]overlay=x='-w+w*t/{total:.3f}':y={round(bar.y[aspect] * height)}"  # type: ignore[index]
                      f":eof_action=pass[prog]")
        label = "prog"
    if captions_file:
        chains.append(f"[{label}]ass=filename={captions_file}:fontsdir={fonts}[subs]")
        label = "subs"
    chains.append(f"[{label}]format=yuv420p[vout]")
    return chains, "vout"


def _overlay_chains(k: int, card: Overlay, input_index: int, label: str, aspect: str, width: int, height: int,
                    fps: int) -> list[str]:
    """A card or sticker over the picture for its time window, with its entry animation.

    fade: alpha in and out; slide: glides in from the left edge of its box; pop: grows from half size
    with a small overshoot (scaled per frame, cheap at sticker size)."""
    x, y, w, h = card.box[aspect].pixels(width, height)  # type: ignore[index]
    start, end, fade = card.start_ms / 1000, card.end_ms / 1000, card.fade_ms / 1000
    src = (f"[{input_index}:v]format=rgba,loop=loop={_frames(card.end_ms - card.start_ms, fps) - 1}:size=1:start=0,"
           f"settb=1/{fps},setpts=N+{_frames(card.start_ms, fps)},"
           f"fade=t=in:st={start}:d={fade}:alpha=1,fade=t=out:st={end - fade}:d={fade}:alpha=1")
    px, py = str(x), str(y)
    if card.animation == "slide":
        dx = max(w // 3, width // 8)
        px = f"'{x}-{dx}*pow(max(0,1-(t-{start})/{ANIM_S}),3)'"
    elif card.animation == "pop":
        grow = f"(0.5+0.5*min(1,(t-{start})/{ANIM_S})+0.15*sin(PI*min(1,(t-{start})/{ANIM_S})))"
        src += f",scale=w='2*trunc({w}*{grow}/2)':h='2*trunc({h}*{grow}/2)':eval=frame"
        px, py = f"'{x + w // 2}-overlay_w/2'", f"'{y + h // 2}-overlay_h/2'"
    return [f"{src}[o{k}]", f"[{label}][o{k}]overlay=x={px}:y={py}:eof_action=pass[ov{k}]"]


def _avatar_chains(k: int, av: AvatarClip, label: str, aspect: str, width: int, height: int, avatar_in: int,
                   mask_in: int) -> list[str]:
    """The presenter's sprite video, fitted into its box (standing on the box's bottom edge).

    A bubble crops the sprite to a square from the top (the face) and multiplies its alpha by a
    circle mask, so the window is round and the sprite's own transparency still holds."""
    bx, by, bw, bh = av.box[aspect].pixels(width, height)  # type: ignore[index]
    start, end = av.start_ms / 1000, av.end_ms / 1000
    chain = f"[{avatar_in}:v]setpts=PTS-STARTPTS+{start}/TB,format=rgba"
    enable = f"enable='between(t,{start},{end})'"
    out: list[str] = []
    if av.circle:
        side = _even(bw)
        inner = _even(side * 0.92)  # inside the ring
        out.append(f"[{mask_in}:v]format=rgba,split[bg{k}][bm{k}]")
        out.append(f"[bm{k}]alphaextract,scale={inner}:{inner}[mk{k}]")
        out.append(f"{chain},crop='min(iw,ih)':'min(iw,ih)':(iw-ow)/2:0,scale={inner}:{inner},split[avc{k}][ava{k}]")
        out.append(f"[ava{k}]alphaextract[al{k}]")
        out.append(f"[al{k}][mk{k}]blend=all_mode=multiply:repeatlast=1[am{k}]")
        out.append(f"[avc{k}][am{k}]alphamerge[avs{k}]")
        out.append(f"[{label}][bg{k}]overlay=x={bx}:y={by}:{enable}[avb{k}]")
        label = f"avb{k}"
        px, py = str(bx + (side - inner) // 2), str(by + (side - inner) // 2)
    else:
        out.append(f"{chain},scale={_even(bw)}:{_even(bh)}:force_original_aspect_ratio=decrease[avs{k}]")
        px, py = f"'{bx}+({bw}-overlay_w)/2'", f"'{by}+{bh}-overlay_h'"
    out.append(f"[{label}][avs{k}]overlay=x={px}:y={py}:eof_action=pass:{enable}[av{k}]")
    return out


def audio_graph(timeline: Timeline, voice_in: int | None, music_in: int | None, gain_db: float | None,
                measure: bool = False) -> str:
    """Voice + music ducked under it, at `gain_db` and peak-limited; `gain_db` None leaves the level as mixed.
    `measure` ends the graph in a loudness meter instead of the output."""
    total = timeline.duration_ms / 1000
    fmt = "aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo"
    chains = []
    if voice_in is not None and timeline.voice:
        lead = timeline.voice.start_ms
        chains.append(f"[{voice_in}:a]{fmt},adelay={lead}:all=1,apad=whole_dur={total},atrim=0:{total}[speech]")
    if music_in is not None and timeline.music:
        chains.append(f"[{music_in}:a]{fmt},volume={timeline.music.volume},apad=whole_dur={total},"
                      f"atrim=0:{total}[music]")
    if len(chains) == 2:
        assert timeline.music and timeline.voice
        if timeline.music.duck:
            # The key is the speech before the voice's volume: a quieter voice ducks the music as deeply.
            chains.append("[speech]asplit=2[vlevel][vkey]")
            chains.append(f"[vlevel]volume={timeline.voice.volume}[vmix]")
            chains.append("[music][vkey]sidechaincompress=threshold=0.02:ratio=8:attack=20:release=350[bed]")
        else:
            chains.append(f"[speech]volume={timeline.voice.volume}[vmix]")
            chains.append("[music]anull[bed]")
        chains.append("[vmix][bed]amix=inputs=2:duration=first:normalize=0[mix]")
    elif chains and timeline.voice and voice_in is not None:
        chains.append(f"[speech]volume={timeline.voice.volume}[mix]")
    elif chains:
        chains.append("[music]anull[mix]")
    else:
        chains.append(f"anullsrc=r=48000:cl=stereo,atrim=0:{total}[mix]")
    tail = [] if gain_db is None else [f"volume={gain_db:.2f}dB", f"alimiter=limit={TRUE_PEAK_LIMIT}:level=0:latency=1"]
    if measure:
        tail.append("ebur128=framelog=quiet")
    chains.append(f"[mix]{','.join(tail) or 'anull'}[aout]")
    return ";".join(chains)


def _audio_inputs(timeline: Timeline) -> tuple[list[str], int | None, int | None]:
    args: list[str] = []
    voice_in = music_in = None
    idx = 0
    if timeline.voice:
        args += ["-i", timeline.voice.src]
        voice_in, idx = idx, idx + 1
    if timeline.music:
        args += ["-i", timeline.music.src]
        music_in = idx
    return args, voice_in, music_in


def loudness_gain(timeline: Timeline, opts: RenderOptions) -> float:
    """dB to add to the mix so it lands on the timeline's target loudness (measured, not guessed)."""
    args, voice_in, music_in = _audio_inputs(timeline)
    if voice_in is None and music_in is None:
        return 0.0

    def loudness(gain_db: float | None) -> float:
        err = ffmpeg.run(opts.ffmpeg, ["-nostats", *args, "-filter_complex",
                                       audio_graph(timeline, voice_in, music_in, gain_db, measure=True),
                                       "-map", "[aout]", "-f", "null", "-"])
        found = re.findall(r"I:\s+(-?\d+(?:\.\d+)?) LUFS", err)
        return float(found[-1]) if found else -70.0

    measured = loudness(None)
    gain = 0.0 if measured <= -69.0 else timeline.loudness_lufs - measured  # silence: nothing to normalise
    if gain:
        # The peak limiter takes some loudness off a peaky mix (up to ~1 LU); measured once more and made up.
        limited = loudness(gain)
        if limited > -69.0:
            gain += timeline.loudness_lufs - limited
    return gain


def mix_key(timeline: Timeline, opts: RenderOptions) -> dict[str, object]:
    """What the soundtrack depends on: the same for every aspect of an ad and for edits that only change pictures."""
    return {"voice": timeline.voice, "music": timeline.music, "duration_ms": timeline.duration_ms,
            "lufs": timeline.loudness_lufs, "bitrate": opts.audio_bitrate, "coder": AAC_CODER}


def mix_audio(timeline: Timeline, out: Path, opts: RenderOptions) -> Path:
    """The ad's soundtrack — voice, music ducked under it, brought to the timeline's loudness and
    peak-limited — encoded to AAC once: every aspect, the preview and re-renders mux this file as it is."""
    gain = loudness_gain(timeline, opts)
    args, voice_in, music_in = _audio_inputs(timeline)
    tmp = out.with_name(out.stem + ".part.m4a")
    out.parent.mkdir(parents=True, exist_ok=True)
    ffmpeg.run(opts.ffmpeg, ["-nostats", *args, "-filter_complex", audio_graph(timeline, voice_in, music_in, gain),
                             "-map", "[aout]", "-c:a", "aac", "-aac_coder", AAC_CODER, "-b:a", opts.audio_bitrate,
                             "-ar", "48000", "-t", f"{timeline.duration_ms / 1000:.3f}", str(tmp)])
    tmp.replace(out)
    return out


def render(timeline: Timeline, aspect: str, output: Path, work_dir: Path, opts: RenderOptions,
           progress: Callable[[float], None] | None = None, size: tuple[int, int] | None = None,
           audio: Callable[[], Path] | None = None) -> RenderResult:
    """`size` (even numbers, the aspect's shape) renders smaller than full size, e.g. for previews;
    layouts are fractions of the frame and libass scales the captions from their 1080p PlayRes.
    `audio()` gives the timeline's soundtrack (`mix_audio`; made here when not given). It runs beside the
    picture, which is encoded alone and then muxed with it."""
    width, height = size or SIZES[aspect]
    assets = work_dir / f"render-{aspect}"
    with ThreadPoolExecutor(max_workers=1) as pool:
        soundtrack = pool.submit(audio or partial(mix_audio, timeline, assets / "mix.m4a", opts))
        plate_paths, card_paths = prepare_assets(timeline, aspect, assets, size)
        captions_file = None
        if timeline.captions and timeline.captions.lines:
            ass = to_ass(timeline.captions, aspect, timeline.accent, timeline.language)
            (assets / "captions.ass").write_text(ass, "utf-8")
            captions_file = "captions.ass"
            ass_fonts_dir(ass, opts.fonts_cache, assets / "fonts")

        fps = timeline.fps
        inputs: list[str] = []
        for clip, p in zip(timeline.visuals, plate_paths, strict=True):
            if isinstance(clip, VideoClip):
                length = (clip.end_ms - clip.start_ms) / 1000
                inputs += ["-ss", f"{clip.src_start_ms / 1000:.3f}", "-t", f"{length + 1:.3f}", "-i", str(p)]
            else:
                inputs += ["-framerate", str(fps), "-i", p.name]
        for p in card_paths:
            inputs += ["-i", p.name]
        for av in timeline.avatars:
            inputs += ["-i", str(Path(av.src).resolve())]
        chains, vlabel = video_graph(timeline, aspect, len(plate_paths), captions_file, "fonts", size)
        picture = assets / "picture.part.mp4"
        total_s = f"{timeline.duration_ms / 1000:.3f}"
        ffmpeg.run(opts.ffmpeg, [
            *inputs, "-filter_complex", ";".join(chains), "-map", f"[{vlabel}]",
            "-c:v", "libx264", "-preset", opts.preset, "-crf", str(opts.crf), "-pix_fmt", "yuv420p",
            "-r", str(fps), "-t", total_s, str(picture.resolve()),
        ], cwd=assets, progress=progress, total_ms=timeline.duration_ms)
        sound = soundtrack.result()

    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.stem + ".part.mp4")  # never leave a half-written file as the result
    ffmpeg.run(opts.ffmpeg, ["-i", str(picture), "-i", str(sound), "-map", "0:v", "-map", "1:a", "-c", "copy",
                             "-t", total_s, "-movflags", "+faststart", str(tmp)])
    tmp.replace(output)
    picture.unlink()

    thumb = output.with_suffix(".jpg")
    cards = [o for o in timeline.overlays if isinstance(o, TitleCard)]
    at = cards[0].start_ms + 700 if cards else min(1500, timeline.duration_ms // 2)
    ffmpeg.run(opts.ffmpeg, ["-ss", f"{at / 1000:.3f}", "-i", str(output), "-frames:v", "1", "-q:v", "3",
                             str(thumb)])
    return RenderResult(output=output, thumbnail=thumb, duration_ms=timeline.duration_ms, aspect=aspect,
                        width=width, height=height)
