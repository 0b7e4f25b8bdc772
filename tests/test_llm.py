"""The LLM writer against a fake OpenAI-compatible server on loopback: a good answer is used, every
kind of bad answer falls back to the template script."""

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import pytest

from linkreel.config import Settings
from linkreel.script.llm import LLMConfig, LLMWriter, script_writer, written_in
from linkreel.script.model import Script
from linkreel.script.writer import TemplateWriter
from tests.helpers import serve_handler
from tests.test_script import check_script, rich_brief


@dataclass
class FakeOpenAI:
    """What the fake server answers, and what it was asked."""

    content: str = ""  # the assistant message
    status: int = 200
    delay_s: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def fake_openai(fake: FakeOpenAI) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 speaking the chat-completions wire format; yields the API base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            fake.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
            time.sleep(fake.delay_s)
            answer = {"id": "chatcmpl-1", "object": "chat.completion", "model": body["model"],
                      "choices": [{"index": 0, "finish_reason": "stop",
                                   "message": {"role": "assistant", "content": fake.content}}]}
            data = json.dumps(answer if fake.status == 200 else {"error": {"message": "boom"}}).encode()
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    with serve_handler(Handler) as base:
        yield f"{base}/v1"


def template(style: str = "BenefitsV2", lang: str = "en", length_s: int = 30, **kw: str) -> Script:
    return TemplateWriter().write(rich_brief(), style, lang, length_s, **kw)


def answer(script: Script, **changes: str) -> str:
    """An assistant message holding `script`'s scenes, with some spoken lines replaced (index -> text)."""
    scenes = [{"role": s.role.value, "spoken": s.spoken, "on_screen": s.on_screen} for s in script.scenes]
    for i, text in changes.items():
        scenes[int(i.removeprefix("s"))]["spoken"] = text
    return json.dumps({"scenes": scenes})


def writer_for(url: str, timeout_s: float = 10.0) -> LLMWriter:
    return LLMWriter(LLMConfig(f"{url}/chat/completions", "fake-model", "sk-test", timeout_s))


NEW_HOOK = "Honestly, Acme Mineral surprised me more than anything this year."


def test_a_good_answer_is_used():
    draft = template(platform="Instagram", audience="busy parents")
    fake = FakeOpenAI(content=answer(draft, s0=NEW_HOOK))
    with fake_openai(fake) as url:
        script = writer_for(url).write(rich_brief(), "BenefitsV2", "en", 30, platform="Instagram",
                                       audience="busy parents")
    assert script.writer == "llm" and script.scenes[0].spoken == NEW_HOOK
    assert [s.image for s in script.scenes] == [i % 3 for i in range(len(script.scenes))]
    assert (script.platform, script.audience, script.tone) == ("instagram", "parents", "warm")
    check_script(script, rich_brief(), "en", 30)
    # the request: OpenAI wire format, the style's own prompt, language, length and targeting
    (request,) = fake.requests
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer sk-test"
    body = request["body"]
    assert body["model"] == "fake-model" and body["response_format"] == {"type": "json_object"}
    system, user = body["messages"]
    assert system["role"] == "system" and "JSON" in system["content"]
    prompt = user["content"]
    assert "Style: BenefitsV2. Lead with why the product is worth it" in prompt
    assert "Language: English (en)" in prompt and "take 28 seconds" in prompt  # 30 s minus the end card
    assert "Tone: warm." in prompt and "Platform: instagram." in prompt and "Audience: parents." in prompt
    assert "Broad-spectrum SPF 30 mineral protection" in prompt and "49.99" in prompt


def test_each_style_has_its_own_prompt():
    prompts = set()
    for style in ("DiscoveryWriter", "HowToV2", "StoryTimeWriter", "NumberOneHook", "BestDealEverHook"):
        fake = FakeOpenAI(content="not json")
        with fake_openai(fake) as url:
            writer_for(url).write(rich_brief(), style, "de", 30)
        prompts.add(fake.requests[0]["body"]["messages"][1]["content"].split("\n")[0])
    assert len(prompts) == 5
    assert any('Open on the hook "The #1 Hack You Need"' in p for p in prompts)


