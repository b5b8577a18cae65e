import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from converter.numbers import MEMO_LENGTH, header_unit, is_blank, is_value, nfkc, normalize, parse_number


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


# Characters NFKC changes or composes: full-width forms, kana with (half-width) voiced marks, Hangul
# jamo, Latin with combining marks, and line breaks, where ``nfkc`` cuts the text.
TRICKY = st.sampled_from(
    list("\n\n\t （）：０１２ＡａＢ\u00a0\u3000かｶﾞ\u3099\u309a가\u1100\u1161\u11a8eA\u0301\u0323\u212b㍿")
)


@settings(max_examples=300)
@given(text=st.text(alphabet=st.one_of(TRICKY, st.characters()), max_size=600))
def test_nfkc_line_by_line_is_nfkc(text: str) -> None:
    for sample in (text, text * 20):  # short ones are memoized, long lines too, whole documents not
        assert nfkc(sample) == unicodedata.normalize("NFKC", sample)
        assert nfkc(sample) == nfkc(sample)  # from the memo now
        assert normalize(sample) == unicodedata.normalize("NFKC", sample).replace("\u00a0", " ").strip()


def test_long_cells_are_read_like_short_ones() -> None:
    long_number, long_label = "１" * (MEMO_LENGTH + 1), "本年新制作数量" * 40
    number = parse_number(long_number)
    assert number is not None and number.value == Decimal("1" * (MEMO_LENGTH + 1))
    assert parse_number(long_label) is None and not is_value(long_label) and not is_blank(long_label)
    assert parse_number("增 6") is parse_number("增 6")  # memoized: a Number is immutable
