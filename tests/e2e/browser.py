"""Helpers for the browser tests: where the tools are, the demo logins, and
``visit``/``check_a11y``, which run axe-core on every page a test sees."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips (or, in CI, fails) the tests without it
    expect = None

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEMO_PASSWORD = "nordic-demo-2027"
MEMBER = "member@nscal.example"  # practitioner, Helsinki
MAYOR = "mayor@nscal.example"  # mayor, Malmö
COORDINATOR = "coordinator@nscal.example"
ADMIN = "admin@nscal.example"
# axe-core impacts that fail a test; "minor" and "moderate" are reported by axe only.
FAILING_IMPACTS = {"serious", "critical"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the nscal server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the nscal server did not answer on {url} within {seconds:.0f} s")


@contextmanager
def serve_demo(instance: Path) -> Iterator[str]:
    """Serve nscal with ``flask run`` on loopback, on a new SQLite database in ``instance``
    migrated by ``flask db upgrade`` and filled by ``flask seed-demo``; yields the base URL."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("NSCAL_")}
    env.update(
        NSCAL_INSTANCE_PATH=str(instance),
        NSCAL_DATABASE_URL=f"sqlite:///{instance / 'e2e.sqlite'}",
        NSCAL_MAIL_BACKEND="file",
        NSCAL_SECRET_KEY="e2e-secret-key-not-for-production",
        NSCAL_BASE_URL=base_url,
        # A single sign-on provider that never answers (port 9 is "discard"): the login
        # page shows its button, and its refusal pages can be seen without a provider.
        NSCAL_OIDC_DEMO_ISSUER="http://127.0.0.1:9",
        NSCAL_OIDC_DEMO_CLIENT_ID="nscal-e2e",
        NSCAL_OIDC_DEMO_CLIENT_SECRET="e2e-secret",
        NSCAL_OIDC_DEMO_LABEL="Sign in with the demo city",
        NSCAL_OIDC_TIMEOUT="2",
        FLASK_DEBUG="0",
    )
    flask = [sys.executable, "-m", "flask", "--app", "nscal"]
    for command in (["db", "upgrade"], ["seed-demo"]):
        done = subprocess.run(
            flask + command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    log = (instance / "server.log").open("w")
    server = subprocess.Popen(
        flask + ["run", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(base_url, server)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it is now; the violations that fail a test."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: nscal's Content-Security-Policy
        # (rightly) refuses the inline <script> that add_script_tag would insert.
        page.evaluate(f"() => {{ {AXE_JS.read_text()}\n}}")
    results = page.evaluate(
        """() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))
        })))"""
    )
    return [v for v in results if v["impact"] in FAILING_IMPACTS]


def check_a11y(page) -> None:
    """Fail with a readable list when axe-core finds a serious or critical violation."""
    violations = axe_violations(page)
    if violations:
        lines = [f"axe-core: {len(violations)} serious/critical violation(s) on {page.url}"]
        for violation in violations:
            lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}")
            lines.append(f"  {violation['helpUrl']}")
            for node in violation["nodes"][:5]:
                lines.append(f"    at {node['target']}")
                summary = (node["summary"] or "").replace("\n", "\n      ")
                lines.append(f"      {summary}")
        pytest.fail("\n".join(lines), pytrace=False)


def visit(page, path: str) -> None:
    """Open ``path``, make sure it answered, and check its accessibility."""
    response = page.goto(path)
    assert response is not None and response.ok, f"{path} answered {response and response.status}"
    check_a11y(page)


def log_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    visit(page, "/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".flash-success")).to_contain_text("Welcome")
    check_a11y(page)


def event_id_by_title(page, title: str) -> int:
    """Find an event through the list's search box, as a person would; returns its id."""
    visit(page, "/events/")
    page.get_by_label("Search").fill(title)
    page.get_by_role("button", name="Show events").click()
    check_a11y(page)
    link = page.get_by_role("link", name=title, exact=True)
    href = link.get_attribute("href")
    return int(href.rstrip("/").rsplit("/", 1)[-1])