def test_a_fenced_answer_in_another_language_is_used():
    draft = template("StoryTimeWriter", "de")
    hook = "Ganz ehrlich: Diese Creme hat mich dieses Jahr mehr überrascht als alles andere."
    fake = FakeOpenAI(content=f"```json\n{answer(draft, s0=hook)}\n```")
    with fake_openai(fake) as url:
        script = writer_for(url).write(rich_brief(), "StoryTimeWriter", "de", 30)
    assert script.writer == "llm" and script.scenes[0].spoken == hook


def bad_answers() -> dict[str, FakeOpenAI]:
    draft = template()
    scenes = json.loads(answer(draft))["scenes"]
    return {
        "http error": FakeOpenAI(content=answer(draft, s0=NEW_HOOK), status=500),
        "prose, not JSON": FakeOpenAI(content="Sure! Here is a great script for your moisturizer: ..."),
        "JSON of another shape": FakeOpenAI(content=json.dumps({"script": draft.text})),
        "unknown scene role": FakeOpenAI(content=json.dumps({"scenes": [{**s, "role": "reason"} for s in scenes]})),
        "no hook first": FakeOpenAI(content=json.dumps({"scenes": scenes[1:] + scenes[:1]})),
        "too long": FakeOpenAI(content=json.dumps({"scenes": scenes[:1] + scenes[1:-1] * 2 + scenes[-1:]})),
        "too short": FakeOpenAI(content=json.dumps({"scenes": [scenes[0], scenes[-1]]})),
        "product never named": FakeOpenAI(content=answer(draft).replace("Acme Mineral Moisturizer SPF 30", "it")),
    }


@pytest.mark.parametrize("case", list(bad_answers()))
def test_a_bad_answer_falls_back_to_the_template(case: str):
    fake = bad_answers()[case]
    with fake_openai(fake) as url:
        script = writer_for(url).write(rich_brief(), "BenefitsV2", "en", 30)
    assert len(fake.requests) == 1, "the server was asked"
    assert script.writer == "template" and script == template()


def test_an_english_answer_to_a_german_request_falls_back():
    fake = FakeOpenAI(content=answer(template(lang="en")))
    with fake_openai(fake) as url:
        script = writer_for(url).write(rich_brief(), "BenefitsV2", "de", 30)
    assert script.writer == "template" and script == template(lang="de")


def test_a_slow_server_times_out_and_falls_back():
    fake = FakeOpenAI(content=answer(template(), s0=NEW_HOOK), delay_s=2.0)
    with fake_openai(fake) as url:
        script = writer_for(url, timeout_s=0.3).write(rich_brief(), "BenefitsV2", "en", 30)
    assert script.writer == "template" and script == template()


def test_an_unreachable_server_falls_back():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    config = LLMConfig("http://llm.invalid/v1/chat/completions", "m")
    script = LLMWriter(config, transport=httpx.MockTransport(refuse)).write(rich_brief(), "HowToV2", "ja", 15)
    assert script.writer == "template" and script == template("HowToV2", "ja", 15)


def test_the_llm_writer_is_used_when_configured():
    assert isinstance(script_writer(Settings()), TemplateWriter)
    assert isinstance(script_writer(Settings(llm_url="http://127.0.0.1:9/v1")), TemplateWriter), "needs a model too"
    writer = script_writer(Settings(llm_url="http://127.0.0.1:9/v1/", llm_model="m", llm_api_key="k"))
    assert isinstance(writer, LLMWriter)
    assert writer.config == LLMConfig("http://127.0.0.1:9/v1/chat/completions", "m", "k", 30.0)
    full = script_writer(Settings(llm_url="https://llm.example/api/chat/completions", llm_model="m"))
    assert isinstance(full, LLMWriter) and full.config.url == "https://llm.example/api/chat/completions"


@pytest.mark.parametrize(("text", "lang", "verdict"), [
    ("Das ist wirklich gut. Tippe auf den Link.", "de", None),
    ("This is really good and you will love it.", "de", "English"),
    ("これはほんとうにいいです。", "ja", None),
    ("This is really good.", "ja", "only 0%"),
    ("Это очень хорошо. Acme Mineral Moisturizer SPF.", "ru", None),  # the product name is in the facts
    ("Это очень хорошо. Some other English words here.", "ru", "only"),
])
def test_language_check(text: str, lang: str, verdict: str | None):
    found = written_in(text, lang, facts="Acme Mineral Moisturizer SPF 30")
    assert found is None if verdict is None else verdict in (found or "")
