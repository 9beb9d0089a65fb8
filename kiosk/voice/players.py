"""Audio out: a WAV given its real sizes and played through the first player on PATH that
reads from a pipe (pw-play, paplay, aplay)."""

from __future__ import annotations

import logging
import shutil
import struct
import subprocess
import threading
from collections.abc import Sequence

from kiosk.voice.base import PLAYERS

log = logging.getLogger("kiosk.voice")  # one logger for the whole voice, as staff read it


def with_sizes(wav: bytes) -> bytes:
    """The WAV with its RIFF and data sizes filled in.

    espeak-ng writing to a pipe cannot go back to fill them in and leaves 0x7FFFFFFF-ish values;
    players and the ``wave`` module would then trust a length the audio does not have.
    """
    if len(wav) < 12 or wav[:4] != b"RIFF" or wav[8:12] != b"WAVE":
        return wav
    fixed = bytearray(wav)
    struct.pack_into("<I", fixed, 4, len(wav) - 8)
    position = 12
    while position + 8 <= len(wav):
        chunk, size = wav[position : position + 4], struct.unpack_from("<I", wav, position + 4)[0]
        if chunk == b"data":
            struct.pack_into("<I", fixed, position + 4, len(wav) - position - 8)
            break
        position += 8 + size + (size & 1)
    return bytes(fixed)


def find_player() -> list[str] | None:
    """The first audio player on PATH that reads WAV from stdin, with its arguments."""
    for name, *arguments in PLAYERS:
        path = shutil.which(name)
        if path is not None:
            return [path, *arguments]
    return None


class PipePlayer:
    """Pipes WAV into a player program (``pw-play``, ``paplay`` or ``aplay``) and lets it play.

    Without one, one warning is logged and audio is dropped: the kiosk still works, silently.
    Thread-safe.
    """

    def __init__(self, command: Sequence[str] | None = None) -> None:
        self.command = list(command) if command is not None else find_player()
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._failure_logged = False
        if self.command is None:
            log.warning("no audio player; voice guidance produces audio but nothing plays it")

    @property
    def playing(self) -> bool:
        with self._lock:
            return self._process is not None and self._process.poll() is None

    def play(self, wav: bytes) -> None:
        with self._lock:
            self._stop_locked()
            if self.command is None:
                return
            try:
                process = subprocess.Popen(
                    self.command,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
            except OSError as exc:
                self._log_failure(f"cannot start {self.command[0]}: {exc}")
                return
            self._process = process
        feeder = threading.Thread(
            target=self._feed, args=(process, wav), name="kiosk-voice-player", daemon=True
        )
        feeder.start()

    def stop(self) -> None:
        with self._lock:
            self._stop_locked()

    def _stop_locked(self) -> None:
        if self._process is not None:
            if self._process.poll() is None:
                self._process.kill()
            self._process = None

    def _feed(self, process: subprocess.Popen[bytes], wav: bytes) -> None:
        """Writes the audio and waits for the player; a stop kills it, which ends both."""
        _, errors = process.communicate(wav)
        if process.returncode > 0:  # negative: killed by stop()
            message = errors.decode("utf-8", "replace").strip()[:200]
            self._log_failure(f"{self.command[0] if self.command else '?'} failed: {message}")

    def _log_failure(self, message: str) -> None:
        if not self._failure_logged:  # once: a broken sound card would fill the log otherwise
            self._failure_logged = True
            log.warning("voice guidance cannot play audio: %s", message)


# -- engines ----------------------------------------------------------------------------------
