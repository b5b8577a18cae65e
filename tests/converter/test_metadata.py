"""The agency and year of a report, read from real reports' titles however they are printed, from
the opening sentence, from the body; and a refusal, never a generic name, when none names an agency.

An agency IRI is the key every query joins on: the Huai'an PDF, whose title is printed over two
lines, was once published under the agency "政府", with every other report whose title was read the
same way.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from converter.agency import agency_from_opening, is_plausible
from converter.errors import MetadataMissing
from converter.extract import extract
from converter.metadata import parse_title, read_metadata, read_title
from converter.options import ConvertOptions, read_manifest
from converter.pipeline import convert_file

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SEEDS = ROOT / "data" / "seeds"

# The opening of the Huai'an report as its PDF prints it (extract() of the real file gives these lines).
HUAIAN_OPENING = [
    "本报告由淮安市人民政府办公室根据《中华人民共和国政府",
    "信息公开条例》（国令第 711 号）（以下简称《条例》）规定编",
    "制。报告所列统计期限自 2024 年 1 月 1 日至 2024 年 12 月 31 日",
    "如对本报告有疑问，请与淮安市人民政府办公室联系（地址：淮",
    "安市翔宇南道 1 号，邮编：223001，电话：0517-83605210）。",
    "一、总体情况",
    "2024年，我市坚持以习近平新时代中国特色社会主义思想为指导，严格落实《条例》各项规定。",
]


def codes(meta) -> set[str]:  # type: ignore[no-untyped-def]
    return {issue.code for issue in meta.issues}


# ---------------------------------------------------------------------------------------------
# Titles however they are broken over lines


def test_huaian_title_over_two_lines() -> None:
    meta = read_metadata(["淮安市人民政府", "2024 年政府信息公开工作年度报告", *HUAIAN_OPENING])
    assert (meta.agency, meta.year) == ("淮安市人民政府", 2024)
    assert meta.title == "淮安市人民政府2024年政府信息公开工作年度报告"
    assert not codes(meta) & {"agency-from-body", "agency-inferred", "title-missing", "year-inferred"}


def test_huaian_pdf_as_extracted() -> None:
    lines = extract(FIXTURES / "huaian_municipal_2024.pdf").lines
    assert lines[:2] == ("淮安市人民政府", "2024 年政府信息公开工作年度报告")  # the title as the PDF prints it
    meta = read_metadata(lines)
    assert (meta.agency, meta.year) == ("淮安市人民政府", 2024)


def test_huaian_pdf_converts_under_its_agency() -> None:
    report = convert_file(FIXTURES / "huaian_municipal_2024.pdf")
    assert (report.meta.agency, report.meta.year) == ("淮安市人民政府", 2024)


@pytest.mark.parametrize(
    "lines",
    [
        ["2024 年政府信息公开工作年度报告", "淮安市人民政府"],  # the agency printed under the title
        ["淮安市人民政府", "2024年政府信息公开", "工作年度报告"],  # three pieces
        ["淮安市人民政府2024年", "政府信息公开工作年度报告"],
        ["淮安市人民", "政府2024年政府信息公开工作年度报告"],
        ["淮 安 市 人 民 政 府", "2 0 2 4 年 政 府 信 息 公 开 工 作 年 度 报 告"],  # spaces between characters
        ["淮安市人民政府", "", "２０２４年政府信息公开工作年度报告"],  # full-width digits, a blank line between
        ["淮安市人民政府", "二〇二四年政府信息公开工作年度报告"],
        ["标题: 淮安市人民政府2024年度政府信息公开工作年度报告", "发布时间: 2025-01-20 10:00"],  # a crawler header
    ],
)
def test_title_broken_or_spaced(lines: list[str]) -> None:
    meta = read_metadata([*lines, *HUAIAN_OPENING])
    assert (meta.agency, meta.year) == ("淮安市人民政府", 2024)
    assert "agency-from-body" not in codes(meta)


@pytest.mark.parametrize(
    ("title", "agency", "year"),
    [
        ("偃师市人民政府办公室2020年政府信息公开工作年度报告", "偃师市人民政府办公室", 2020),
        ("泗洪县人民政府关于2022年度政府信息公开工作的年度报告", "泗洪县人民政府", 2022),
        ("2023年度淮安市生态环境局政府信息公开工作年度报告", "淮安市生态环境局", 2023),
        ("2019年上海市人民政府办公厅政府信息公开工作年度报告", "上海市人民政府办公厅", 2019),
        ("南京市江宁区政府信息公开工作2021年度报告", "南京市江宁区", 2021),
        ("河北省工业和信息化厅2022年政府信息公开工作年度报告", "河北省工业和信息化厅", 2022),
        ("国家税务总局2023年政府信息公开工作年度报告", "国家税务总局", 2023),
        ("安庆市人民政府2017年政府信息公开工作报告", "安庆市人民政府", 2017),  # a legacy title
        ("平潭综合实验区2018年度政府信息公开工作年度报告（全文）", "平潭综合实验区", 2018),
    ],
)
def test_title_forms(title: str, agency: str, year: int) -> None:
    found = parse_title(title)
    assert found is not None
    assert (found.agency, found.year) == (agency, year)


def test_agency_line_above_a_full_title_is_not_joined() -> None:
    """Seed 000 prints the issuing office above the title: the title line alone names the agency."""
    found = read_title(["", "六安市裕安区人民政府办公室", "", "六安市裕安区人民政府 2020 年政府信息公开工作年度报告"])
    assert found is not None
    assert (found.agency, found.year) == ("六安市裕安区人民政府", 2020)
    assert found.text == "六安市裕安区人民政府 2020 年政府信息公开工作年度报告"  # the label as printed


def test_not_a_title() -> None:
    assert parse_title("2024年，我市坚持以习近平新时代中国特色社会主义思想为指导") is None
    assert parse_title("二、主动公开政府信息情况") is None


# ---------------------------------------------------------------------------------------------
# The opening sentence


def test_government_office_compiles_the_governments_report() -> None:
    """The opening "本报告由淮安市人民政府办公室…编制" names the compiling office; the report is the government's."""
    meta = read_metadata(["2024年政府信息公开工作年度报告", *HUAIAN_OPENING[:5], "一、总体情况", "2024年，市政府…"])
    assert (meta.agency, meta.year) == ("淮安市人民政府", 2024)
    assert "agency-from-body" in codes(meta)
    note = next(i for i in meta.issues if i.code == "agency-from-body")
    assert "本报告由淮安市人民政府办公室" in note.message


