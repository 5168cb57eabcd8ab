"""A private tmux server driven through one control-mode client, for timings read from outside.

Every `send-keys` and `capture-pane` goes down one pipe to one long-lived client
(`tmux -C`), instead of a new tmux process per poll: a process per poll costs ~2 ms
and, on two cores, takes CPU from the app being timed. The client attaches with
`no-output` (the panes' output is not copied to us) and `ignore-size` (its own
size never resizes a window), so every window keeps the session's fixed size. (The
`window-size manual` option would say the same, but tmux 3.3 crashes on a new window with it.)
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Callable, Optional

POLL_SECONDS = 0.002  # between captures: short, but leaves the CPU to the app most of the time


def quote(word: str) -> str:
    # tmux's command parser reads shell-style single quotes.
    return shlex.quote(word)


class TmuxError(RuntimeError):
    pass


class Tmux:
    """One tmux server on its own socket; windows are named and addressed as `bench:NAME`."""

    SESSION = "bench"

    def __init__(self, env: dict[str, str], size: tuple[int, int] = (120, 40)) -> None:
        self.size = size
        # A socket path must fit in ~100 bytes: a short directory of our own (under /tmp when
        # $TMPDIR is long).
        short = None if len(tempfile.gettempdir()) < 40 or not os.path.isdir("/tmp") else "/tmp"
        self.socket_dir = tempfile.mkdtemp(prefix="okb-tmux-", dir=short)
        self.env = {k: v for k, v in env.items() if k not in ("TMUX", "TMUX_PANE")}
        self.env["TMUX_TMPDIR"] = self.socket_dir
        self.base = ["tmux", "-L", f"okb-{os.getpid()}-{uuid.uuid4().hex[:6]}", "-f", "/dev/null"]
        width, height = size
        # The placeholder window runs `cat`: no shell, so no rc file of anyone's is read.
        subprocess.run(self.base + [
            "new-session", "-d", "-s", self.SESSION, "-x", str(width), "-y", str(height), "cat", ";",
            "set-option", "-g", "default-size", f"{width}x{height}", ";",
            "set-option", "-g", "remain-on-exit", "on", ";",  # a dead pane stays to say how it ended
            "set-option", "-g", "default-terminal", "screen-256color",
        ], env=self.env, check=True, capture_output=True, timeout=20)
        self.client = subprocess.Popen(
            self.base + ["-C", "attach-session", "-t", self.SESSION, "-f", "no-output,ignore-size"],
            env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        # The attach itself answers with one block; a marker tells where our answers start.
        self._write("display-message -p okb-ready")
        while True:
            if self._read_block() == ["okb-ready"]:
                break

    # -- the control protocol ----------------------------------------------------

    def _write(self, line: str) -> None:
        assert self.client.stdin is not None
        self.client.stdin.write(line.encode("utf-8") + b"\n")
        self.client.stdin.flush()

    def _read_block(self) -> list[str]:
        """The lines of the answer to our next command. Notifications between blocks are
        skipped, and so are blocks tmux makes for itself (flags 0: a new window makes one)."""
        assert self.client.stdout is not None
        lines: list[str] = []
        inside = ours = False
        while True:
            raw = self.client.stdout.readline()
            if not raw:
                raise TmuxError("the tmux control client ended")
            line = raw.decode("utf-8", "replace").rstrip("\n")
            fields = line.split()
            if not inside:
                if line.startswith("%begin ") and len(fields) == 4:
                    inside, ours, lines = True, fields[3] == "1", []
                elif line.startswith("%exit"):
                    raise TmuxError(f"tmux ended: {line}")
                continue
            # Only a %end/%error with tmux's three fields ends a block: a screen line may start with %.
            if fields[:1] in (["%end"], ["%error"]) and len(fields) == 4:
                if ours:
                    if fields[0] == "%error":
                        raise TmuxError("\n".join(lines) or "tmux command failed")
                    return lines
                inside = False
                continue
            lines.append(line)

    def command(self, *words: str) -> list[str]:
        self._write(" ".join(quote(word) for word in words))
        return self._read_block()

    # -- windows ------------------------------------------------------------------

    def start(self, name: str, argv: list[str], env: dict[str, str], cwd: Optional[str] = None) -> float:
        """Start `argv` in a new window; returns the perf_counter() just before tmux was asked.

        Several arguments after `--` are executed directly, without a shell: the pane's
        process is the program itself (its pid is the app's, for its peak memory).
        """
        words = ["new-window", "-d", "-n", name, "-c", cwd or os.getcwd()]
        for key, value in env.items():
            words += ["-e", f"{key}={value}"]
        started = time.perf_counter()
        self.command(*words, "--", *argv)
        return started

    def target(self, name: str) -> str:
        return f"{self.SESSION}:{name}"

    def screen(self, name: str) -> str:
        return "\n".join(self.command("capture-pane", "-p", "-t", self.target(name)))

    def keys(self, name: str, *keys: str) -> float:
        """tmux key names (Enter, Escape); returns the perf_counter() just before they were sent."""
        started = time.perf_counter()
        self.command("send-keys", "-t", self.target(name), *keys)
        return started

    def text(self, name: str, text: str) -> None:
        self.command("send-keys", "-t", self.target(name), "-l", text)

    def pane(self, name: str) -> tuple[int, bool, str]:
        """(pid, dead, exit status) of the window's pane."""
        fields = self.command("display-message", "-p", "-t", self.target(name),
                              "#{pane_pid}:#{pane_dead}:#{pane_dead_status}")[0]
        pid, dead, status = fields.split(":")
        return int(pid), dead == "1", status or "0"

    def wait(self, name: str, ready: Callable[[str], bool], what: str, timeout: float = 60) -> tuple[float, str]:
        """Poll the window's screen until `ready(screen)`; the perf_counter() of that capture's
        answer, and the screen."""
        deadline = time.perf_counter() + timeout
        while True:
            text = self.screen(name)
            seen = time.perf_counter()
            if ready(text):
                return seen, text
            if seen > deadline:
                _, dead, status = self.pane(name)
                state = f" (its process exited with status {status})" if dead else ""
                raise TimeoutError(f"{name}: no {what} within {timeout} s{state}; the screen:\n{text}")
            time.sleep(POLL_SECONDS)

    def wait_dead(self, name: str, timeout: float = 60) -> str:
        deadline = time.perf_counter() + timeout
        while True:
            _, dead, status = self.pane(name)
            if dead:
                return status
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{name}: still running after {timeout} s")
            time.sleep(0.01)

    def kill(self, name: str) -> None:
        self.command("kill-window", "-t", self.target(name))

    def close(self) -> None:
        try:
            if self.client.poll() is None:
                self.command("kill-server")
        except (TmuxError, OSError):
            pass
        try:
            self.client.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.client.kill()
            self.client.wait()
        subprocess.run(self.base + ["kill-server"], env=self.env, capture_output=True)
        shutil.rmtree(self.socket_dir, ignore_errors=True)

    def __enter__(self) -> "Tmux":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def peak_rss_mb(pid: int) -> Optional[float]:
    """The process's peak resident set so far (VmHWM), in MB; None when it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def available() -> bool:
    return shutil.which("tmux") is not None
