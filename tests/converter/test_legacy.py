"""Legacy reports (2008 regulation): 附表/统计表 figures and prose, under the legacy code list."""

from __future__ import annotations

from pathlib import Path

from converter.pipeline import convert_file
from converter.tables.layout import Generation

PINGTAN_2018 = Path(__file__).parents[1] / "fixtures" / "pingtan" / "pingtan_2018_page.txt"


def test_pingtan_2018_flattened_statistics_table() -> None:
    report = convert_file(PINGTAN_2018)
    assert (report.meta.agency, report.meta.year, report.generation) == ("平潭综合实验区", 2018, Generation.LEGACY)
    assert report.meta.url and report.meta.url.endswith("t20190110_80529.htm")
    values = {c.key[1]: c.value for c in report.cells}
    # "受理依申请公开信息总数条00" … "行政诉讼数件00": 本年度 0, 历年累计 0
    for notation in (
        "applications-received",
        "applications-in-person",
        "applications-online",
        "applications-letter-fax",
        "answered",
        "granted",
        "partially-granted",
        "refused",
        "answered-other",
        "review",
        "litigation",
        "litigation-and-complaints",
    ):
        assert values[notation] == 0, notation
    # "主动公开文件数条206912106" splits three ways; the prose says 主动公开政府信息2069条
    assert values["proactive-disclosed"] == 2069
    codes = [i.code for i in report.issues]
    assert "legacy-from-prose" in codes
    ambiguous = [i for i in report.issues if i.code == "cell-ambiguous"]
    assert any("206912106" in i.message for i in ambiguous)
    assert "proactive-website" not in values
