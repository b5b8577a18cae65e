"""One agency across its years: the name rule of converter/agency_match.py, on strings.

Names from the seeds (六安市裕安区人民政府办公室, 偃师市人民政府办公室, 三明市梅列区人民政府, 相山经济开发区),
the real reports (河北省教育厅, 淮安市人民政府, 上海市人民政府办公厅, 平潭综合实验区) and the ways the same
agency writes its name in other years (with or without its city or province)."""

from __future__ import annotations

import pytest

from converter.agency_match import Agency, parse_name, possible_matches


@pytest.mark.parametrize(
    ("name", "division", "organ", "reduced"),
    [
        ("六安市裕安区人民政府", "341503", "人民政府", "裕安区人民政府"),
        ("裕安区人民政府", "341503", "人民政府", "裕安区人民政府"),
        ("安徽省六安市裕安区人民政府", "341503", "人民政府", "裕安区人民政府"),
        ("六安市裕安区人民政府办公室", "341503", "人民政府办公室", "裕安区人民政府办公室"),
        ("偃师市人民政府办公室", "410381", "人民政府办公室", "偃师市人民政府办公室"),
        ("三明市梅列区人民政府", "350402", "人民政府", "梅列区人民政府"),
        ("淮安市人民政府", "320800", "人民政府", "淮安市人民政府"),
        ("河北省教育厅", "130000", "教育厅", "河北省教育厅"),
        ("上海市人民政府办公厅", "310000", "人民政府办公厅", "上海市人民政府办公厅"),
        ("北京市朝阳区人民政府", "110105", "人民政府", "朝阳区人民政府"),
        ("六安市 裕安区人民政府", "341503", "人民政府", "裕安区人民政府"),  # a space in a crawled title
    ],
)
def test_a_name_is_its_division_and_organ(name: str, division: str, organ: str, reduced: str) -> None:
    parsed = parse_name(name)
    assert (parsed.division, parsed.organ, parsed.reduced) == (division, organ, reduced)
    assert parsed.province == division[:2]


@pytest.mark.parametrize(
    "name",
    [
        "相山经济开发区",  # names no place the gazetteer knows
        "平潭综合实验区",
        "朝阳区人民政府",  # 朝阳区 of Beijing or of Changchun: ambiguous without its city
        "鼓楼区人民政府",  # four 鼓楼区
        "国家税务总局六安市裕安区税务局",  # the place does not begin the name
        "六安裕安区人民政府",  # 六安 is not written in full
    ],
)
def test_a_name_without_a_certain_division_has_none(name: str) -> None:
    assert parse_name(name).division is None


def agency(name: str, *years: int) -> Agency:
    return Agency(f"urn:agency:{name}", name, frozenset(years))


def pairs(*agencies: Agency) -> set[frozenset[str]]:
    """The names proposed together, each pair as a set (the order is the IRIs')."""
    return {frozenset((p.first.name, p.second.name)) for p in possible_matches(agencies)}


def pair(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


def test_with_or_without_the_city_prefix_is_proposed() -> None:
    found = possible_matches([agency("六安市裕安区人民政府", 2020, 2021), agency("裕安区人民政府", 2019)])
    assert [(p.first.name, p.second.name, p.reduced) for p in found] == [
        ("六安市裕安区人民政府", "裕安区人民政府", "裕安区人民政府")
    ]
    message = found[0].message()
    assert "'裕安区人民政府' (2019)" in message and "(2020, 2021)" in message and "not merged" in message


def test_with_the_province_too_every_pair_is_proposed() -> None:
    assert pairs(
        agency("安徽省六安市裕安区人民政府", 2022),
        agency("六安市裕安区人民政府", 2020, 2021),
        agency("裕安区人民政府", 2019),
    ) == {
        pair("六安市裕安区人民政府", "安徽省六安市裕安区人民政府"),
        pair("六安市裕安区人民政府", "裕安区人民政府"),
        pair("安徽省六安市裕安区人民政府", "裕安区人民政府"),
    }


def test_the_office_is_not_the_government() -> None:
    """办公室 is another organ than the government it serves: never proposed (seed 000's agency)."""
    assert pairs(agency("六安市裕安区人民政府办公室", 2020), agency("裕安区人民政府", 2019)) == set()
    assert pairs(agency("六安市裕安区人民政府办公室", 2020), agency("六安市裕安区人民政府", 2021)) == set()


def test_an_institutional_reform_is_not_proposed() -> None:
    """梅列区 was merged into 三元区 in 2021; 偃师市 became 洛阳市偃师区 (seed 001's agency): another
    division or another organ name, so the two series stay apart."""
    assert pairs(agency("三明市梅列区人民政府", 2019, 2020), agency("三明市三元区人民政府", 2021)) == set()
    assert pairs(agency("偃师市人民政府办公室", 2020), agency("洛阳市偃师区人民政府办公室", 2021)) == set()
    # a department renamed in a reform: the same division, another organ
    assert pairs(agency("河北省工业和信息化厅", 2022), agency("河北省工业厅", 2018)) == set()


def test_overlapping_years_are_two_agencies() -> None:
    assert pairs(agency("六安市裕安区人民政府", 2020, 2021), agency("裕安区人民政府", 2021)) == set()
    # one overlap in the group leaves the whole group alone
    assert (
        pairs(
            agency("六安市裕安区人民政府", 2020),
            agency("安徽省六安市裕安区人民政府", 2020),
            agency("裕安区人民政府", 2019),
        )
        == set()
    )


def test_ambiguous_places_and_other_wordings_are_not_proposed() -> None:
    assert pairs(agency("北京市朝阳区人民政府", 2020), agency("朝阳区人民政府", 2019)) == set()
    assert pairs(agency("六安市裕安区人民政府", 2020), agency("裕安区政府", 2019)) == set()  # 政府 ≠ 人民政府
    # a city: the same rule at the level the names reach (real report: 淮安市人民政府)
    assert pairs(agency("淮安市人民政府", 2024), agency("江苏省淮安市人民政府", 2023)) == {
        pair("淮安市人民政府", "江苏省淮安市人民政府")
    }
