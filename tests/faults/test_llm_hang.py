"""An AI provider that hangs, then one that is slow, then one that answers.

cover-letters runs in-process against a local OpenAI-compatible stub server (no network)
through the real ``openai`` provider of ``qh.kit.llm``. While a regeneration waits on a
provider that never answers, the service goes on serving everyone else (nothing it holds,
a database lock or a connection, makes other requests wait); the waiting request ends in
the documented 504 ``upstream-timeout`` problem within the provider's timeout and leaves
the letter as it was; a slow provider inside the timeout is waited for; and the requests
after the hang are served as usual.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from litestar import Request, post
from litestar.params import JSONBody

from qh.cover_letters.app import service
from qh.cover_letters.context import PROMPTS, CoverLettersContext
from qh.kit.app import ServiceDefinition
from qh.kit.llm import LLMRouter, OfflineLLM, OpenAICompatibleLLM, RetryPolicy
from qh.kit.runtime import LocalRuntime
from qh.kit.testing import TokenFactory, jwks_app, running, settings_for_tests
from qh.kit.testing.peers import PeerStubs, stub_app, subject
from qh.kit.testing.samples import PROFILE_EN, VACANCY

PREFIX = "/api/v1/cover-letters"
TIMEOUT = 2.0  # the provider's timeout per attempt
ATTEMPTS = 2
ANSWER = (
    "I am applying for the Senior Data Engineer role.\n\n"
    "I built event stream processing on Kafka and Spark.\n\n"
    "I would be glad to discuss the role."
)


class ChatStub:
    """``POST /v1/chat/completions``: ``hang`` (no answer until released), ``slow`` (the
    answer after ``delay`` seconds) or ``ok``."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.delay = 0.0
        self.received = 0
        self.release = threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                stub.received += 1
                if stub.mode == "hang":
                    stub.release.wait(60)
                elif stub.mode == "slow":
                    time.sleep(stub.delay)
                out = json.dumps({
                    "model": "stub-model",
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": ANSWER}}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 10},
                }).encode()  # fmt: skip
                try:
                    self.send_response(200)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(out)))
                    self.end_headers()
                    self.wfile.write(out)
                except OSError:
                    pass  # the client gave up waiting

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def service_definition() -> ServiceDefinition:
    return service


@pytest.fixture
def chat() -> Iterator[ChatStub]:
    stub = ChatStub()
    yield stub
    stub.close()


@pytest.fixture
async def client(
    database_url: str, tokens: TokenFactory, chat: ChatStub
) -> AsyncIterator[tuple[httpx.AsyncClient, PeerStubs]]:
    peers = PeerStubs("cover_letter")

    @post("/api/v1/analysis/tone", status_code=200, sync_to_thread=False)
    def tone(request: Request[Any, Any, Any], data: JSONBody[dict[str, Any]]) -> Any:
        subject(request)
        return {"language": "en", "sentiment": {"label": "positive", "score": 0.6},
                "formality": 0.8, "formality_label": "formal", "confidence": 0.7,
                "issues": []}  # fmt: skip

    runtime = LocalRuntime(max_attempts=2, backoff_seconds=0.01, backoff_max_seconds=0.02)
    runtime.attach("auth", jwks_app(tokens))
    peers.attach(runtime)
    runtime.attach("text-analysis", stub_app(tone))
    policy = RetryPolicy(
        timeout=TIMEOUT, max_attempts=ATTEMPTS, backoff_seconds=0.05, backoff_max=0.05
    )
    llm = LLMRouter(
        {
            "offline": OfflineLLM(CoverLettersContext.offline_writers),
            "openai": OpenAICompatibleLLM(
                prompts=PROMPTS, base_url=chat.url, model="stub-model", api_key="k", policy=policy
            ),
        }
    )
    app = service.create_app(settings_for_tests(service, database_url), runtime=runtime, llm=llm)
    async with running(app, runtime) as http:
        yield http, peers


class User:
    def __init__(self, http: httpx.AsyncClient, tokens: TokenFactory, peers: PeerStubs) -> None:
        self.id = str(uuid.uuid4())
        self.http, self.headers = http, tokens.headers(self.id)
        peers.profiles[self.id] = PROFILE_EN
        self.vacancy_id = str(uuid.uuid4())
        peers.vacancies[self.vacancy_id] = (self.id, VACANCY)

    async def post(self, path: str, body: Any) -> httpx.Response:
        return await self.http.post(PREFIX + path, json=body, headers=self.headers)

    async def get(self, path: str) -> httpx.Response:
        return await self.http.get(PREFIX + path, headers=self.headers)


async def test_a_hanging_provider_holds_up_no_one_and_times_out_with_a_504(
    client: tuple[httpx.AsyncClient, PeerStubs], tokens: TokenFactory, chat: ChatStub
) -> None:
    http, peers = client
    alice, bob = User(http, tokens, peers), User(http, tokens, peers)
    created = await alice.post("/", {"vacancy_id": alice.vacancy_id})
    assert created.status_code == 201, created.text
    letter = created.json()

    # Alice's regeneration waits on a provider that never answers.
    chat.mode = "hang"
    started = time.monotonic()
    hanging = asyncio.create_task(alice.post(f"/{letter['id']}/regenerate", {"ai": "openai"}))
    while chat.received == 0:
        assert not hanging.done(), hanging.result().text
        await asyncio.sleep(0.02)

    # Meanwhile everyone else is served: Bob drafts a letter (a write), Alice reads hers.
    others = await asyncio.gather(
        bob.post("/", {"vacancy_id": bob.vacancy_id}),
        alice.get(f"/{letter['id']}"),
        alice.get("/"),
    )
    assert not hanging.done(), "the hang ended before the others were served"
    assert [r.status_code for r in others] == [201, 200, 200], [r.text for r in others]

    # The hang ends in the documented problem, within the provider's timeouts.
    response = await asyncio.wait_for(hanging, timeout=ATTEMPTS * TIMEOUT + 10)
    waited = time.monotonic() - started
    assert response.status_code == 504, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("/upstream-timeout")
    assert ATTEMPTS * TIMEOUT <= waited < ATTEMPTS * TIMEOUT + 5, waited
    assert chat.received == ATTEMPTS
    # Nothing partial: the letter is as it was.
    after = (await alice.get(f"/{letter['id']}")).json()
    assert (after["version"], after["text"]) == (letter["version"], letter["text"])

    # A slow provider inside the timeout is waited for; then the usual service resumes.
    chat.release.set()
    chat.mode, chat.delay = "slow", TIMEOUT / 4
    slow = await alice.post(f"/{letter['id']}/regenerate", {"ai": "openai"})
    assert slow.status_code == 200, slow.text
    assert slow.json()["version"] == letter["version"] + 1
    assert slow.json()["generation"]["provider"] == "openai"
    chat.mode = "ok"
    burst = await asyncio.gather(
        alice.post(f"/{letter['id']}/regenerate", {"ai": "openai"}),
        bob.post("/", {"vacancy_id": bob.vacancy_id, "ai": "openai"}),
    )
    assert [r.status_code for r in burst] == [200, 201], [r.text for r in burst]
