"""Voice guidance with the real espeak-ng; only the loudspeaker is a fake (a recording player)."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.voice import (
    ESPEAK_VOICE,
    MAX_CHARS,
    EspeakVoice,
    NoVoice,
    PipePlayer,
    QtVoice,
    VoiceUnavailable,
    make_voice,
    mandarin_rank,
    speakable,
    with_sizes,
)

ROOT = Path(__file__).resolve().parents[2]
LONG = "请您仔细阅读屏幕上的每一个问题，按照实际情况选择，选好以后请点击下一步。" * 3
SHORT = "请取走身份证。"
QT_NOISE = ("pipewire", "text-to-speech plug-in")  # Qt Multimedia on a machine without sound

Event = tuple[str, bytes]


def seconds(wav: bytes) -> float:
    with wave.open(io.BytesIO(wav), "rb") as audio:
        return audio.getnframes() / audio.getframerate()


def plays(events: list[Event]) -> list[float]:
    return [seconds(wav) for kind, wav in events if kind == "play"]


class Recorder:
    """A Player that keeps what it is given, in order, and wakes the test at each call."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._changed = threading.Condition()

    def play(self, wav: bytes) -> None:
        with self._changed:
            self.events.append(("play", wav))
            self._changed.notify_all()

    def stop(self) -> None:
        with self._changed:
            self.events.append(("stop", b""))
            self._changed.notify_all()

    def wait_for(self, done: Callable[[list[Event]], bool], timeout_s: float = 10) -> list[Event]:
        with self._changed:
            reached = self._changed.wait_for(lambda: done(self.events), timeout_s)
            assert reached, [kind for kind, _ in self.events]
            return list(self.events)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def voice(recorder: Recorder) -> Iterator[EspeakVoice]:
    spoken = EspeakVoice(player=recorder)
    yield spoken
    spoken.close()


# -- what is spoken ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("张*三", "张某三"),
        ("申请人：张**", "申请人：张某某"),
        ("身份证号 110***********1234", "身份证号 1 1 0，1 2 3 4"),
        ("电话 139****5678", "电话 1 3 9，5 6 7 8"),
        ("11010119900307451X", "1 1 0 1 0 1 1 9 9 0 0 3 0 7 4 5 1 X"),
        ("邮编 100000", "邮编 1 0 0 0 0 0"),
        ("费用 12000元", "费用 12000元"),
        ("请到3号窗口", "请到3号窗口"),
        ("３～５个工作日", "3到5个工作日"),
        ("每页0.5元，¥20封顶，减免50%", "每页0点5元，20元封顶，减免百分之50"),
        ("扫描QR码，A4纸", "扫描Q R码，A 4纸"),
        ("请选择：\n  是\n否\n\n", "请选择： 是。否"),
        ("★重要★ 😀 材料/证件 #1", "重要 材料 证件 1"),
    ],
)
def test_text_is_cleaned_for_speaking(text: str, spoken: str) -> None:
    assert speakable(text) == spoken


def test_long_text_is_cut_after_a_sentence() -> None:
    spoken = speakable("这是一句话。" * 100)
    assert len(spoken) <= MAX_CHARS
    assert spoken.endswith("。")
    assert len(speakable("字" * 1000)) == MAX_CHARS


def test_default_espeak_voice_reads_characters_as_mandarin() -> None:
    """The plain "cmn" voice of espeak-ng 1.51 reads "好" as English "hao two"."""
    done = subprocess.run(
        ["espeak-ng", "-v", ESPEAK_VOICE, "-q", "-x", "身份证号码张三你好"],
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    )
    assert done.stdout.strip()
    assert "(en)" not in done.stdout


def test_mandarin_voice_is_preferred_by_name() -> None:
    names = [
        "English (America)",
        "Chinese (Cantonese)",
        "Chinese (Mandarin, latin as English)",
        "Chinese (Mandarin, latin as Pinyin)",
    ]
    assert max(names, key=mandarin_rank) == "Chinese (Mandarin, latin as Pinyin)"
    assert mandarin_rank("Chinese (Cantonese)") == mandarin_rank("English (America)") == 0


# -- espeak-ng ---------------------------------------------------------------------------------


def test_say_gives_the_player_real_wav_audio(voice: EspeakVoice, recorder: Recorder) -> None:
    voice.say("请把身份证放在读卡区。")
    wav = next(
        w for kind, w in recorder.wait_for(lambda events: bool(plays(events))) if kind == "play"
    )
    assert wav[:4] == b"RIFF" and wav[8:12] == b"WAVE"
    with wave.open(io.BytesIO(wav), "rb") as audio:
        frames = audio.readframes(audio.getnframes())
        assert len(frames) == audio.getnframes() * audio.getsampwidth() * audio.getnchannels()
        assert audio.getnframes() / audio.getframerate() > 0.3


def test_a_new_say_replaces_words_not_yet_spoken(voice: EspeakVoice, recorder: Recorder) -> None:
    voice.say(LONG)
    voice.say(SHORT)
    events = recorder.wait_for(lambda events: any(d < 8 for d in plays(events)))
    durations = plays(events)
    assert durations[-1] < 8 < seconds(with_sizes(synthesised(LONG)))
    assert len(durations) <= 2
    if len(durations) == 2:  # the long text was ready before the short one came: it was cut off
        kinds = [kind for kind, _ in events]
        assert kinds[-3:] == ["play", "stop", "play"]


def test_a_new_say_cuts_off_the_words_being_spoken(voice: EspeakVoice, recorder: Recorder) -> None:
    voice.say(LONG)
    recorder.wait_for(lambda events: len(plays(events)) == 1)
    voice.say(SHORT)
    events = recorder.wait_for(lambda events: len(plays(events)) == 2)
    assert [kind for kind, _ in events][-3:] == ["play", "stop", "play"]
    long_s, short_s = plays(events)
    assert long_s > 8 > short_s > 0.3


