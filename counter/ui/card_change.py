"""Asking before a value read from the ID card is typed over: the clerk confirms that the card's
name or number is not the one to use (the change is audited with the case), or keeps it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from app.cases.applicant import CardChange


def ask_card_change(
    parent: QWidget, change: CardChange, answered: Callable[[bool], None]
) -> QMessageBox:
    """A question that does not block the window; ``answered(True)`` when the clerk confirms."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "修改身份证读取的信息",
        f"身份证读取的{change.label}是“{change.card}”，现在改为“{change.typed}”。\n"
        "只有核实证件信息有误、或申请人另有有效证明时才修改；"
        "修改会记入本办件的审计记录，受理通知书和申请表都按修改后的信息打印。",
        parent=parent,
    )
    box.setObjectName("card_change")
    confirm = box.addButton("确认修改", QMessageBox.ButtonRole.AcceptRole)
    confirm.setObjectName("confirm_change")
    keep = box.addButton("保留读卡信息", QMessageBox.ButtonRole.RejectRole)
    keep.setObjectName("keep_card")
    box.setDefaultButton(keep)
    box.finished.connect(lambda _: answered(box.clickedButton() is confirm))
    box.open()
    return box
