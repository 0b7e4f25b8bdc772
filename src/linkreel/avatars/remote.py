"""A hosted or self-hosted talking-head model behind the `Avatar` seam (the local renderer stays the default).

    avatar = RemoteAvatar("https://th.example", api_key="...", background="green")
    stream = avatar.animate(speech, persona, (540, 720), fps=30)      -> SpriteStream like DrawnAvatar's

Wire protocol (a small, generic job API that adapters for specific services can translate):

    POST {base}/v1/talking-heads        multipart: audio (WAV), image (PNG, the presenter),
                                         fields fps, width, height, background ("alpha" | "green")
                                         -> {"id": "...", "status": "queued"}
    GET  {base}/v1/talking-heads/{id}   -> {"status": "queued" | "processing" | "done" | "failed",
                                            "video_url": "..." (when done), "error": "..." (when failed)}
    GET  video_url                      -> the clip (any container ffmpeg reads), with alpha or on green

The clip is decoded to RGBA frames at the sprite size; a green-screen clip is keyed to alpha with
ffmpeg's `chromakey`. Its length is fitted to the speech (padded with its last frame or cut).
The presenter image is the drawn persona, or with `photo` the user's photo cropped around the face.
The API key goes only to the service's own origin: `video_url` may be a presigned storage URL,
which must not get (and would reject) a second credential.
"""

from __future__ import annotations

import io
import math
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

from linkreel.avatars.performance import Direction
from linkreel.avatars.personas import Persona
from linkreel.avatars.photo import PhotoAvatar
from linkreel.avatars.sprite import DrawnAvatar, SpriteStream, frame_count
from linkreel.errors import RenderError
from linkreel.media.ffmpeg import ffmpeg_exe
from linkreel.voice.speech import Speech

BACKGROUNDS = {"alpha": "", "green": "chromakey=0x00FF00:0.25:0.08,"}


class RemoteAvatar:
    def __init__(self, base_url: str, api_key: str = "", background: str = "green", *,
                 client: httpx.Client | None = None, poll_interval_s: float = 2.0, max_polls: int | None = None,
                 timeout_s: float = 600.0, sleep: Callable[[float], None] = time.sleep, ffmpeg: str | None = None,
                 photo: PhotoAvatar | None = None) -> None:
        if background not in BACKGROUNDS:
            raise ValueError(f"background must be one of {sorted(BACKGROUNDS)}")
        self.base_url = base_url.rstrip("/")
        self.background = background
        self.auth = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        # timeout_s bounds the whole clip (polls included); one request never waits longer than a minute
        self.client = client or httpx.Client(timeout=min(60.0, timeout_s))
        self.poll_interval_s, self.sleep = poll_interval_s, sleep
        self.max_polls = max_polls or max(1, math.ceil(timeout_s / max(poll_interval_s, 0.001)))
        self.ffmpeg = ffmpeg or ffmpeg_exe()
        self.photo = photo

    def presenter_image(self, persona: Persona, size: tuple[int, int]) -> bytes:
        """The still the service animates: the photo when given, else the drawn persona, neutral, on a
        transparent background."""
        if self.photo is not None:
            frame = self.photo.still(size)
        else:
            silent = Speech(audio_path="", sample_rate=16000, duration_ms=40, text="")
            frame = next(DrawnAvatar(background=False).animate(silent, persona, size, 25,
                                                               Direction(no_emotion=True)).frames)
        out = io.BytesIO()
        frame.save(out, "PNG")
        return out.getvalue()

    def animate(self, speech: Speech, persona: Persona, size: tuple[int, int], fps: int,
                direction: Direction | None = None) -> SpriteStream:
        job = self._submit(speech, self.presenter_image(persona, size), size, fps)
        url = self._wait(job)
        video = self._get(url).content
        frames = self._decode(video, size, fps)
        n = frame_count(speech.duration_ms, fps)
        return SpriteStream(size=size, fps=fps, n_frames=n, frames=_fit(frames, n))

    def _ours(self, url: str) -> bool:
        base, other = httpx.URL(self.base_url), httpx.URL(url)
        return (base.scheme, base.host, base.port) == (other.scheme, other.host, other.port)

    def _get(self, url: str) -> httpx.Response:
        try:
            response = self.client.get(url, headers=self.auth if self._ours(url) else None)
        except httpx.HTTPError as exc:
            raise RenderError(f"the talking-head service is unreachable: {exc}") from exc
        if response.status_code != 200:
            raise RenderError(f"the talking-head service answered {response.status_code} for {url}")
        return response

    def _submit(self, speech: Speech, image: bytes, size: tuple[int, int], fps: int) -> str:
        files = {"audio": ("voice.wav", Path(speech.audio_path).read_bytes(), "audio/wav"),
                 "image": ("presenter.png", image, "image/png")}
        data = {"fps": str(fps), "width": str(size[0]), "height": str(size[1]), "background": self.background}
        try:
            response = self.client.post(f"{self.base_url}/v1/talking-heads", files=files, data=data,
                                        headers=self.auth)
        except httpx.HTTPError as exc:
            raise RenderError(f"the talking-head service is unreachable: {exc}") from exc
        if response.status_code not in (200, 201, 202):
            raise RenderError(f"the talking-head service refused the job ({response.status_code})")
        job_id = _json(response).get("id")
        if not job_id:
            raise RenderError("the talking-head service returned no job id")
        return str(job_id)

    def _wait(self, job_id: str) -> str:
        for _ in range(self.max_polls):
            body = _json(self._get(f"{self.base_url}/v1/talking-heads/{job_id}"))
            status = body.get("status")
            if status == "done" and body.get("video_url"):
                return str(httpx.URL(self.base_url + "/").join(str(body["video_url"])))  # may be relative
            if status == "failed":
                raise RenderError(f"the talking-head service failed: {body.get('error') or 'no reason given'}")
            self.sleep(self.poll_interval_s)
        raise RenderError(f"the talking-head job {job_id} did not finish in time")

    def _decode(self, video: bytes, size: tuple[int, int], fps: int) -> list[np.ndarray]:
        w, h = size
        with tempfile.NamedTemporaryFile(suffix=".video") as tmp:
            tmp.write(video)
            tmp.flush()
            graph = f"{BACKGROUNDS[self.background]}scale={w}:{h},fps={fps},format=rgba"
            proc = subprocess.run([self.ffmpeg, "-v", "error", "-i", tmp.name, "-vf", graph, "-f", "rawvideo",
                                   "-pix_fmt", "rgba", "-"], capture_output=True)
        if proc.returncode != 0 or not proc.stdout:
            detail = proc.stderr.decode(errors="replace")[-200:]
            raise RenderError(f"the talking-head clip could not be decoded: {detail}")
        raw = np.frombuffer(proc.stdout, np.uint8)
        return list(raw.reshape(-1, h, w, 4))


def _json(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError as exc:
        raise RenderError("the talking-head service answered something that is not JSON") from exc
    if not isinstance(body, dict):
        raise RenderError("the talking-head service answered JSON that is not an object")
    return body


def _fit(frames: list[np.ndarray], n: int) -> Iterator[Image.Image]:
    for i in range(n):
        yield Image.fromarray(frames[min(i, len(frames) - 1)], "RGBA")