def test_stop_silences_at_once(voice: EspeakVoice, recorder: Recorder) -> None:
    voice.say(LONG)
    recorder.wait_for(lambda events: len(plays(events)) == 1)
    voice.stop()
    assert recorder.events[-1][0] == "stop"


def test_close_ends_the_worker(recorder: Recorder) -> None:
    before = set(threading.enumerate())
    spoken = EspeakVoice(player=recorder)
    workers = set(threading.enumerate()) - before
    assert workers
    spoken.say(LONG)
    started = time.monotonic()
    spoken.close()
    assert time.monotonic() - started < 2.5
    assert not any(worker.is_alive() for worker in workers)
    spoken.say(SHORT)  # after close: nothing, and no error
    spoken.close()


def synthesised(text: str) -> bytes:
    return subprocess.run(
        ["espeak-ng", "-v", ESPEAK_VOICE, "-s", "150", "--stdout", text],
        capture_output=True,
        timeout=10,
        check=True,
    ).stdout


# -- choosing the engine -----------------------------------------------------------------------


def test_missing_espeak_falls_back_to_text_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with caplog.at_level(logging.WARNING, logger="kiosk.voice"):
        voice = make_voice("espeak-ng", player=Recorder())
    assert isinstance(voice, NoVoice) and voice.engine == "none"
    lines = [r.getMessage() for r in caplog.records if r.name == "kiosk.voice"]
    assert len(lines) == 1
    assert "espeak-ng" in lines[0] and "text only" in lines[0]
    voice.say(SHORT)
    voice.close()
    with pytest.raises(VoiceUnavailable):
        EspeakVoice(binary="no-such-espeak")


def test_espeak_with_a_voice_it_lacks_is_unavailable() -> None:
    with pytest.raises(VoiceUnavailable, match="voice"):
        EspeakVoice(voice="nosuchvoice", player=Recorder())


def test_make_voice_by_name(caplog: pytest.LogCaptureFixture) -> None:
    spoken = make_voice("espeak-ng", player=Recorder())
    assert isinstance(spoken, EspeakVoice) and spoken.engine == "espeak-ng"
    spoken.close()
    with caplog.at_level(logging.WARNING, logger="kiosk.voice"):
        assert make_voice("none").engine == "none"
    assert not caplog.records
    with pytest.raises(ValueError, match="未知的语音引擎“espeak”"):
        make_voice("espeak")


def test_qt_voice_never_raises_or_hangs() -> None:
    """In its own process: speech-dispatcher can hang a client, and the wait must be bounded."""
    script = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.WARNING, format='%(name)s: %(message)s')\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "app = QCoreApplication(sys.argv)\n"
        "from kiosk.voice import make_voice\n"
        "voice = make_voice('qt')\n"
        "voice.say('请选择要办理的事项。')\n"
        "voice.stop()\n"
        "voice.close()\n"
        "print(voice.engine)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() in {"qt", "none"}
    if done.stdout.strip() == "none":
        assert "kiosk.voice: voice engine qt is missing" in done.stderr
        assert "text only" in done.stderr


@pytest.mark.usefixtures("qapp")
@pytest.mark.qt_log_ignore(*QT_NOISE)
def test_qt_voice_on_the_mock_engine() -> None:
    voice = QtVoice("mock", voice_name="anne")
    assert voice.engine == "qt" and voice.voice_name == "Anne"
    voice.say("Please take your card.")
    voice.say("")
    voice.stop()
    voice.close()
    voice.say("after close")
    with pytest.raises(VoiceUnavailable, match="Mandarin"):
        QtVoice("mock")  # its voices are English
    with pytest.raises(VoiceUnavailable, match="no-such-engine"):
        QtVoice("no-such-engine")


# -- the default player ------------------------------------------------------------------------


def test_no_audio_player_warns_once_and_drops_audio(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    wav = synthesised(SHORT)
    monkeypatch.setenv("PATH", str(tmp_path))
    with caplog.at_level(logging.WARNING, logger="kiosk.voice"):
        player = PipePlayer()
        player.play(wav)
        player.stop()
    assert [r.getMessage() for r in caplog.records] == [
        "no audio player; voice guidance produces audio but nothing plays it"
    ]
    assert not player.playing


def test_player_gets_the_whole_wav_on_stdin(qtbot: QtBot, tmp_path: Path) -> None:
    received = tmp_path / "received"
    player = PipePlayer(
        [
            sys.executable,
            "-c",
            "import sys; data = sys.stdin.buffer.read(); "
            "open(sys.argv[1], 'w').write(str(len(data)))",
            str(received),
        ]
    )
    wav = with_sizes(synthesised(LONG))
    assert len(wav) > 1_000_000  # far more than a pipe holds: written while the player reads
    player.play(wav)
    qtbot.waitUntil(
        lambda: received.exists() and received.read_text() == str(len(wav)), timeout=10_000
    )


def test_player_stop_ends_the_player_process(qtbot: QtBot, tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    player = PipePlayer(
        [
            sys.executable,
            "-c",
            "import os, sys, time; "
            "open(sys.argv[1], 'w').write(str(os.getpid())); "
            "sys.stdin.buffer.read(); time.sleep(60)",
            str(pid_file),
        ]
    )
    player.play(synthesised(SHORT))
    qtbot.waitUntil(lambda: pid_file.exists() and pid_file.read_text() != "", timeout=10_000)
    assert player.playing
    player.stop()
    assert not player.playing
    pid = int(pid_file.read_text())

    def gone() -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False

    qtbot.waitUntil(gone, timeout=5_000)
