"""Provinces: the ``province`` code list (GB/T 2260 two-digit codes) and an agency's province.

An annual report names its agency (``六安市裕安区人民政府``), not the province it belongs to, so
the province is derived from the name with the cpca gazetteer (Chinese Province, City and Area
recognition; its administrative-division table knows prefecture- and county-level names such as
``六安市`` or ``偃师市`` and maps them to their province). The code is the first two digits of
the administrative division code cpca finds. Names that name no place (``国家税务总局``,
``相山经济开发区``) have no province: they are counted in the national figures only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple


class Province(NamedTuple):
    code: str  # GB/T 2260, two digits
    zh: str
    en: str


PROVINCES: tuple[Province, ...] = (
    Province("11", "北京市", "Beijing"),
    Province("12", "天津市", "Tianjin"),
    Province("13", "河北省", "Hebei"),
    Province("14", "山西省", "Shanxi"),
    Province("15", "内蒙古自治区", "Inner Mongolia"),
    Province("21", "辽宁省", "Liaoning"),
    Province("22", "吉林省", "Jilin"),
    Province("23", "黑龙江省", "Heilongjiang"),
    Province("31", "上海市", "Shanghai"),
    Province("32", "江苏省", "Jiangsu"),
    Province("33", "浙江省", "Zhejiang"),
    Province("34", "安徽省", "Anhui"),
    Province("35", "福建省", "Fujian"),
    Province("36", "江西省", "Jiangxi"),
    Province("37", "山东省", "Shandong"),
    Province("41", "河南省", "Henan"),
    Province("42", "湖北省", "Hubei"),
    Province("43", "湖南省", "Hunan"),
    Province("44", "广东省", "Guangdong"),
    Province("45", "广西壮族自治区", "Guangxi"),
    Province("46", "海南省", "Hainan"),
    Province("50", "重庆市", "Chongqing"),
    Province("51", "四川省", "Sichuan"),
    Province("52", "贵州省", "Guizhou"),
    Province("53", "云南省", "Yunnan"),
    Province("54", "西藏自治区", "Xizang (Tibet)"),
    Province("61", "陕西省", "Shaanxi"),
    Province("62", "甘肃省", "Gansu"),
    Province("63", "青海省", "Qinghai"),
    Province("64", "宁夏回族自治区", "Ningxia"),
    Province("65", "新疆维吾尔自治区", "Xinjiang"),
    Province("71", "台湾省", "Taiwan"),
    Province("81", "香港特别行政区", "Hong Kong"),
    Province("82", "澳门特别行政区", "Macao"),
)
PROVINCE_BY_CODE = {p.code: p for p in PROVINCES}


def preload() -> None:
    """Get cpca ready now (it imports pandas and reads its table on its first name, the slowest
    import of the converter), e.g. in a thread while the store bulk-loads."""
    provinces_of(["北京市人民政府"])


def provinces_of(names: Sequence[str]) -> list[Province | None]:
    """The province of each agency name (None when the name names no place cpca knows).

    cpca and its pandas table are imported here, on first use: only ``gongkai load`` needs them.
    """
    if not names:
        return []
    import cpca

    codes = cpca.transform(list(names))["adcode"]
    return [PROVINCE_BY_CODE.get(code[:2]) if isinstance(code, str) else None for code in codes]