def test_office_without_sign_of_the_government_is_the_office() -> None:
    text = "本报告由淮安市人民政府办公室编制。\n一、总体情况\n2023年，办公室深化政务公开。"
    assert agency_from_opening(text)[0] == "淮安市人民政府办公室"
    assert agency_from_opening(text, title_says_government=True)[0] == "淮安市人民政府"


def test_department_compiles_its_own_report() -> None:
    text = "本报告由淮安市生态环境局根据《条例》编制。\n一、总体情况\n2023年，市生态环境局按照市政府部署…"
    assert agency_from_opening(text)[0] == "淮安市生态环境局"


@pytest.mark.parametrize(
    ("opening", "agency"),
    [
        ("淮安市交通运输局根据《中华人民共和国政府信息公开条例》规定编制本报告。", "淮安市交通运输局"),
        ("根据《条例》要求，淮安市交通运输局编制完成了本年度报告。", "淮安市交通运输局"),
        ("报告是根据《条例》要求，由相山经济开发区编制。", "相山经济开发区"),  # seed 003
        (  # hebei_jyt_2021.txt
            "依据《中华人民共和国政府信息公开条例》（国务院令第711号）要求，发布河北省教育厅2021年政府信息公开工作年度报告。",
            "河北省教育厅",
        ),
        ("现公布淮安市人民政府2023年政府信息公开工作年度报告。", "淮安市人民政府"),
        ("无为市人民政府2023年政府信息公开工作年度报告由无为市人民政府办公室编制。", "无为市人民政府"),
    ],
)
def test_opening_sentence_forms(opening: str, agency: str) -> None:
    assert agency_from_opening(opening + "\n一、总体情况\n")[0] == agency


