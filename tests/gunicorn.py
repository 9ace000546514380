"""gunicorn as `make serve` runs it (gthread workers), on a free loopback port, for the tests
that need a real server's framing of requests and responses."""

import contextlib
import re
import subprocess
import sys

import pytest

ARGUMENTS = ["--bind", "127.0.0.1:0", "--worker-class", "gthread", "--threads", "2"]


@contextlib.contextmanager
def serving(application, env=None):
    """gunicorn serving `application` (a WSGI path such as `config.wsgi:application`) for the
    `with` block; its URL."""
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", application, *ARGUMENTS],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        for line in server.stderr:
            found = re.search(r"Listening at: (http://\S+)", line)
            if found:
                yield found.group(1)
                break
        else:  # pragma: no cover - gunicorn did not start
            pytest.fail("gunicorn did not start")
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stderr.close()
