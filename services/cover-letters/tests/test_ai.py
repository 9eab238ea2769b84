"""An AI draft through the LLM port against a local OpenAI-compatible stub server (no
internet): grounding takes out what the profile does not support and reports it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from qh.cover_letters.context import PROMPTS
from qh.kit.llm import LLMRouter, OpenAICompatibleLLM, RetryPolicy

from .conftest import SAMPLES

PROFILE_EN, VACANCY = SAMPLES["PROFILE_EN"], SAMPLES["VACANCY"]
PROFILE_RU, VACANCY_RU = SAMPLES["PROFILE_RU"], SAMPLES["VACANCY_RU"]


class ChatStub:
    """``POST /v1/chat/completions`` answering with the scripted letter bodies."""

    def __init__(self) -> None:
        self.answers: list[str] = []
        self.requests: list[dict[str, Any]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                size = int(self.headers.get("content-length") or 0)
                stub.requests.append(json.loads(self.rfile.read(size)))
                content = stub.answers.pop(0)
                out = json.dumps({
                    "model": "stub-model",
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": content}}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 10},
                }).encode()  # fmt: skip
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"


@pytest.fixture
def chat(llm: LLMRouter) -> Iterator[ChatStub]:
    stub = ChatStub()
    llm.providers["openai"] = OpenAICompatibleLLM(
        prompts=PROMPTS, base_url=stub.url, model="stub-model", api_key="sk-test",
        policy=RetryPolicy(timeout=5.0, max_attempts=1, backoff_seconds=0.01, backoff_max=0.01),
    )  # fmt: skip
    yield stub
    stub.server.shutdown()
    stub.server.server_close()


INVENTED = """I am applying for the Senior Data Engineer role at Ozon.

As Lead Data Engineer at Yandex, I built event stream processing on Kafka and Spark. At Google I led a team of 25 engineers.

I would be glad to discuss the role."""


async def test_grounding_takes_out_an_invented_claim(alice: Any, chat: ChatStub) -> None:
    chat.answers.append(INVENTED)
    alice.has_profile(PROFILE_EN)
    vacancy_id = alice.has_vacancy(VACANCY)
    response = await alice.post("/", {"vacancy_id": vacancy_id, "ai": "openai"})
    assert response.status_code == 201, response.text
    letter = response.json()
    text = letter["text"]
    assert "Google" not in text
    assert "25 engineers" not in text
    assert "I built event stream processing on Kafka and Spark" in text
    assert text.startswith("Dear Hiring Manager,\n\nI am applying for the Senior Data Engineer")
    assert text.rstrip().endswith("Sincerely,\nAnna Kuznetsova")
    generation = letter["generation"]
    assert generation["provider"] == "openai"
    assert generation["model"] == "stub-model"
    # the invented sentence is reported (its number at least) and gone as a whole
    assert "25" in [c["text"] for c in generation["removed_claims"]]
    assert generation["grounded"] is True  # what is left is supported
    # the prompt carried the evidence picked for the vacancy, and the language's system part
    messages = chat.requests[0]["messages"]
    assert "Built event stream processing on Kafka and Spark" in messages[-1]["content"]
    assert "Ozon" in messages[-1]["content"]
    assert messages[0]["role"] == "system"
    assert "ONLY" in messages[0]["content"]


async def test_an_ai_text_with_nothing_supported_falls_back_to_the_offline_draft(
    alice: Any, chat: ChatStub
) -> None:
    chat.answers.append("At Google I led a team of 25 engineers.")
    alice.has_profile(PROFILE_RU)
    vacancy_id = alice.has_vacancy(VACANCY_RU)
    response = await alice.post("/", {"vacancy_id": vacancy_id, "ai": "openai", "language": "ru"})
    assert response.status_code == 201, response.text
    letter = response.json()
    assert "Google" not in letter["text"]
    assert "я построила потоковую обработку событий на Kafka и Spark" in letter["text"]
    assert letter["generation"]["provider"] == "offline"
    assert letter["generation"]["refused"]
    assert "openai" in letter["generation"]["refused"][0]


async def test_a_greeting_and_sign_off_from_the_provider_are_not_doubled(
    alice: Any, chat: ChatStub
) -> None:
    chat.answers.append("Dear Hiring Manager,\n\n" + INVENTED + "\n\nSincerely,\nAnna")
    alice.has_profile(PROFILE_EN)
    vacancy_id = alice.has_vacancy(VACANCY)
    response = await alice.post("/", {"vacancy_id": vacancy_id, "ai": "openai", "tone": "friendly"})
    text = response.json()["text"]
    assert text.startswith("Hello,\n\nI am applying for the Senior Data Engineer role at Ozon.")
    assert "Dear" not in text
    assert "Sincerely" not in text
    assert text.rstrip().endswith("Best regards,\nAnna Kuznetsova")


async def test_regenerate_with_ai_keeps_the_history(alice: Any, chat: ChatStub) -> None:
    alice.has_profile(PROFILE_EN)
    vacancy_id = alice.has_vacancy(VACANCY)
    letter = (await alice.post("/", {"vacancy_id": vacancy_id})).json()
    chat.answers.append(INVENTED)
    again = await alice.post(f"/{letter['id']}/regenerate", {"ai": "openai", "tone": "friendly"})
    assert again.status_code == 200, again.text
    assert again.json()["generation"]["provider"] == "openai"
    assert again.json()["text"].startswith("Hello,")
    versions = (await alice.get(f"/{letter['id']}/versions")).json()["items"]
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[1]["text"] == letter["text"]
