"""Timeline → MP4 + thumbnail: one ffmpeg process for the picture, one for the soundtrack beside it.

A picture longer than SEGMENT_S is rendered in parts (windows of frames cut inside a clip, never in a
crossfade), one ffmpeg each, and the parts are joined as they are: memory stays that of a short ad.

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
    cue_s,
)

# ffmpeg's "fast" AAC coder: 4-5x less CPU than the default "twoloop" (0.5 vs 2.2-2.7 CPU s for 30 s of
# stereo); at 160 kb/s the two measure alike (benchmarks/README.md).
AAC_CODER = "fast"
TRUE_PEAK_LIMIT = 0.79  # -2 dBFS sample peak: AAC and the peaks between samples add up to ~0.6 dB; the check is -1 dBTP
ANIM_S = 0.35  # how long a card's slide or pop entrance takes
# A longer picture is rendered in parts, one ffmpeg run each, joined without re-encoding: a filter graph
# keeps every clip's frame buffers until it ends, so one run's memory grows with the ad's length.
SEGMENT_S = 30.0

Window = tuple[int, int]  # frames [first, last) of the picture that one ffmpeg run renders


@dataclass(frozen=True)
class RenderOptions:
    ffmpeg: str
    fonts_cache: Path
    preset: str = "veryfast"
    crf: int = 21
    audio_bitrate: str = "160k"
    segment_s: float = SEGMENT_S  # longest part of the picture one ffmpeg run renders


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


def _ken_burns(src: int, i: int, clip: VisualClip, frames: int, part: Window, width: int, height: int,
               fps: int) -> str:
    """Frames `part` = [lo, hi) of the clip's `frames`: the motion runs over the whole clip whatever part is drawn.

    Both filters index frames by their timestamp: `scale` counts `n` from 1 and `crop` from 0, and crop's
    `iw`/`ih` stay those of the first frame it saw, so the scaled size is written out again in the crop."""
    m = clip.motion
    lo, hi = part
    last = max(1, frames - 1)
    k = f"(round(t*{fps})+{lo})"
    z = f"({m.zoom_from}+({m.zoom_to - m.zoom_from})*{k}/{last})"
    px = f"({m.pan_from[0]}+({m.pan_to[0] - m.pan_from[0]})*{k}/{last})"
    py = f"({m.pan_from[1]}+({m.pan_to[1] - m.pan_from[1]})*{k}/{last})"
    sw, sh = f"2*trunc({width}*{z}/2)", f"2*trunc({height}*{z}/2)"
    # The plate is drawn at the largest zoom, so scale only ever shrinks: sharp, and cheap.
    return (
        f"[{src}:v]format=yuv420p,loop=loop={hi - lo - 1}:size=1:start=0,settb=1/{fps},setpts=N,"
        f"scale=w='{sw}':h='{sh}':eval=frame:flags=fast_bilinear:out_range=tv,"
        f"crop={width}:{height}:x='({sw}-{width})*(0.5+0.5*{px})':y='({sh}-{height})*(0.5+0.5*{py})',"
        f"setsar=1,format=yuv420p[c{i}]"
    )


def _broll(src: int, i: int, part: Window, width: int, height: int, fps: int) -> str:
    """Frames `part` of a b-roll clip filling the frame (scaled to cover, centre-cropped), held on its last
    frame if short."""
    lo, hi = part
    return (
        f"[{src}:v]fps={fps},scale={width}:{height}:force_original_aspect_ratio=increase:flags=bilinear,"
        f"crop={width}:{height},setsar=1,format=yuv420p,tpad=stop_mode=clone:stop=-1,"
        f"trim=start_frame={lo}:end_frame={hi},settb=1/{fps},setpts=N[c{i}]"
    )


def _frame(ms: int, fps: int) -> int:
    return round(ms * fps / 1000)


def clip_frames(timeline: Timeline) -> list[Window]:
    """Each visual's frames [first, last) on the picture's frame grid."""
    return [(_frame(c.start_ms, timeline.fps), _frame(c.end_ms, timeline.fps)) for c in timeline.visuals]


def picture_windows(timeline: Timeline, segment_s: float = SEGMENT_S) -> list[Window]:
    """The picture cut into parts of at most about `segment_s`, each cut inside one clip's body, never
    in a crossfade, so a part's graph never needs a clip of the next part."""
    total = _frame(timeline.duration_ms, timeline.fps)
    parts = max(1, math.ceil(total / (segment_s * timeline.fps)))
    spans = clip_frames(timeline)
    # A cut at frame f is clean when f-1 and f belong to the same clip and to no other.
    clean = [f for a, b in spans for f in range(a + 1, b)
             if not any(x <= f - 1 < y or x <= f < y for x, y in spans if (x, y) != (a, b))]
    cuts = []
    for k in range(1, parts):
        target = round(k * total / parts)
        if clean:
            cuts.append(min(clean, key=lambda f: abs(f - target)))
    bounds = [0, *sorted(set(c for c in cuts if 0 < c < total)), total]
    return list(zip(bounds, bounds[1:], strict=False))


