"""Citations of instruments the catalogue lacks (graph/align/instruments.py): recognised by
title, typed by level where a tag, the document number or the title says it; OCR debris is not."""

import pytest

from quanze.graph.align.instruments import clean_title, level_of, uncatalogued


@pytest.mark.parametrize(
    "title,number,before,level",
    [
        ("重庆市骗取社会保险基金处理办法", "渝府令第231号", "", "地方政府规章"),
        ("社会保险费征缴监督检查办法", "劳动和社会保障部令第3号", "【规章】", "部门规章"),
        ("社会保险费征缴暂行条例", "国务院令第259号", "", "行政法规"),
        ("安徽省人口与计划生育条例", None, "", "地方性法规"),
        ("某省实施办法", "甘医保发〔2023〕44号", "", "规范性文件"),
        ("某某办法", None, "【部门规章】", "部门规章"),
    ],
)
def test_level(title, number, before, level):
    assert level_of(title, number, before) == level


def test_a_notice_that_issues_measures_names_the_measures():
    assert clean_title("国家医疗保障局 财政部关于印发〈违法违规使用医疗保障基金举报奖励办法〉的通知") == "违法违规使用医疗保障基金举报奖励办法"
    assert clean_title("安徽省人民政府关于贯彻落实〈社会救助暂行办法〉的实施意见") == "安徽省人民政府关于贯彻落实《社会救助暂行办法》的实施意见"


@pytest.mark.parametrize("debris", ["中华人民共和国基本本户程度", "世界", "中华人民共和国社会会保一个学", "里里看看一个。8.", "社会"])
def test_ocr_debris_is_not_an_instrument(debris):
    assert uncatalogued(debris, None, "", 40.0) is None


def test_a_near_miss_of_a_catalogued_title_is_not_a_new_instrument():
    assert uncatalogued("医疗保障基金使用监督管理条列", None, "", 80.0) is None
