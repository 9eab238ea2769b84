"""The LLM port against local stub servers (no internet): the OpenAI-compatible API and
Gemini's REST API behind the google-genai SDK pointed at 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from litestar import Litestar, post
from litestar.params import JSONBody

from qh.kit.llm import (
    GeminiLLM,
    LLMRateLimited,
    LLMRequest,
    LLMRouter,
    LLMServiceSettings,
    LLMTimeout,
    LLMUpstreamError,
    OfflineLLM,
    OpenAICompatibleLLM,
    Prompts,
    RetryPolicy,
)
from qh.kit.problems import InvalidValue, exception_handlers

# --- a stub server that answers from a script -----------------------------------------


@dataclass
class Answer:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    raw: bytes | None = None


@dataclass
class Stub:
    url: str
    script: list[Answer | Callable[[dict[str, Any]], Answer]]
    requests: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> Answer:
        payload = json.loads(body or b"{}")
        self.requests.append({"path": path, "headers": headers, "json": payload})
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        return step(payload) if callable(step) else step


@pytest.fixture
def stub() -> Iterator[Callable[..., Stub]]:
    servers: list[ThreadingHTTPServer] = []

    def start(*script: Answer | Callable[[dict[str, Any]], Answer]) -> Stub:
        holder: dict[str, Stub] = {}

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                size = int(self.headers.get("content-length") or 0)
                answer = holder["stub"].answer(
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(size),
                )
                if answer.delay:
                    time.sleep(answer.delay)
                out = answer.raw if answer.raw is not None else json.dumps(answer.body).encode()
                try:
                    self.send_response(answer.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(out)))
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(out)
                except OSError:  # the client gave up (a timeout test)
                    pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        holder["stub"] = Stub(f"http://127.0.0.1:{server.server_port}", list(script))
        return holder["stub"]

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


# --- prompts for the tests: a package made in tmp_path ---------------------------------


@pytest.fixture
def prompts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Prompts:
    name = f"llm_test_prompts_{uuid.uuid4().hex}"  # a module is imported once per name
    package = tmp_path / name
    (package / "prompts").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    files = {
        "summary.en.txt": "Write a summary for {{ name }} applying to {{ vacancy }}.",
        "summary.ru.txt": "Напиши резюме для {{ name }} на вакансию «{{ vacancy }}».",
        "summary.system.en.txt": "You never invent facts.",
        "summary.system.ru.txt": "Ты никогда не выдумываешь факты.",
        "skills.en.txt": "List the skills of {{ name }}.",
        "skills.ru.txt": "Перечисли навыки {{ name }}.",
    }
    for filename, text in files.items():
        (package / "prompts" / filename).write_text(text, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    return Prompts(name, "prompts")


FAST = RetryPolicy(timeout=2.0, max_attempts=3, backoff_seconds=0.01, backoff_max=0.05)
SUMMARY = LLMRequest(
    prompt="summary", language="en", variables={"name": "Anna", "vacancy": "Data engineer"}
)
SKILLS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"skills": {"type": "array", "items": {"type": "string"}}},
    "required": ["skills"],
    "additionalProperties": False,
}
SKILLS = LLMRequest(
    prompt="skills", language="ru", variables={"name": "Анна"}, schema=SKILLS_SCHEMA
)


def chat(content: str, finish: str = "stop") -> Answer:
    return Answer(
        body={
            "model": "stub-model",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": finish,
                }
            ],
            "usage": {"prompt_tokens": 12, "completion_tokens": 5},
        }
    )


def gemini(text: str, finish: str = "STOP") -> Answer:
    return Answer(
        body={
            "candidates": [
                {"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": finish}
            ],
            "usageMetadata": {"promptTokenCount": 9, "candidatesTokenCount": 4},
            "modelVersion": "gemini-stub-001",
        }
    )


def openai_llm(
    prompts: Prompts, url: str, policy: RetryPolicy = FAST, **kw: Any
) -> OpenAICompatibleLLM:
    return OpenAICompatibleLLM(
        prompts=prompts,
        base_url=url + "/v1",
        model="stub-model",
        api_key="sk-test",
        policy=policy,
        **kw,
    )


def gemini_llm(prompts: Prompts, url: str, policy: RetryPolicy = FAST) -> GeminiLLM:
    return GeminiLLM(
        prompts=prompts, model="gemini-2.5-flash", api_key="g-test", policy=policy, base_url=url
    )


# --- prompts -------------------------------------------------------------------------


def test_prompts_render_per_language_with_system_part(prompts: Prompts) -> None:
    ru = prompts.render("summary", "ru", {"name": "Анна", "vacancy": "Аналитик"})
    assert ru.user == "Напиши резюме для Анна на вакансию «Аналитик»."
    assert ru.system == "Ты никогда не выдумываешь факты."
    assert prompts.render("skills", "en", {"name": "Anna"}).system is None
    assert prompts.missing(["summary", "skills", "letter"]) == ["letter.ru.txt", "letter.en.txt"]


def test_prompts_refuse_a_missing_variable_and_escape_the_sandbox(
    prompts: Prompts, tmp_path: Path
) -> None:
    from jinja2.exceptions import SecurityError, UndefinedError

    from qh.kit.llm import PromptNotFound

    with pytest.raises(UndefinedError):
        prompts.render("summary", "en", {"name": "Anna"})
    with pytest.raises(PromptNotFound):
        prompts.render("letter", "en", {})
    with pytest.raises(PromptNotFound):
        prompts.render("../summary", "en", {})
    (tmp_path / prompts.package / "prompts" / "evil.en.txt").write_text(
        "{{ name.__class__.__mro__[1].__subclasses__() }}"
    )
    with pytest.raises(SecurityError):
        prompts.render("evil", "en", {"name": "x"})


# --- offline -------------------------------------------------------------------------


async def test_offline_without_a_writer_declines_with_no_text() -> None:
    result = await OfflineLLM().generate(SUMMARY)
    assert result.declined
    assert result.text == ""
    assert result.data is None
    assert result.provider == "offline"


async def test_offline_runs_the_services_deterministic_writers() -> None:
    async def skills(request: LLMRequest) -> dict[str, Any]:
        return {"skills": ["Python", request.variables["name"]]}

    llm = OfflineLLM({"summary": lambda r: f"Summary for {r.variables['name']}.", "skills": skills})
    first, second = await llm.generate(SUMMARY), await llm.generate(SUMMARY)
    assert first.text == second.text == "Summary for Anna."
    assert not first.declined
    structured = await llm.generate(SKILLS)
    assert structured.data == {"skills": ["Python", "Анна"]}
    assert json.loads(structured.text) == structured.data

    broken = OfflineLLM(lambda r: {"skills": "not a list"})
    with pytest.raises(LLMUpstreamError):
        await broken.generate(SKILLS)


# --- OpenAI-compatible ----------------------------------------------------------------


async def test_openai_success_sends_the_rendered_prompt(prompts: Prompts, stub: Any) -> None:
    server = stub(chat("  Anna is a data engineer with six years of Python.  "))
    llm = openai_llm(prompts, server.url)
    result = await llm.generate(SUMMARY)
    await llm.aclose()
    assert result.text == "Anna is a data engineer with six years of Python."
    assert (result.provider, result.model) == ("openai", "stub-model")
    assert (result.usage.input_tokens, result.usage.output_tokens) == (12, 5)
    assert result.latency_ms > 0
    assert result.data is None
    [sent] = server.requests
    assert sent["path"] == "/v1/chat/completions"
    assert sent["headers"]["authorization"] == "Bearer sk-test"
    assert sent["json"]["messages"] == [
        {"role": "system", "content": "You never invent facts."},
        {"role": "user", "content": "Write a summary for Anna applying to Data engineer."},
    ]
    assert sent["json"]["max_tokens"] == 1024
    assert sent["json"]["temperature"] == 0.2
    assert "response_format" not in sent["json"]


async def test_openai_structured_output_uses_json_schema(prompts: Prompts, stub: Any) -> None:
    server = stub(chat('{"skills": ["Python", "SQL"]}'))
    llm = openai_llm(prompts, server.url)
    result = await llm.generate(SKILLS)
    await llm.aclose()
    assert result.data == {"skills": ["Python", "SQL"]}
    fmt = server.requests[0]["json"]["response_format"]
    assert fmt == {
        "type": "json_schema",
        "json_schema": {"name": "result", "schema": SKILLS_SCHEMA},
    }


async def test_openai_falls_back_when_json_schema_is_not_supported(
    prompts: Prompts, stub: Any
) -> None:
    refuse = Answer(400, {"error": {"message": "response_format json_schema is not supported"}})
    server = stub(refuse, refuse, chat('```json\n{"skills": ["Excel"]}\n```'))
    llm = openai_llm(prompts, server.url)
    result = await llm.generate(SKILLS)
    assert result.data == {"skills": ["Excel"]}
    formats = [r["json"].get("response_format") for r in server.requests]
    assert formats == [formats[0], {"type": "json_object"}, None]
    assert formats[0]["type"] == "json_schema"
    last_user = server.requests[-1]["json"]["messages"][-1]["content"]
    assert "JSON" in last_user
    assert '"skills"' in last_user
    # remembered: the next request goes straight to the prompt mode
    server.script[:] = [chat('{"skills": []}')]
    await llm.generate(SKILLS)
    assert "response_format" not in server.requests[-1]["json"]
    await llm.aclose()


async def test_openai_timeout_is_504_after_the_retries(prompts: Prompts, stub: Any) -> None:
    # Each attempt gives up after 1 s; the stub would answer after 5 s. Wide margins, so a
    # busy machine still sends the retry in time and the bound still shows no attempt
    # waited for the answer.
    server = stub(Answer(delay=5.0, body={}))
    policy = RetryPolicy(timeout=1.0, max_attempts=2, backoff_seconds=0.01, backoff_max=0.05)
    llm = openai_llm(prompts, server.url, policy)
    started = time.perf_counter()
    with pytest.raises(LLMTimeout) as caught:
        await llm.generate(SUMMARY)
    await llm.aclose()
    assert caught.value.status == 504
    assert len(server.requests) == 2
    assert time.perf_counter() - started < 4.5


async def test_openai_500_then_success_is_retried(prompts: Prompts, stub: Any) -> None:
    server = stub(Answer(500, {"error": "boom"}), Answer(503, {}), chat("Fine."))
    llm = openai_llm(prompts, server.url)
    result = await llm.generate(SUMMARY)
    await llm.aclose()
    assert result.text == "Fine."
    assert len(server.requests) == 3


async def test_openai_persistent_500_is_502(prompts: Prompts, stub: Any) -> None:
    server = stub(Answer(500, {"error": "boom"}))
    llm = openai_llm(prompts, server.url)
    with pytest.raises(LLMUpstreamError) as caught:
        await llm.generate(SUMMARY)
    await llm.aclose()
    assert caught.value.status == 502
    assert caught.value.kind == "upstream-error"
    assert "500" in str(caught.value)
    assert len(server.requests) == 3


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (chat("{'skills': ['Python']"), "malformed JSON"),
        (chat('{"skills": "Python"}'), "does not match the schema at skills"),
        (chat('{"skills": ["Python"]', finish="length"), "cut at max_tokens"),
        (Answer(raw=b"<html>gateway</html>"), "not JSON"),
        (Answer(body={"choices": []}), "without choices"),
        (Answer(401, {"error": {"message": "bad key"}}), "401"),
    ],
)
async def test_openai_unusable_answers_are_502_without_retry(
    prompts: Prompts, stub: Any, answer: Answer, reason: str
) -> None:
    server = stub(answer)
    llm = openai_llm(prompts, server.url)
    with pytest.raises(LLMUpstreamError, match=reason):
        await llm.generate(SKILLS)
    await llm.aclose()
    assert len(server.requests) == 1


async def test_openai_429_waits_a_short_retry_after_and_passes_a_long_one(
    prompts: Prompts, stub: Any
) -> None:
    policy = RetryPolicy(timeout=2.0, max_attempts=3, backoff_seconds=0.01, backoff_max=1.0)
    server = stub(Answer(429, {}, headers={"Retry-After": "0.3"}), chat("After the wait."))
    llm = openai_llm(prompts, server.url, policy)
    started = time.perf_counter()
    assert (await llm.generate(SUMMARY)).text == "After the wait."
    assert time.perf_counter() - started >= 0.3
    await llm.aclose()

    server = stub(Answer(429, {"error": "quota"}, headers={"Retry-After": "120"}))
    llm = openai_llm(prompts, server.url, policy)
    with pytest.raises(LLMRateLimited) as caught:
        await llm.generate(SUMMARY)
    await llm.aclose()
    assert caught.value.status == 429
    assert caught.value.headers == {"Retry-After": "120"}
    assert len(server.requests) == 1


# --- Gemini through google-genai ------------------------------------------------------


async def test_gemini_success_with_thinking_off(prompts: Prompts, stub: Any) -> None:
    server = stub(gemini("Анна — инженер данных."))
    llm = gemini_llm(prompts, server.url)
    request = LLMRequest(
        prompt="summary",
        language="ru",
        variables={"name": "Анна", "vacancy": "Инженер данных"},
        max_tokens=300,
        temperature=0.4,
    )
    result = await llm.generate(request)
    await llm.aclose()
    assert result.text == "Анна — инженер данных."
    assert (result.provider, result.model) == ("gemini", "gemini-stub-001")
    assert (result.usage.input_tokens, result.usage.output_tokens) == (9, 4)
    [sent] = server.requests
    assert sent["path"].endswith("/models/gemini-2.5-flash:generateContent")
    assert sent["headers"]["x-goog-api-key"] == "g-test"
    body = sent["json"]
    assert (
        body["contents"][0]["parts"][0]["text"]
        == "Напиши резюме для Анна на вакансию «Инженер данных»."
    )
    assert "Ты никогда не выдумываешь факты." in json.dumps(body, ensure_ascii=False)
    config = body["generationConfig"]
    assert config["maxOutputTokens"] == 300
    assert config["temperature"] == 0.4
    thinking = config["thinkingConfig"]
    assert thinking.get("thinkingBudget", thinking.get("thinking_budget")) == 0


async def test_gemini_structured_output(prompts: Prompts, stub: Any) -> None:
    server = stub(gemini('{"skills": ["1С", "Excel"]}'))
    llm = gemini_llm(prompts, server.url)
    result = await llm.generate(SKILLS)
    await llm.aclose()
    assert result.data == {"skills": ["1С", "Excel"]}
    config = server.requests[0]["json"]["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert config["responseJsonSchema"] == SKILLS_SCHEMA


async def test_gemini_timeout_is_504(prompts: Prompts, stub: Any) -> None:
    # A timeout long enough that a busy machine still sends the retry before it runs out.
    server = stub(Answer(delay=3.0, body={}))
    policy = RetryPolicy(timeout=1.0, max_attempts=2, backoff_seconds=0.01, backoff_max=0.05)
    llm = gemini_llm(prompts, server.url, policy)
    with pytest.raises(LLMTimeout):
        await llm.generate(SUMMARY)
    await llm.aclose()
    assert len(server.requests) == 2


async def test_gemini_500_then_success_and_persistent_500(prompts: Prompts, stub: Any) -> None:
    error = Answer(500, {"error": {"code": 500, "message": "internal", "status": "INTERNAL"}})
    server = stub(error, gemini("Recovered."))
    llm = gemini_llm(prompts, server.url)
    assert (await llm.generate(SUMMARY)).text == "Recovered."
    assert len(server.requests) == 2

    server.script[:] = [error]
    with pytest.raises(LLMUpstreamError, match="500"):
        await llm.generate(SUMMARY)
    await llm.aclose()
    assert len(server.requests) == 2 + 3


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (gemini('{"skills": ["Python"'), "malformed JSON"),
        (gemini('{"skills": [1, 2]}'), "does not match the schema"),
        (gemini('{"skills": []}', finish="MAX_TOKENS"), "cut at max_tokens"),
        (gemini("", finish="SAFETY"), "SAFETY"),
        (Answer(body={"candidates": []}), "no candidate"),
    ],
)
async def test_gemini_unusable_answers_are_502(
    prompts: Prompts, stub: Any, answer: Answer, reason: str
) -> None:
    server = stub(answer)
    llm = gemini_llm(prompts, server.url)
    with pytest.raises(LLMUpstreamError, match=reason):
        await llm.generate(SKILLS)
    await llm.aclose()
    assert len(server.requests) == 1


async def test_gemini_429_passes_retry_after_through(prompts: Prompts, stub: Any) -> None:
    quota = {
        "error": {
            "code": 429,
            "message": "Resource has been exhausted",
            "status": "RESOURCE_EXHAUSTED",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "37s"}],
        }
    }
    server = stub(Answer(429, quota))
    llm = gemini_llm(prompts, server.url)
    with pytest.raises(LLMRateLimited) as caught:
        await llm.generate(SUMMARY)
    await llm.aclose()
    assert caught.value.headers == {"Retry-After": "37"}
    assert len(server.requests) == 1


# --- the router and the problems a caller sees ----------------------------------------


class DictSecrets:
    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    async def get(self, key: str) -> str | None:
        return self.values.get(key)


async def test_router_builds_the_configured_providers(prompts: Prompts) -> None:
    plain = LLMServiceSettings(slug="writer")
    router = await LLMRouter.from_settings(plain, DictSecrets({}), prompts=prompts)
    assert router.configured == ["offline"]
    with pytest.raises(InvalidValue) as caught:
        router.provider("gemini")
    assert caught.value.status == 422
    assert caught.value.errors is not None
    assert caught.value.errors[0].field == "ai"
    assert "gemini" in caught.value.errors[0].message

    ollama = LLMServiceSettings(
        slug="writer",
        llm_openai_base_url="http://127.0.0.1:11434/v1",
        llm_default_provider="openai",
    )
    router = await LLMRouter.from_settings(
        ollama, DictSecrets({"gemini-api-key": "g"}), prompts=prompts, offline=lambda r: "x"
    )
    assert router.configured == ["gemini", "offline", "openai"]
    assert router.provider().name == "openai"
    assert (await router.generate(SUMMARY, "offline")).text == "x"
    await router.aclose()


def test_llm_settings_come_from_the_environment() -> None:
    from qh.kit.settings import SettingsError, load_settings

    settings = load_settings(
        LLMServiceSettings,
        "resume-generation",
        {"QH_LLM_GEMINI_MODEL": "gemini-2.5-pro", "QH_RESUME_GENERATION_LLM_TIMEOUT_SECONDS": "15"},
    )
    assert settings.llm_gemini_model == "gemini-2.5-pro"
    assert settings.llm_timeout_seconds == 15
    with pytest.raises(SettingsError, match="QH_LLM_DEFAULT_PROVIDER"):
        load_settings(LLMServiceSettings, "x", {"QH_LLM_DEFAULT_PROVIDER": "claude"})


class Ask(msgspec.Struct):
    which: str
    ai: str


async def test_failures_reach_the_client_as_problems(prompts: Prompts, stub: Any) -> None:
    server = stub(Answer(429, {}, headers={"Retry-After": "90"}))
    slow = stub(Answer(delay=1.0, body={}))
    broken = stub(Answer(502, {}))
    policy = RetryPolicy(timeout=0.2, max_attempts=2, backoff_seconds=0.01, backoff_max=0.05)
    routers = {
        "busy": LLMRouter({"openai": openai_llm(prompts, server.url, policy)}),
        "slow": LLMRouter({"openai": openai_llm(prompts, slow.url, policy)}),
        "broken": LLMRouter({"openai": openai_llm(prompts, broken.url, policy)}),
    }

    @post("/generate")
    async def generate(data: JSONBody[Ask]) -> dict[str, str]:
        result = await routers[data.which].generate(SUMMARY, data.ai)
        return {"text": result.text}

    app = Litestar([generate], exception_handlers=exception_handlers)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client:
        missing = await client.post("/generate", json={"which": "busy", "ai": "gemini"})
        busy = await client.post("/generate", json={"which": "busy", "ai": "openai"})
        timeout = await client.post("/generate", json={"which": "slow", "ai": "openai"})
        failed = await client.post("/generate", json={"which": "broken", "ai": "openai"})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "ai"
    assert busy.status_code == 429
    assert busy.headers["retry-after"] == "90"
    assert timeout.status_code == 504
    assert timeout.json()["type"].endswith("/upstream-timeout")
    assert failed.status_code == 502
    assert failed.json()["type"].endswith("/upstream-error")
    assert failed.headers["content-type"].startswith("application/problem+json")
    for router in routers.values():
        await router.aclose()
