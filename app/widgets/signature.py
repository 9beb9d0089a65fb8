"""A signature pad: the person signs with a pen on a tablet (or a finger, or the mouse) and the
strokes become a PNG stored with what was signed for. Pen pressure widens the line; a signature
of a few dots is not taken as one (:attr:`SignaturePad.signed`)."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QTabletEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

INK = QColor("#102a5c")
MIN_STROKE_LENGTH = 40.0  # pixels of ink, all strokes together, before it counts as signed


class SignaturePad(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, hint: str = "请在此处签名") -> None:
        super().__init__(parent)
        self.setObjectName("signature_pad")
        self.hint = hint
        self.setMinimumSize(QSize(360, 140))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.setAttribute(Qt.WidgetAttribute.WA_TabletTracking)
        self.image = self._blank(self.minimumSize())
        self.last: QPointF | None = None
        self.ink = 0.0

    @staticmethod
    def _blank(size: QSize) -> QImage:
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.white)
        return image

    @property
    def signed(self) -> bool:
        return self.ink >= MIN_STROKE_LENGTH

    def clear(self) -> None:
        self.image = self._blank(self.size().expandedTo(self.minimumSize()))
        self.last, self.ink = None, 0.0
        self.update()
        self.changed.emit()

    def png(self) -> bytes:
        """The signature as a PNG (empty bytes when nothing was signed)."""
        if not self.signed:
            return b""
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        self.image.save(buffer, "PNG")  # type: ignore[call-overload]  # stubs want bytes, it takes str
        return bytes(data.data())

    # -- drawing ----------------------------------------------------------------------------------
    def _stroke(self, point: QPointF, pressure: float) -> None:
        if self.last is not None:
            painter = QPainter(self.image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            width = 1.5 + 3.0 * max(0.0, min(pressure, 1.0))
            painter.setPen(
                QPen(
                    INK,
                    width,
                    Qt.PenStyle.SolidLine,
                    Qt.PenCapStyle.RoundCap,
                    Qt.PenJoinStyle.RoundJoin,
                )
            )
            painter.drawLine(self.last, point)
            painter.end()
            delta = point - self.last
            self.ink += (delta.x() ** 2 + delta.y() ** 2) ** 0.5
            self.update()
        self.last = point

    def _lift(self) -> None:
        if self.last is not None:
            self.last = None
            self.changed.emit()

    def tabletEvent(self, event: QTabletEvent) -> None:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self.last = event.position()
        elif kind == QTabletEvent.Type.TabletMove and self.last is not None:
            self._stroke(event.position(), event.pressure())
        elif kind == QTabletEvent.Type.TabletRelease:
            self._lift()
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self.last = event.position()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.buttons() & Qt.MouseButton.LeftButton and self.last is not None:
            self._stroke(event.position(), 0.5)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._lift()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """Grow the paper with the widget, keeping what was signed."""
        size = event.size()
        if size.width() > self.image.width() or size.height() > self.image.height():
            bigger = self._blank(size.expandedTo(self.image.size()))
            painter = QPainter(bigger)
            painter.drawImage(0, 0, self.image)
            painter.end()
            self.image = bigger
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.drawImage(0, 0, self.image)
        painter.setPen(QPen(QColor("#9aa7b8"), 1, Qt.PenStyle.DashLine))
        baseline = self.height() - 28
        painter.drawLine(16, baseline, self.width() - 16, baseline)
        if self.ink == 0:
            painter.setPen(QColor("#9aa7b8"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.hint)
        painter.setPen(QPen(QColor("#c5cdd8"), 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()
