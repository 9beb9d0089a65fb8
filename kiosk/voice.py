"""Voice guidance: the kiosk reads each question, option and result aloud (适老化).

Three engines behind one :class:`Voice`, chosen by a setting: espeak-ng run as a program (needs no
daemon and no sound server), Qt's text-to-speech through speech-dispatcher, and none. A new
``say`` cuts off the old words at once: the screen they belonged to is gone. A missing engine is
not an error; :func:`make_voice` logs it and the kiosk carries on with text only.

Nothing spoken reaches the disk or the log: the text goes to espeak-ng on its stdin (not its
command line, which ``ps`` shows to everyone) and the audio to the player through a pipe.
"""

from __future__ import annotations

import logging
import re
import shutil
import string
import struct
import subprocess
import threading
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from PySide6.QtTextToSpeech import QTextToSpeech

log = logging.getLogger(__name__)

ENGINES = ("espeak-ng", "qt", "none")
# espeak-ng 1.51's "cmn" voice turns many characters into pinyin and reads that as English
# ("好" as "hao two"); the "latin as Pinyin" variant reads them as Mandarin (espeak-ng #1236).
ESPEAK_VOICE = "cmn-latn-pinyin"
MAX_CHARS = 400
# Each reads a WAV file from its stdin with these arguments.
PLAYERS: tuple[tuple[str, ...], ...] = (("pw-play", "-"), ("paplay",), ("aplay", "-q"))


class VoiceUnavailable(Exception):
    """An engine that cannot speak on this machine; the message (English) goes to the log."""


class Voice(Protocol):
    """Reads text aloud. ``say`` and ``stop`` return at once; ``close`` ends the engine."""

    engine: str

    def say(self, text: str) -> None:
        """Speak ``text`` instead of whatever is being spoken or waiting to be."""
        ...

    def stop(self) -> None:
        """Silence now; nothing is left waiting."""
        ...

    def close(self) -> None:
        """Silence and end the engine's worker (bounded wait); ``say`` does nothing after."""
        ...


class Player(Protocol):
    """Plays WAV audio. Both calls must return promptly: the sound goes on in the background."""

    def play(self, wav: bytes) -> None:
        """Start playing ``wav``, cutting off what was playing."""
        ...

    def stop(self) -> None:
        """Cut off what is playing; nothing happens when nothing is."""
        ...


# -- text -------------------------------------------------------------------------------------

_NARROW = string.ascii_letters + string.digits + "*%~"
_FULL_WIDTH = str.maketrans(
    {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F) if chr(c - 0xFEE0) in _NARROW}
)
_MASKS = "*●"
_CODE = re.compile(rf"[0-9A-Za-z{_MASKS}]{{5,}}")
_MASK_RUN = re.compile(rf"[{_MASKS}]+")
_QUANTITY_UNITS = "元万亿个人天年月日岁次份页件张"
_SENTENCE_ENDS = "。！？；!?;"
_PAUSES = _SENTENCE_ENDS + "：，、:,"
_SPOKEN_AS_ENGLISH = re.compile(r"[#/\\|_^@&=+<>{}\[\]$*~%\"]")
_UNSPEAKABLE = {"Cc", "Cf", "Co", "Cs", "Cn", "So"}


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def _spell_code(match: re.Match[str]) -> str:
    """ID, phone and receipt numbers are read one character at a time, as people read them."""
    token = match.group()
    following = match.string[match.end() : match.end() + 1]
    quantity = token.isdigit() and following != "" and following in _QUANTITY_UNITS
    if quantity or not any(c.isdigit() for c in token):
        return token
    groups = [" ".join(group.upper()) for group in _MASK_RUN.split(token) if group]
    return " " + "，".join(groups) + " "


def _unmask(match: re.Match[str]) -> str:
    """A masked name ("张*三", "张**") is spoken with 某; longer masks become a pause."""
    text, start, end = match.string, match.start(), match.end()
    beside = (text[start - 1] if start else "") + (text[end] if end < len(text) else "")
    if end - start <= 2 and any(_is_han(c) for c in beside):
        return "某" * (end - start)
    return "，"


def speakable(text: str, limit: int = MAX_CHARS) -> str:
    """``text`` as espeak-ng should hear it: one line, no symbols it would name in English.

    Masked names become 某 ("张*三" → "张某三"); numbers of five or more digits that are not
    quantities (ID, phone, receipt numbers) are read digit by digit, with a pause where they are
    masked ("110***********1234" → "1 1 0，1 2 3 4"); "3~5" → "3到5", "0.5" → "0点5",
    "50%" → "百分之50", "¥20" → "20元"; upper-case letters are spelled ("QR码" → "Q R码"). Lines
    are joined with a pause and the whole is cut at ``limit`` characters, after a sentence where
    one ends in the second half.
    """
    text = text.translate(_FULL_WIDTH)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    joined = ""
    for line in filter(None, lines):
        if joined:
            joined += " " if joined[-1] in _PAUSES else "。"
        joined += line
    text = _CODE.sub(_spell_code, joined)
    text = _MASK_RUN.sub(_unmask, text)
    text = re.sub(r"(\d)\s*~\s*(?=\d)", r"\1到", text)
    text = re.sub(r"(\d)\.(?=\d)", r"\1点", text)
    text = re.sub(r"(\d+(?:点\d+)?)\s*%", r"百分之\1", text)
    text = re.sub(r"[¥￥]\s*(\d+(?:点\d+)?)", r"\1元", text)
    text = re.sub(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", " ", text)
    text = re.sub(r"(?<![A-Za-z])[A-Z]{2,}(?![A-Za-z])", lambda m: " ".join(m.group()), text)
    text = _SPOKEN_AS_ENGLISH.sub(" ", text)
    text = "".join(c for c in text if unicodedata.category(c) not in _UNSPEAKABLE)
    text = " ".join(text.split()).strip(" ，")
    if len(text) > limit:
        cut = text[:limit]
        end = max(cut.rfind(c) for c in _SENTENCE_ENDS)
        text = cut[: end + 1] if end >= limit // 2 else cut
    return text


# -- audio ------------------------------------------------------------------------------------


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
                    self.command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )  # fmt: skip
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