@pytest.mark.parametrize(
    "opening",
    [
        "本年度报告依据《条例》要求，由区政府结合有关统计数据编制。",  # seed 000: "区政府" names no one
        "根据《条例》要求，区管委会办公室编制完成了本报告。",  # pingtan 2018
        "根据《福建省人民政府办公厅关于编制公布2021年政府信息公开工作年度报告有关事项的通知》，我区编制完成了本报告。",
    ],
)
def test_opening_sentence_with_a_generic_compiler_names_no_agency(opening: str) -> None:
    agency, read = agency_from_opening(opening + "\n一、总体情况\n")
    assert agency is None
    assert read in {"区政府", "区管委会办公室", "我区"}


def test_the_opening_ends_at_the_first_section() -> None:
    """Seed 004 starts with "一、总体情况": its later sentences are not an opening."""
    text = (SEEDS / "004_fcf6f2f4fa3c5b01.txt").read_text(encoding="utf-8")
    assert agency_from_opening(text) == (None, None)


# ---------------------------------------------------------------------------------------------
# The body, last; the year


def test_body_self_references_are_the_last_resort() -> None:
    lines = (SEEDS / "004_fcf6f2f4fa3c5b01.txt").read_text(encoding="utf-8").splitlines()
    meta = read_metadata(lines)
    assert (meta.agency, meta.year) == ("三明市梅列区人民政府", 2020)
    assert {"title-missing", "agency-inferred", "year-inferred"} <= codes(meta)


def test_title_year_wins_over_publication_year() -> None:
    lines = ["淮安市人民政府", "2024年政府信息公开工作年度报告", "2025年1月20日", "2025年，我们将…", "2025年…"]
    assert read_metadata(lines).year == 2024


@pytest.mark.parametrize(
    "sentence",
    [
        "本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。",
        "报告中所列数据统计期限为2023年1月1日至12月31日。",
        "本报告所列数据的统计期间为2023年1月1日至2023年12月31日。",
    ],
)
def test_year_from_the_statistics_period(sentence: str) -> None:
    meta = read_metadata([sentence, "2024年1月，我局…", "2024年工作安排", "2024年…"])
    assert meta.year == 2023
    assert "year-inferred" in codes(meta)


# ---------------------------------------------------------------------------------------------
# Refusals: never a generic name


@pytest.mark.parametrize(
    "name",
    ["政府", "人民政府", "本机关", "本单位", "我局", "市政府", "区政府", "办公室", "市政府办公室", "本级政府",
     "县人民政府办公室", "区管委会办公室", "财政局", "市财政局", "经济技术开发区", "住房和城乡建设局"],
)  # fmt: skip
def test_generic_names_are_not_agencies(name: str) -> None:
    assert not is_plausible(name)


@pytest.mark.parametrize(
    "name",
    ["淮安市人民政府", "六安市裕安区人民政府", "偃师市人民政府办公室", "相山经济开发区", "平潭综合实验区",
     "河北省教育厅", "国家税务总局", "海关总署", "教育部", "国务院办公厅", "城关镇人民政府", "延边朝鲜族自治州人民政府",
     "淮安人民政府"],
)  # fmt: skip
def test_names_of_places_and_organs_are_agencies(name: str) -> None:
    assert is_plausible(name)


def test_title_naming_only_government_is_refused() -> None:
    meta = read_metadata(["政府2024年政府信息公开工作年度报告", "一、总体情况", "2024年，全面推进政务公开。"])
    assert meta.agency is None
    assert meta.year == 2024
    assert meta.refused == ("政府",)


def test_file_whose_title_names_no_agency_is_refused_in_one_line(tmp_path: Path) -> None:
    """Seed 003's body (no 我区 to infer from) under a title that names only "区政府", without its
    opening sentence: one line that names the file, what was read and asks for a manifest row."""
    body = (SEEDS / "003_e68ad832c72094de.txt").read_text(encoding="utf-8").splitlines()[2:]
    path = tmp_path / "generic.txt"
    path.write_text("\n".join(["区政府2020年政府信息公开工作年度报告", *body]), encoding="utf-8")
    with pytest.raises(MetadataMissing) as raised:
        convert_file(path)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: the title names no agency (read '区政府')")
    assert "--manifest" in message


# ---------------------------------------------------------------------------------------------
# The manifest's title column


