"""What each of a terminal's devices is doing now, as plain lines for the counter's status bar,
the kiosk's staff screen and ``onestop devices``: a device that can check itself
(:class:`~app.devices.protocols.Checkable`) is asked; the others are taken as present."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from app.devices.drivers import Devices
from app.devices.protocols import Checkable

log = logging.getLogger(__name__)

TITLES = {"id_reader": "身份证阅读器", "capture": "高拍仪/扫描仪", "code_scanner": "扫码枪（串口）"}
MISSING = {
    "id_reader": "未设置：只能手工输入证件号码。需要读卡时在设置 [devices] id_reader 中选择。",
    "capture": "未设置：只能选择扫描好的文件。需要拍材料时在设置 [devices] capture 中选择设备。",
    "code_scanner": "",  # optional: a keyboard-wedge scanner needs no setting
}


@dataclass(frozen=True)
class DeviceState:
    key: str
    title: str
    name: str  # the driver's name, "" when none is set
    ok: bool
    text: str  # what is wrong and what to do, or that all is well


def state_of(key: str, device: Any) -> DeviceState:
    """One device's state; may block while the device answers (call it off the GUI thread)."""
    title = TITLES[key]
    if device is None:
        return DeviceState(key, title, "", not MISSING[key], MISSING[key] or "未设置。")
    name = str(getattr(device, "name", key))
    problem = ""
    if isinstance(device, Checkable):
        try:
            problem = device.check()
        except Exception:  # a driver's check must not take the status line down with it
            log.exception("checking %s failed", name)
            problem = "状态读不到：请检查设备连线；详细原因见日志。"
    if problem:
        return DeviceState(key, title, name, False, problem)
    return DeviceState(key, title, name, True, f"正常（{name}）。")


def device_states(devices: Devices) -> list[DeviceState]:
    return [state_of(key, getattr(devices, key, None)) for key in TITLES]