class EspeakVoice:
    """espeak-ng synthesises on a worker thread; the WAV goes to a :class:`Player`.

    ``say``, ``stop`` and ``close`` may be called from any thread and never wait for speech.
    """

    engine: str = "espeak-ng"

    def __init__(self, binary: str = "espeak-ng", voice: str = ESPEAK_VOICE, rate: int = 150,
                 player: Player | None = None, *, timeout_s: float = 10.0) -> None:  # fmt: skip
        path = shutil.which(binary)
        if path is None:
            raise VoiceUnavailable(f"program {binary!r} not found on PATH")
        self._command = [path, "-v", voice, "-s", str(rate), "--stdout"]
        try:
            probe = subprocess.run(self._command, input="好".encode(), capture_output=True,
                                   timeout=timeout_s, check=False)  # fmt: skip
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
            process = subprocess.Popen(self._command, stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
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


def mandarin_rank(name: str) -> int:
    """How well a voice name suits Mandarin: 0 not at all, 3 best ("latin as Pinyin")."""
    lowered = name.lower()
    if any(other in lowered for other in ("cantonese", "yue", "hakka", "min nan", "wu ")):
        return 0
    if "mandarin" in lowered or "cmn" in lowered:
        return 3 if "pinyin" in lowered else 2
    return 1 if "chinese" in lowered else 0


class QtVoice:
    """Qt's text-to-speech (speech-dispatcher does the speaking in its own process).

    Create, use and close it on the GUI thread: QTextToSpeech is a QObject. ``voice_name``
    picks a voice by a part of its name; by default the best Mandarin voice, since speechd
    reports every voice's locale as "C".
    """

    engine: str = "qt"

    def __init__(self, engine_name: str = "speechd", *, voice_name: str = "",
                 rate: float = -0.2) -> None:  # fmt: skip
        try:
            from PySide6.QtTextToSpeech import QTextToSpeech
        except ImportError as exc:
            raise VoiceUnavailable(f"QtTextToSpeech is not installed: {exc}") from None
        if engine_name not in QTextToSpeech.availableEngines():
            raise VoiceUnavailable(f"Qt has no text-to-speech engine {engine_name!r}")
        tts = QTextToSpeech(engine_name)
        if tts.state() == QTextToSpeech.State.Error:
            raise VoiceUnavailable(f"Qt {engine_name}: {tts.errorString()}")
        voices = tts.availableVoices()
        if voice_name:
            chosen = next((v for v in voices if voice_name.lower() in v.name().lower()), None)
        else:
            ranked = sorted(voices, key=lambda v: mandarin_rank(v.name()), reverse=True)
            chosen = ranked[0] if ranked and mandarin_rank(ranked[0].name()) else None
        if chosen is None:
            wanted = repr(voice_name) if voice_name else "Mandarin"
            raise VoiceUnavailable(f"Qt {engine_name} has no {wanted} voice")
        tts.setVoice(chosen)
        tts.setRate(rate)  # a little slower than normal, for elderly listeners
        self.voice_name = chosen.name()
        self._tts: QTextToSpeech | None = tts

    def say(self, text: str) -> None:
        spoken = speakable(text)
        if self._tts is None:
            return
        if spoken:
            self._tts.say(spoken)  # stops what is being read first
        else:
            self._tts.stop()

    def stop(self) -> None:
        if self._tts is not None:
            self._tts.stop()

    def close(self) -> None:
        if self._tts is not None:
            self._tts.stop()
            self._tts = None


class NoVoice:
    """Text only: the kiosk's screens say everything anyway."""

    engine: str = "none"

    def say(self, text: str) -> None:
        pass

    def stop(self) -> None:
        pass

    def close(self) -> None:
        pass


def make_voice(name: str, *, player: Player | None = None) -> Voice:
    """The voice the setting names; :class:`NoVoice` (and one log line) when it cannot speak.

    Call it on the GUI thread ("qt" creates a QObject). ``player`` is for "espeak-ng" only.
    """
    if name not in ENGINES:
        choices = "、".join(ENGINES)
        raise ValueError(f"未知的语音引擎“{name}”，可选：{choices}。请改正设置后重新启动。")
    try:
        if name == "espeak-ng":
            return EspeakVoice(player=player)
        if name == "qt":
            return QtVoice()
    except (VoiceUnavailable, RuntimeError) as exc:
        log.warning("voice engine %s is missing (%s); the kiosk falls back to text only", name, exc)
    return NoVoice()