@dataclass(frozen=True)
class Inputs:
    """The ffmpeg inputs of one window's run and where each visual, card and avatar sits among them."""

    args: list[str]
    clips: dict[int, int]  # visual index -> input index
    cards: dict[int, int]  # overlay index -> input index
    masks: dict[int, int]  # avatar index -> input index of its bubble disc
    avatars: dict[int, int]  # avatar index -> input index of its video


def _in_window(start_ms: int, end_ms: int, window: Window, fps: int) -> bool:
    # A frame of slack each side: a card or presenter too many is drawn over nothing; one too few is missing.
    return _frame(start_ms, fps) - 1 < window[1] and _frame(end_ms, fps) + 1 > window[0]


def picture_inputs(timeline: Timeline, plate_paths: list[Path], card_paths: list[Path], window: Window) -> Inputs:
    """Inputs for the frames of `window`: only the clips, cards and avatars seen in it. Plates and cards
    are file names in the assets dir (the run's cwd); b-roll and avatar videos are absolute paths."""
    fps = timeline.fps
    args: list[str] = []
    clips: dict[int, int] = {}
    cards: dict[int, int] = {}
    masks: dict[int, int] = {}
    avatars: dict[int, int] = {}

    def add(index: dict[int, int], key: int, *more: str) -> None:
        index[key] = len(clips) + len(cards) + len(masks) + len(avatars)
        args.extend(more)

    for i, ((first, last), clip, path) in enumerate(zip(clip_frames(timeline), timeline.visuals, plate_paths,
                                                        strict=True)):
        if first >= window[1] or last <= window[0]:
            continue
        if isinstance(clip, VideoClip):
            # Read from the clip's start (a short clip is held on its last frame, so seeking could miss it).
            length = (min(last, window[1]) - first) / fps
            add(clips, i, "-ss", f"{clip.src_start_ms / 1000:.3f}", "-t", f"{length + 1:.3f}", "-i", str(path))
        else:
            add(clips, i, "-framerate", str(fps), "-i", path.name)
    for k, card in enumerate(timeline.overlays):
        if _in_window(card.start_ms, card.end_ms, window, fps):
            add(cards, k, "-i", card_paths[k].name)
    discs = iter(card_paths[len(timeline.overlays):])  # one per bubble avatar, in order
    disc_of = {k: next(discs) for k, av in enumerate(timeline.avatars) if av.circle}
    shown = [k for k, av in enumerate(timeline.avatars) if _in_window(av.start_ms, av.end_ms, window, fps)]
    for k in shown:
        if k in disc_of:
            add(masks, k, "-i", disc_of[k].name)
    for k in shown:
        av = timeline.avatars[k]
        skip = window[0] / fps - av.start_ms / 1000  # a window that starts inside the presenter's time
        add(avatars, k, *(["-ss", f"{skip:.3f}"] if skip > 0 else []), "-i", str(Path(av.src).resolve()))
    return Inputs(args, clips, cards, masks, avatars)


