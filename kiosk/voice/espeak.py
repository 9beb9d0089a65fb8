"""espeak-ng run as a program: the text on its stdin (never its command line), its WAV through
a player; a new ``say`` cuts off the old words at once."""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading

from kiosk.voice.base import ESPEAK_VOICE, Player, VoiceUnavailable
from kiosk.voice.players import PipePlayer, with_sizes
from kiosk.voice.text import speakable

log = logging.getLogger("kiosk.voice")  # one logger for the whole voice, as staff read it


class EspeakVoice:
    """espeak-ng synthesises on a worker thread; the WAV goes to a :class:`Player`.

    ``say``, ``stop`` and ``close`` may be called from any thread and never wait for speech.
    """

    engine: str = "espeak-ng"

    def __init__(
        self,
        binary: str = "espeak-ng",
        voice: str = ESPEAK_VOICE,
        rate: int = 150,
        player: Player | None = None,
        *,
        timeout_s: float = 10.0,
    ) -> None:
        path = shutil.which(binary)
        if path is None:
            raise VoiceUnavailable(f"program {binary!r} not found on PATH")
        self._command = [path, "-v", voice, "-s", str(rate), "--stdout"]
        try:
            probe = subprocess.run(
                self._command,
                input="好".encode(),
                capture_output=True,
                timeout=timeout_s,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise VoiceUnavailable(f"{binary} does not run: {exc}") from None
        if probe.returncode != 0 or not probe.stdout.startswith(b"RIFF"):
            why = probe.stderr.decode("utf-8", "replace").strip()[:200]
            raise VoiceUnavailable(f"{binary} cannot speak with voice {voice!r}: {why}")
        self._player: Player = player if player is not None else PipePlayer()
        self._timeout_s = timeout_s
        self._wake = threading.Condition()
        self._pending: str | None = None
        self._generation = 0
        self._synthesis: subprocess.Popen[bytes] | None = None
        self._closed = False
        self._worker = threading.Thread(target=self._run, name="kiosk-voice", daemon=True)
        self._worker.start()

    def say(self, text: str) -> None:
        spoken = speakable(text)
        with self._wake:
            if self._closed:
                return
            self._cancel_locked()
            self._pending = spoken or None
            self._wake.notify()

    def stop(self) -> None:
        with self._wake:
            self._cancel_locked()

    def close(self, timeout_s: float = 2.0) -> None:
        with self._wake:
            self._closed = True
            self._cancel_locked()
            self._wake.notify()
        self._worker.join(timeout_s)
        if self._worker.is_alive():
            log.warning("voice guidance worker did not end within %s s", timeout_s)

    def _cancel_locked(self) -> None:
        """What is spoken or being synthesised now belongs to an old screen."""
        self._generation += 1
        self._pending = None
        if self._synthesis is not None and self._synthesis.poll() is None:
            self._synthesis.kill()
        self._player.stop()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._pending is None and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                text, generation = self._pending, self._generation
                self._pending = None
            wav = self._synthesise(text, generation)
            with self._wake:
                self._synthesis = None
                if wav is not None and generation == self._generation and not self._closed:
                    self._player.play(wav)  # under the lock: a say() cannot slip in between

    def _synthesise(self, text: str | None, generation: int) -> bytes | None:
        """The WAV for ``text``, or None when it failed or was cancelled meanwhile."""
        try:
            process = subprocess.Popen(
                self._command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        except OSError as exc:
            log.warning("espeak-ng does not start: %s", exc)
            return None
        with self._wake:
            self._synthesis = process
            if generation != self._generation:
                process.kill()
        try:
            wav, errors = process.communicate((text or "").encode(), timeout=self._timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            log.warning("espeak-ng took over %s s; the words were skipped", self._timeout_s)
            return None
        if process.returncode < 0:  # killed: a newer say() or stop()
            return None
        if process.returncode != 0 or not wav.startswith(b"RIFF"):
            why = errors.decode("utf-8", "replace").strip()[:200]
            log.warning("espeak-ng failed (exit %s): %s", process.returncode, why)
            return None
        return with_sizes(wav)
