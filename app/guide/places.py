"""Where to go (去哪里办), in order: this hall's window first — where the citizen hands in the
application and shows the ticket — then the service points the scenario's published guide lists
(办理地点, ``guide.locations`` in the catalog: name, address, hours as the guide gives them).

Screens and papers show these as separate entries with labelled lines, never as one pasted
block, so the kiosk, the printed list and the QR code agree on the first place to go.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.catalog.models import Scenario

HALL_ROLE = "本厅综合窗口：提交申请、出示凭条、领取结果"
GUIDE_ROLE = "办事指南公布的办理地点"


@dataclass(frozen=True)
class ServicePoint:
    name: str
    address: str = ""
    hours: str = ""
    phone: str = ""
    role: str = ""  # why go there, in words

    def lines(self) -> tuple[str, ...]:
        """The entry as labelled lines; empty values are left out."""
        labelled = (("地址", self.address), ("时间", self.hours), ("电话", self.phone))
        return (self.name, *(f"{label}：{value}" for label, value in labelled if value))


def hall_window(
    name: str, office: str, address: str = "", phone: str = "", hours: str = ""
) -> ServicePoint:
    """This hall's comprehensive window, from the settings' ``[hall]``."""
    return ServicePoint(" ".join(p for p in (name, office) if p), address, hours, phone, HALL_ROLE)


def where_to_go(scenario: Scenario | None, hall: ServicePoint) -> tuple[ServicePoint, ...]:
    """``hall`` first, then the guide's service points in the guide's order (the guide's consult
    phone beside them; a point repeating the hall's name and address is not listed twice)."""
    if scenario is None:
        return (hall,)
    guide = scenario.guide
    phone = "、".join(guide.contacts.consult)
    points = [hall]
    for location in guide.locations:
        point = ServicePoint(
            location.name,
            location.address,
            location.hours or guide.service_hours,
            phone,
            GUIDE_ROLE,
        )
        if all((p.name, p.address) != (point.name, point.address) for p in points):
            points.append(point)
    return tuple(points)