def video_graph(timeline: Timeline, aspect: str, inputs: Inputs, captions_file: str | None,
                fonts: str, size: tuple[int, int] | None = None, window: Window | None = None,
                ) -> tuple[list[str], str]:
    """Filter chains for the frames of `window` (default: the whole picture), over `inputs`.

    Crossfades blend only their overlap: each clip is cut into head / body / tail, the tail of one
    clip and the head of the next go through `xfade`, and everything is concatenated in order.
    (A chain of full-length `xfade`s makes ffmpeg run every clip from the start and queue frames.)
    The picture keeps the ad's own clock (a window's first frame is at its time in the ad), so cards,
    presenter, progress bar and captions are placed by their times whatever the window; the encoder
    gets timestamps from zero.
    """
    width, height = size or SIZES[aspect]
    fps = timeline.fps
    spans = clip_frames(timeline)
    window = window or (0, _frame(timeline.duration_ms, fps))
    shown = sorted(inputs.clips)
    chains = []
    pieces: list[str] = []
    for i in shown:
        clip, (first, last) = timeline.visuals[i], spans[i]
        frames = last - first
        part = (max(first, window[0]) - first, min(last, window[1]) - first)
        # A window is cut inside a clip's body, so a clip's crossfades are either wholly in it or not at all.
        head = spans[i - 1][1] - first if i > 0 and part[0] == 0 else 0
        tail = last - spans[i + 1][0] if i + 1 < len(spans) and part[1] == frames else 0
        length = part[1] - part[0]
        if isinstance(clip, VideoClip):
            chains.append(_broll(inputs.clips[i], i, part, width, height, fps))
        else:
            chains.append(_ken_burns(inputs.clips[i], i, clip, frames, part, width, height, fps))
        outs = [f"[c{i}h]"] * bool(head) + [f"[c{i}b]"] + [f"[c{i}t]"] * bool(tail)
        chains.append(f"[c{i}]split={len(outs)}{''.join(outs)}" if len(outs) > 1 else f"[c{i}]null[c{i}b]")
        if head:
            chains.append(f"[c{i}h]trim=end_frame={head},setpts=PTS-STARTPTS[h{i}]")
        chains.append(f"[c{i}b]trim=start_frame={head}:end_frame={length - tail},setpts=PTS-STARTPTS[b{i}]")
        if tail:
            chains.append(f"[c{i}t]trim=start_frame={length - tail},setpts=PTS-STARTPTS[t{i}]")
        if head:
            chains.append(f"[t{i - 1}][h{i}]xfade=transition={timeline.transition}:duration={head / fps:.4f}:"
                          f"offset=0[x{i}]")
            pieces.append(f"[x{i}]")
        pieces.append(f"[b{i}]")
    # Shifted by whole frames on the 1/fps clock: setpts truncates, and a shift in float seconds
    # (337/30 s) can set the window's clock a tick early, so caption words and presenter cuts that fall
    # on a frame's time switch a frame late.
    shift = f"settb=1/{fps},setpts=PTS+{window[0]}"
    if len(pieces) > 1:
        chains.append(f"{''.join(pieces)}concat=n={len(pieces)}:v=1:a=0,{shift}[base]")
    else:
        chains.append(f"{pieces[0]}{shift}[base]")
    label = "base"
    # The presenter stands on the picture, under cards and captions.
    for k in sorted(inputs.avatars):
        start_ms = timeline.avatars[k].start_ms
        begin = f"{start_ms}/1000" if start_ms * fps >= window[0] * 1000 else f"{window[0]}/{fps}"
        chains += _avatar_chains(k, timeline.avatars[k], label, aspect, width, height, inputs.avatars[k],
                                 inputs.masks.get(k), begin, fps)
        label = f"av{k}"
    for k in sorted(inputs.cards):
        chains += _overlay_chains(k, timeline.overlays[k], inputs.cards[k], label, aspect, width, height, fps)
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
    chains.append(f"[{label}]setpts=PTS-STARTPTS,format=yuv420p[vout]")
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
                   mask_in: int | None, begin: str, fps: int) -> list[str]:
    """The presenter's sprite video, fitted into its box (standing on the box's bottom edge); its input
    starts at `begin` (an exact fraction, in s) of the ad: later than the avatar's start in a window
    that cuts into it. Rounded to the input's clock, because setpts truncates. It is shown from the
    frame nearest its start to the frame before the one nearest its end (`cue_s`).

    A bubble crops the sprite to a square from the top (the face) and multiplies its alpha by a
    circle mask, so the window is round and the sprite's own transparency still holds."""
    bx, by, bw, bh = av.box[aspect].pixels(width, height)  # type: ignore[index]
    start, end = cue_s(av.start_ms, fps), cue_s(av.end_ms, fps)
    chain = f"[{avatar_in}:v]setpts=PTS-STARTPTS+round({begin}/TB),format=rgba"
    enable = f"enable='between(t,{start:.5f},{end:.5f})'"
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


