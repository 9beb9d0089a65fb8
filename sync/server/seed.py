"""Test persons of the reference platform: shared data (共享数据) and e-licences (电子证照).

Every number is a valid GB 11643 number of an invented person; the facts use the catalog's fact
keys (resources/catalog/_catalog.yaml), so a kiosk or a counter reading one of these ID cards
sees its questions answered from shared data, and materials exempt by a verified e-licence.
"""

from __future__ import annotations

from typing import Any

from sync.server.store import PlatformStore

SOURCE = "湖南省政务服务平台 数据共享（参考平台测试数据）"
Licence = tuple[str, str, str, str]  # type, number, issuer, holder

# Keyed by ID number: the people of app.devices.simulated.TEST_PERSONS (the demo's ID reader).
PERSONS: tuple[tuple[str, str, dict[str, Any], tuple[Licence, ...]], ...] = (
    (
        "43010419920315204X",
        "李芳",
        {
            "newborn.born_in_province_facility": True,
            "newborn.within_six_months": True,
            "parents.household_non_collective": True,
            "parents.married": True,
            "parents.same_ethnicity": True,
            "housing_fund.has_account": True,
        },
        (
            ("居民户口簿", "430104-2019-0031877", "长沙市公安局岳麓分局", "李芳"),
            ("结婚证", "J430104-2019-004512", "长沙市岳麓区民政局", "李芳"),
        ),
    ),
    (
        "430104196411152016",
        "王建国",
        {
            "pension.active_enterprise_insured": True,
            "pension.special_job_registered": False,
            "housing_fund.has_account": True,
            "housing_fund.unsettled_loan": False,
            "family_planning.only_child_parent": True,
        },
        (
            ("居民户口簿", "430104-1998-0102233", "长沙市公安局岳麓分局", "王建国"),
            (
                "中华人民共和国社会保障卡",
                "430104196411152016",
                "湖南省人力资源和社会保障厅",
                "王建国",
            ),
        ),
    ),
    (
        "430102195508080015",
        "赵秀英",
        {
            "deceased.hukou_in_province": True,
            "deceased.enterprise_retiree": True,
            "deceased.has_driving_licence": False,
            "deceased.has_housing_fund": True,
        },
        (("居民户口簿", "430102-1990-0007781", "长沙市公安局芙蓉分局", "赵秀英"),),
    ),
)


def seed(store: PlatformStore) -> int:
    """Load the test persons (again: their data is replaced); returns how many."""
    for id_number, _name, facts, licences in PERSONS:
        store.seed_person(id_number, facts, source=SOURCE, licences_=licences)
    return len(PERSONS)
