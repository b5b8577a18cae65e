from decimal import Decimal

import pytest

from converter.numbers import header_unit, is_blank, is_value, parse_number


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("增 6", Decimal(6), None),
        ("减 540", Decimal(-540), None),
        ("-18", Decimal(-18), None),
        ("28370 万元", Decimal(28370), "wan-yuan"),
        ("251000元", Decimal(251000), "yuan"),
        ("73802895.90元", Decimal("73802895.90"), "yuan"),
        ("24252.311082", Decimal("24252.311082"), None),
        (" 0", Decimal(0), None),
        ("0 ", Decimal(0), None),
        ("１２", Decimal(12), None),
        ("1,234", Decimal(1234), None),
    ],
)
def test_numbers_as_reports_print_them(text: str, value: Decimal, unit: str | None) -> None:
    number = parse_number(text)
    assert number is not None
    assert (number.value, number.unit) == (value, unit)


@pytest.mark.parametrize("text", ["1. 属于国家秘密", "第二十条第（一）项", "总计", "2020年", "", "增"])
def test_labels_are_not_numbers(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize("text", ["-", "—", "/", "无"])
def test_blank_markers(text: str) -> None:
    assert is_blank(text) and is_value(text) and parse_number(text) is None


def test_unit_in_header() -> None:
    assert header_unit("采购总金额（单位：万元，保留4位小数）") == "wan-yuan"
    assert header_unit("本年收费金额（单位：万元）") == "wan-yuan"
    assert header_unit("采购总金额(元)") == "yuan"
    assert header_unit("采购总金额") is None