def _window_progress(progress: Callable[[float], None] | None, window: Window,
                     total_frames: int) -> Callable[[float], None] | None:
    """A window's own progress (0..1) as the whole picture's."""
    if progress is None:
        return None
    report = progress
    done, share = window[0] / max(1, total_frames), (window[1] - window[0]) / max(1, total_frames)
    return lambda f: report(done + f * share)


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
            ass = to_ass(timeline.captions, aspect, timeline.accent, timeline.language, timeline.fps)
            (assets / "captions.ass").write_text(ass, "utf-8")
            captions_file = "captions.ass"
            ass_fonts_dir(ass, opts.fonts_cache, assets / "fonts")

        windows = picture_windows(timeline, opts.segment_s)
        total_frames = windows[-1][1]
        parts = []
        for k, window in enumerate(windows):
            inputs = picture_inputs(timeline, plate_paths, card_paths, window)
            chains, vlabel = video_graph(timeline, aspect, inputs, captions_file, "fonts", size, window)
            part = assets / f"picture{k}.part.mp4"
            ffmpeg.run(opts.ffmpeg, [
                *inputs.args, "-filter_complex", ";".join(chains), "-map", f"[{vlabel}]",
                "-c:v", "libx264", "-preset", opts.preset, "-crf", str(opts.crf), "-pix_fmt", "yuv420p",
                "-r", str(timeline.fps), "-frames:v", str(window[1] - window[0]), str(part.resolve()),
            ], cwd=assets, progress=_window_progress(progress, window, total_frames),
                total_ms=round((window[1] - window[0]) * 1000 / timeline.fps))
            parts.append(part)
        sound = soundtrack.result()

    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.stem + ".part.mp4")  # never leave a half-written file as the result
    if len(parts) == 1:
        picture = ["-i", str(parts[0])]
    else:  # the parts are joined as they are: same encoder settings, each starting on a key frame
        listing = assets / "parts.txt"
        listing.write_text("".join(f"file '{p.name}'\n" for p in parts))
        picture = ["-f", "concat", "-safe", "0", "-i", str(listing)]
    ffmpeg.run(opts.ffmpeg, [*picture, "-i", str(sound), "-map", "0:v", "-map", "1:a", "-c", "copy",
                             "-t", f"{timeline.duration_ms / 1000:.3f}", "-movflags", "+faststart", str(tmp)])
    tmp.replace(output)
    for p in parts:
        p.unlink()

    thumb = output.with_suffix(".jpg")
    cards = [o for o in timeline.overlays if isinstance(o, TitleCard)]
    at = cards[0].start_ms + 700 if cards else min(1500, timeline.duration_ms // 2)
    ffmpeg.run(opts.ffmpeg, ["-ss", f"{at / 1000:.3f}", "-i", str(output), "-frames:v", "1", "-q:v", "3",
                             str(thumb)])
    return RenderResult(output=output, thumbnail=thumb, duration_ms=timeline.duration_ms, aspect=aspect,
                        width=width, height=height)
