"""`make run` (manage.py serve) explains a database problem in one line, no traceback."""

import socket

from .test_settings import MANAGE, run


def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_with_an_unreachable_database_says_what_to_fix(tmp_path):
    url = f"postgres://postgres@127.0.0.1:{closed_port()}/ketenplan"

    result = run([MANAGE, "serve", "--no-worker"], tmp_path, DATABASE_URL=url)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "DATABASE_URL" in lines[0]
    assert "cannot be reached" in lines[0]
    assert "Serving" not in result.stdout


def test_serve_with_a_malformed_database_url_says_what_to_fix(tmp_path):
    result = run([MANAGE, "serve", "--no-worker"], tmp_path, DATABASE_URL="nosuchdb://x/y")

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.strip()]) == 1, result.stderr
