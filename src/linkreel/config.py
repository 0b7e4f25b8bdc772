"""All configuration in one place: `LINKREEL_*` environment variables."""

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "linkreel"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LINKREEL_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    cache_dir: Path | None = None  # defaults to data_dir / "cache"
    work_dir: Path | None = None  # per-job work files (stage cache); defaults to data_dir / "work"
    ffmpeg: str | None = None  # path to an ffmpeg binary; default: the imageio-ffmpeg wheel's

    # Server. Empty URLs mean the embedded defaults: a SQLite file and a SqliteHuey queue in data_dir.
    database_url: str = ""
    queue_url: str = ""
    public_url: str = "http://127.0.0.1:8000"  # how clients reach this server (absolute media URLs)
    # Media storage (see linkreel/storage.py): empty = <data_dir>/media; file:///dir; s3://bucket?endpoint=URL
    storage_url: str = ""
    storage_presign: bool = False  # S3 only: /media/... redirects to a presigned URL instead of proxying
    s3_access_key: str = ""
    s3_secret_key: str = ""
    storage_patience_s: float = 300.0  # how long a worker waits out a storage outage before failing a job
    # Finished pipeline stages of a job copied to storage, so another worker resumes a job whose worker
    # died (stages.StorageMirror): "auto" = when storage is S3 (workers on several machines), "on", "off".
    # Checked when the settings load, before any job (any case, spaces ignored).
    stage_mirror: Annotated[Literal["auto", "on", "off"], BeforeValidator(lambda v: str(v).strip().lower())] = "auto"
    # Limits (api/limits.py); 0 turns a limit off.
    max_body_bytes: int = 1024 * 1024
    photo_max_bytes: int = 10 * 1024 * 1024  # a custom persona's uploaded photo (POST /api/personas/)
    rate_limit_per_minute: int = 600
    max_active_jobs: int = 50
    sweep_s: float = 60.0  # how often serve/worker look for jobs whose worker died
    log_format: str = "text"  # "text" or "json" (one object per line, with the job id)
    log_level: str = "INFO"

    # Fetcher limits (SSRF guard). allow_private is for tests and local demos only.
    allow_private_urls: bool = False
    fetch_timeout_s: float = 15.0
    fetch_max_bytes: int = 10 * 1024 * 1024
    fetch_max_redirects: int = 5
    user_agent: str = (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0 Safari/537.36 linkreel/0.1"
    )

    # Render
    fps: int = 30
    # Chosen by `make bench-presets`: the least encode CPU at medium/CRF 21's quality (SSIM, VMAF), file ≤ 1.5x.
    x264_preset: str = "superfast"
    x264_crf: int = 25
    target_lufs: float = -14.0
    # Quality report (media/quality.py): transcribing the voice back is heavy, so it is opt-in.
    qa_asr: bool = False
    # Stock b-roll (media/broll.py): a Pexels-style video search API; no key = no stock footage.
    stock_api_key: str = ""
    stock_api_url: str = "https://api.pexels.com"
    # Script writer (script/llm.py): an OpenAI-compatible chat-completions server; no URL or model = offline
    # template writer only. The URL is the API base ("https://api.openai.com/v1") or the full endpoint.
    llm_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout_s: float = 30.0
    # Voices (voice/catalog.py): the engines this deployment speaks with, comma-separated from
    # hosted, piper, kokoro, espeak (empty: every installed one; espeak is always there). Each language
    # routes to its best enabled engine. A hosted TTS service (voice/hosted.py; tts_api "openai" or
    # "elevenlabs") adds the voices named in tts_voices ("alloy:female,onyx:male") to every language,
    # first in the route; when it fails, the offline voice speaks instead.
    voice_engines: str = ""
    tts_url: str = ""
    tts_api: str = "openai"
    tts_api_key: str = ""
    tts_model: str = ""
    tts_voices: str = ""
    tts_timeout_s: float = 60.0
    # Avatar presenters (avatars/remote.py): a talking-head service animates them; no URL = the local renderer
    # (drawn personas, photos). avatar_fallback: the local renderer stands in when the service fails (logged);
    # off = the job fails with the service's error. avatar_timeout_s bounds one clip, polling included.
    avatar_url: str = ""
    avatar_api_key: str = ""
    avatar_timeout_s: float = 600.0
    avatar_fallback: bool = True

    fetch_allow: str = ""  # comma-separated hosts/CIDRs exempt from the private-address guard

    @property
    def cache_path(self) -> Path:
        return self.cache_dir or (self.data_dir / "cache")

    @property
    def work_path(self) -> Path:
        return self.work_dir or (self.data_dir / "work")

    @property
    def media_path(self) -> Path:
        return self.data_dir / "media"

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'linkreel.db'}"