# The opening of hebei_gxt_2022.txt (shared/reports), a crawl's body text: no title, and "省工业和信息化厅"
# names no province. The crawl keeps the page title apart.
HEBEI_GXT_OPENING = [
    "",
    "\u3000\u3000根据《中华人民共和国政府信息公开条例》《河北省实施〈中华人民共和国政府信息公开条例〉办法》等规定，"
    "发布本年度报告。报告中所列数据统计期限为2022年1月1日至12月31日。\u3000\u3000一、总体情况\u3000\u30002022年，"
    "省工业和信息化厅坚持以习近平新时代中国特色社会主义思想为指导，以迎接、学习、宣传、贯彻党的二十大为主线。",
    "2023年，省工业和信息化厅将继续…",
]


def test_crawl_without_title_is_refused_then_read_from_the_manifest_title() -> None:
    meta = read_metadata(HEBEI_GXT_OPENING)
    assert (meta.agency, meta.year) == (None, 2022)
    given = read_metadata(HEBEI_GXT_OPENING, given_title="河北省工业和信息化厅2022年政府信息公开工作年度报告")
    assert (given.agency, given.year) == ("河北省工业和信息化厅", 2022)
    assert not codes(given) & {"title-missing", "agency-from-body", "agency-inferred", "year-inferred"}


def test_manifest_title_gives_agency_and_year(tmp_path: Path) -> None:
    """A crawl record with a title only (file,title): seed 003's body without its title and its
    opening sentence names no agency; the manifest's title column gives agency and year."""
    body = (SEEDS / "003_e68ad832c72094de.txt").read_text(encoding="utf-8").splitlines()[2:]
    source = tmp_path / "page.txt"
    source.write_text("\n".join(body), encoding="utf-8")
    with pytest.raises(MetadataMissing, match="--manifest"):
        convert_file(source)
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,title\npage.txt,相山经济开发区2020年政府信息公开工作年度报告\n", encoding="utf-8")
    report = convert_file(source, ConvertOptions(manifest=read_manifest(manifest)))
    assert (report.meta.agency, report.meta.year) == ("相山经济开发区", 2020)
    assert report.meta.title == "相山经济开发区2020年政府信息公开工作年度报告"
    assert not {i.code for i in report.issues} & {"title-missing", "agency-from-body", "agency-inferred"}


def test_manifest_agency_wins_over_manifest_title(tmp_path: Path) -> None:
    shutil.copy(SEEDS / "004_fcf6f2f4fa3c5b01.txt", tmp_path / "r.txt")
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        "file,agency,year,title\nr.txt,三明市梅列区人民政府,,三明市三元区人民政府2021年政府信息公开工作年度报告\n",
        encoding="utf-8",
    )
    report = convert_file(tmp_path / "r.txt", ConvertOptions(manifest=read_manifest(manifest)))
    assert (report.meta.agency, report.meta.year) == ("三明市梅列区人民政府", 2021)  # the year from the title


def test_manifest_title_wins_over_printed_title() -> None:
    meta = read_metadata(
        ["淮安市人民政府", "2024年政府信息公开工作年度报告"],
        given_title="淮安市淮安区人民政府2024年政府信息公开工作年度报告",
    )
    assert meta.agency == "淮安市淮安区人民政府"


@pytest.mark.parametrize(
    ("title", "agency", "year"),
    [
        ("关于淮安市人民政府2024年度政府信息公开工作年度报告", "淮安市人民政府", 2024),
        ("首页 > 政务公开 > 政府信息公开年报 > 相山经济开发区2020年政府信息公开工作年度报告", "相山经济开发区", 2020),
        ("政府信息公开年报 相山经济开发区2020年政府信息公开工作年度报告", "相山经济开发区", 2020),
        ("当前位置：首页›信息公开›年度报告›宿州市教育局2022年政府信息公开工作年度报告", "宿州市教育局", 2022),
        ("关于2023年度政府信息公开工作年度报告", None, 2023),
    ],
)
def test_titles_with_about_or_a_breadcrumb_run_into_them(title: str, agency: str | None, year: int) -> None:
    """A crawl runs the site's navigation into the title; "关于" opens some titles: neither is the agency."""
    read = parse_title(title)
    assert read is not None
    assert (read.agency, read.year) == (agency, year)
