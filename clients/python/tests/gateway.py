"""A real TrackQL gateway process for the tests: ``node dist/src/main.js`` on loopback with a temp data dir.

The gateway must be built first (``npm run build``, which ``npm test`` runs). ``TRACKQL_NODE`` names the node
binary (default: ``node`` on PATH).
"""
from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parents[3]
MAIN = ROOT / "dist" / "src" / "main.js"
NODE = os.environ.get("TRACKQL_NODE", "node")


_unclosed: "set[Gateway]" = set()


@atexit.register
def _close_leftovers() -> None:
    """A test that forgot to close its gateway must not leave a server or a data dir behind."""
    for gateway in list(_unclosed):
        gateway.kill()
        gateway.close()


class Gateway:
    """Starts on port 0 the first time; :meth:`restart` comes back on the same port and data dir."""

    def __init__(self, env: Optional[Dict[str, str]] = None) -> None:
        if not MAIN.exists():
            raise RuntimeError(f"{MAIN} is missing: run `npm run build` in {ROOT} first")
        self.env = dict(env or {})
        self.data_dir = tempfile.mkdtemp(prefix="trackql-py-")
        self.port = 0
        self.url = ""
        self.logs: List[str] = []
        self._process: Optional[subprocess.Popen[str]] = None
        self._reader = threading.Thread()

    def start(self, timeout: float = 20.0) -> "Gateway":
        env = {
            "PATH": os.environ.get("PATH", ""),
            "TRACKQL_PORT": str(self.port),
            "TRACKQL_HOST": "127.0.0.1",
            "TRACKQL_DATA_DIR": self.data_dir,
            "TRACKQL_LOG_LEVEL": "notice",
            **self.env,
        }
        process = subprocess.Popen([NODE, str(MAIN)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, text=True, cwd=str(ROOT))
        self._process = process
        _unclosed.add(self)
        found = threading.Event()

        def read() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                self.logs.append(line.rstrip("\n"))
                if not found.is_set() and line.startswith("{"):
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        continue
                    if entry.get("msg") == "listening" and entry.get("url"):
                        self.url = str(entry["url"]).rsplit("/graphql", 1)[0]
                        self.port = int(self.url.rsplit(":", 1)[1])
                        found.set()

        self._reader = threading.Thread(target=read, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + timeout
        while not found.wait(0.05):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                process.wait()
                raise RuntimeError("gateway did not start:\n" + "\n".join(self.logs[-20:]))
        return self

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Sends ``sig`` and waits for the process to be gone."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(sig)
            self._process.wait(timeout=15)
        if self._process is not None and self._process.stdout is not None:
            self._reader.join(timeout=5)  # it reads to the end of the output, then the pipe can close
            self._process.stdout.close()
        self._process = None

    def restart(self) -> None:
        self.kill(signal.SIGTERM)
        self.start()

    def close(self) -> None:
        self.kill(signal.SIGTERM)
        shutil.rmtree(self.data_dir, ignore_errors=True)
        _unclosed.discard(self)

    def create_key(self, role: str = "admin", workspace: str = "*") -> str:
        """An API key made with the gateway's own CLI (a running gateway picks it up within 2 s)."""
        out = subprocess.run([NODE, str(MAIN), "keys", "create", "--workspace", workspace, "--role", role, "--name", "py"],
                             env={"PATH": os.environ.get("PATH", ""), "TRACKQL_DATA_DIR": self.data_dir},
                             capture_output=True, text=True, check=True, cwd=str(ROOT))
        return out.stdout.strip()
