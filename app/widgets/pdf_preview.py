"""A document's pages on screen before it goes to the printer (PDFium through pypdfium2).

:func:`rasterise` is the slow half (about 20–40 ms a page): call it on a worker and hand the
:class:`Raster` list to :class:`PdfPreview` on the GUI thread, which only wraps the pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import pypdfium2
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class Raster:
    rgb: bytes
    width: int
    height: int


def rasterise(pdf: bytes, *, dpi: int = 72, pages: int = 20) -> list[Raster]:
    """The first ``pages`` pages of ``pdf`` as RGB pixels at ``dpi``."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        out = []
        for index in range(min(len(document), pages)):
            image = document[index].render(scale=dpi / 72).to_pil().convert("RGB")
            out.append(Raster(image.tobytes(), image.width, image.height))
        return out
    finally:
        document.close()


def pixmap(raster: Raster) -> QPixmap:
    image = QImage(
        raster.rgb, raster.width, raster.height, raster.width * 3, QImage.Format.Format_RGB888
    )
    return QPixmap.fromImage(image.copy())  # copy: the QImage must not outlive the bytes


class PdfPreview(QDialog):
    """The pages one under the other; Enter prints, Esc closes without printing."""

    def __init__(
        self,
        title: str,
        pages: list[Raster],
        *,
        action: str = "打印",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("pdf_preview")
        host = QWidget()
        column = QVBoxLayout(host)
        for number, raster in enumerate(pages, start=1):
            page = QLabel()
            page.setObjectName(f"page_{number}")
            page.setPixmap(pixmap(raster))
            page.setStyleSheet("border:1px solid #999; background:white;")
            column.addWidget(page, 0, Qt.AlignmentFlag.AlignHCenter)
        scroll = QScrollArea()
        scroll.setWidget(host)
        scroll.setWidgetResizable(True)
        buttons = QDialogButtonBox()
        self.print_button = buttons.addButton(
            f"{action} (Enter)", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.print_button.setObjectName("preview_print")
        self.print_button.setDefault(True)
        close = buttons.addButton("关闭 (Esc)", QDialogButtonBox.ButtonRole.RejectRole)
        close.setObjectName("preview_close")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"共 {len(pages)} 页"))
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        width = max((r.width for r in pages), default=600)
        self.resize(min(width + 60, 1000), 700)
        QShortcut(QKeySequence("Ctrl+P"), self, self.accept)
