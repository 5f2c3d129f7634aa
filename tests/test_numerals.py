"""Chinese numerals read and written without cn2an give cn2an's answers (graph/numerals.py)."""

from __future__ import annotations

import subprocess
import sys

import cn2an
import pytest

from quanze.graph.numerals import read, spell, to_chinese, to_int


def _cn2an_spelling(number: int) -> str:
    text = cn2an.an2cn(number)
    return text[1:] if text.startswith("一十") else text


def test_every_number_to_9999_is_spelt_and_read_as_cn2an_does():
    for number in range(1, 10000):
        text = spell(number)
        assert text == _cn2an_spelling(number) == to_chinese(number)
        assert read(text) == number == cn2an.cn2an(text, "normal") == cn2an.cn2an(text, "smart") == to_int(text)
        if text.startswith("十"):
            assert read("一" + text) == number == cn2an.cn2an("一" + text, "normal")


@pytest.mark.parametrize("text", ["十十", "百", "一万", "3百", "零", "一百零", "二零", "一零一", "十一十", "两百", "", "八十七条"])
def test_other_text_is_left_to_cn2an(text):
    assert read(text) is None
    try:
        expected = int(cn2an.cn2an(text, "normal"))
    except (ValueError, KeyError) as error:
        with pytest.raises(type(error)):
            to_int(text)
    else:
        assert to_int(text) == expected


def test_numbers_past_9999_are_cn2ans():
    assert spell(10000) is None and to_chinese(10000) == _cn2an_spelling(10000)
    assert spell(0) is None


def test_the_command_line_and_validation_do_not_import_cn2an():
    code = ("import sys; import quanze.graph.cli, quanze.graph.store.registers; "
            "from quanze.graph.validate.shapes import toolkit; toolkit(); print('cn2an' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120).stdout
    assert out.strip() == "False"
