"""The web pages in a real headless browser (Debian's chromium, driven by selenium).

A new user opens the home page, runs an example query in one click and gets a table, and
uploads a register for validation and reads the report. Needs /usr/bin/chromium and
/usr/bin/chromedriver (Debian packages chromium and chromium-driver; .ci/run installs them).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(DRIVER).exists()),
    reason="Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium')}")
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def _wait(browser, condition, timeout=15):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout).until(condition)


def _column(table, index):
    from selenium.webdriver.common.by import By

    return [row.find_elements(By.TAG_NAME, "td")[index].text for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")]


def test_home_then_one_click_example_query_sorted_and_shared(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    browser.get(server + "/")
    assert "北关区" in browser.page_source
    browser.find_element(By.LINK_TEXT, "SPARQL 查询").click()
    examples = _wait(browser, ec.presence_of_all_elements_located((By.CSS_SELECTOR, "button.example")))
    assert browser.execute_script("return !!window.quanzeEditor"), "the YASGUI editor did not start"
    examples[0].click()  # 各辖区按权力类型统计的权力事项数
    table = _wait(browser, ec.presence_of_element_located((By.CSS_SELECTOR, "#yasr table#result-table")))
    headers = [th.text for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
    assert "辖区" in headers and "事项数" in headers and "北关区" in table.text
    status = browser.find_element(By.ID, "status").text
    assert status.startswith("共 ") and " 行" in status and "rows" not in status
    # sort by 事项数: DataTables reorders the rows
    count = headers.index("事项数")

    def sorted_by_count(reverse):
        def check(b):
            try:
                values = [int(v) for v in _column(b.find_element(By.ID, "result-table"), count) if v.strip()]
            except Exception:  # the table is being redrawn
                return False
            return len(values) > 5 and values == sorted(values, reverse=reverse) and len(set(values)) > 1

        return check

    for reverse in (False, True):  # ascending, then descending
        browser.execute_script("arguments[0].click()", browser.find_elements(By.CSS_SELECTOR, "#result-table thead th")[count])
        _wait(browser, sorted_by_count(reverse), 10)
    assert "/query/download?format=csv" in browser.find_element(By.ID, "csv").get_attribute("href")
    # share: the link opens the page with the query in the editor and runs it
    browser.find_element(By.ID, "share").click()
    url = browser.find_element(By.ID, "share-url").get_attribute("value")
    assert url.startswith(server + "/query?") and "query=" in url
    browser.get("about:blank")
    browser.get(url)
    table = _wait(browser, ec.presence_of_element_located((By.CSS_SELECTOR, "#yasr table#result-table")))
    assert "北关区" in table.text
    assert "事项数" in browser.execute_script("return window.quanzeEditor.yasqe.getValue()")


def test_editor_completes_qz_terms_and_marks_a_missing_prefix(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    browser.get(server + "/query?lang=en")
    _wait(browser, lambda b: b.execute_script("return !!window.quanzeEditor"))
    browser.execute_script("const y = window.quanzeEditor.yasqe; y.setValue(''); y.focus();")
    editor = browser.find_element(By.CSS_SELECTOR, "#yasqe .CodeMirror textarea")
    editor.send_keys("SELECT * WHERE { ?s a qz:")
    _wait(browser, lambda b: "PREFIX qz:" in b.execute_script("return window.quanzeEditor.yasqe.getValue()"), 5)
    editor.send_keys("PowerI")
    browser.execute_script("window.quanzeEditor.yasqe.autocomplete()")
    hints = _wait(browser, ec.presence_of_all_elements_located((By.CSS_SELECTOR, ".CodeMirror-hint")), 5)
    assert "qz:PowerItem" in [h.text for h in hints]
    browser.execute_script("window.quanzeEditor.yasqe.setValue('SELECT * WHERE {\\n  ?s ?p\\n  FILTER( }')")
    marker = _wait(browser, ec.presence_of_element_located((By.CSS_SELECTOR, "#yasqe .parseErrorIcon")), 5)
    line = browser.execute_script("return arguments[0].closest('.CodeMirror-gutter-wrapper').parentElement.querySelector('.CodeMirror-linenumber').textContent", marker)
    assert line == "3"  # the syntax error is marked at its line
    browser.execute_script("window.quanzeEditor.yasqe.setValue('SELECT * WHERE { ?s a qz:Nothing }')")
    browser.find_element(By.ID, "run").click()
    _wait(browser, lambda b: "not declared" in b.find_element(By.ID, "yasr").text)
    assert "PREFIX qz: <https://w3id.org/quanze/ontology#>" in browser.find_element(By.ID, "yasr").text
    assert "\\u{" not in browser.find_element(By.ID, "yasr").text


def test_query_page_in_english_and_example_search(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    browser.get(server + "/query?lang=en")
    search = _wait(browser, ec.presence_of_element_located((By.ID, "example-search")))
    search.send_keys("superseded")
    visible = [b for b in browser.find_elements(By.CSS_SELECTOR, "button.example") if b.is_displayed()]
    assert len(visible) == 1 and "superseded" in visible[0].text
    visible[0].click()
    _wait(browser, ec.presence_of_element_located((By.CSS_SELECTOR, "#yasr table#result-table")))
    status = browser.find_element(By.ID, "status").text
    assert "rows" in status and "共" not in status
    assert "Table" in browser.find_element(By.ID, "yasr").text


def test_upload_a_register_and_read_the_report(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    register = Path(__file__).parent / "data" / "invalid" / "risk-without-role.csv"
    browser.get(server + "/validate")
    browser.find_element(By.ID, "file").send_keys(str(register))
    browser.find_element(By.ID, "send").click()
    WebDriverWait(browser, 15).until(ec.presence_of_element_located((By.CSS_SELECTOR, "tr.Violation")))
    assert "风险点没有责任人" in browser.page_source and "医疗保障待遇支付" in browser.page_source


@pytest.fixture(scope="module")
def server_without_assets(store_path, tmp_path_factory):
    """A second server whose web assets (node_modules) are missing: the pages must fall back."""
    from tests._server import running_server

    with running_server(store_path, QUANZE_WEB_ASSETS=str(tmp_path_factory.mktemp("no-assets"))) as url:
        yield url


def test_query_page_falls_back_to_the_plain_editor_without_assets(server_without_assets, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    browser.get(server_without_assets + "/query")
    note = browser.find_element(By.ID, "fallback-note")
    assert note.is_displayed() and "npm ci" in note.text
    browser.find_elements(By.CSS_SELECTOR, "button.example")[0].click()
    table = _wait(browser, ec.presence_of_element_located((By.CSS_SELECTOR, "#results table#result-table")))
    assert "北关区" in table.text and browser.find_element(By.ID, "status").text.startswith("共 ")


def test_matrix_page_sticky_coloured_cells_link_to_items(server, browser):
    from selenium.webdriver.common.by import By

    browser.get(server + "/compare?a=340406&b=410503")
    table = browser.find_element(By.ID, "matrix-table")
    head = table.find_element(By.CSS_SELECTOR, "thead th")
    assert browser.execute_script("return getComputedStyle(arguments[0]).position", head) == "sticky"
    first = table.find_element(By.CSS_SELECTOR, "tbody th")
    assert browser.execute_script("return getComputedStyle(arguments[0]).position", first) == "sticky"
    high = table.find_element(By.CSS_SELECTOR, "td.cell.lv-high")
    colour = browser.execute_script("return getComputedStyle(arguments[0]).backgroundColor", high)
    blank = browser.execute_script("return getComputedStyle(arguments[0]).backgroundColor", table.find_element(By.CSS_SELECTOR, "td.cell.absent"))
    assert colour != blank and high.text.startswith("高")
    side = browser.find_element(By.ID, "side-table")
    assert side.find_elements(By.CSS_SELECTOR, "tr.only-a") and side.find_elements(By.CSS_SELECTOR, ".diff")
    canvases = browser.find_elements(By.CSS_SELECTOR, ".chart canvas")
    assert len(canvases) >= 4  # the four ECharts charts were drawn
    high.find_element(By.TAG_NAME, "a").click()
    assert "/id/power/" in browser.current_url
    assert browser.find_element(By.TAG_NAME, "h1").text


def test_english_variant_of_each_page(server, browser):
    from selenium.webdriver.common.by import By

    expectations = {
        "/?lang=en": "Jurisdiction", "/query?lang=en": "Example queries", "/validate?lang=en": "Validate a register",
        "/compare?lang=en": "Side by side", "/ontology?lang=en": "Classes", "/ontology/PowerItem?lang=en": "Power item",
        "/id/jurisdiction/410503?lang=en": "Power type", "/nowhere?lang=en": "Not found",
        "/id/law/social-insurance-law/art/87?lang=en": "Powers that rest on this article",
    }
    for path, words in expectations.items():
        browser.get(server + path)
        body = browser.find_element(By.TAG_NAME, "main").text
        assert words in body, path
        assert browser.find_element(By.ID, "lang-switch").text == "中文"
    browser.get(server + "/id/jurisdiction/410503?lang=en")
    browser.find_element(By.CSS_SELECTOR, "main table a").click()  # a power item's page
    assert "Legal basis" in browser.find_element(By.TAG_NAME, "main").text and "法律依据" not in browser.find_element(By.TAG_NAME, "main").text
    browser.get(server + "/compare?a=140423&b=620922&lang=en")
    switch = browser.find_element(By.ID, "lang-switch").get_attribute("href")
    assert "a=140423" in switch and "lang=zh" in switch  # switching language keeps the page's parameters


def test_xlsx_upload_report_names_sheet_excel_row_and_column(server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    from tests.test_clerk_report import defective_workbook

    register = defective_workbook(tmp_path / "北关区清单.xlsx")
    for lang, sheet_word, row_word in (("zh", "工作表", "行"), ("en", "Sheet", "Row")):
        browser.get(server + f"/validate?lang={lang}")
        browser.find_element(By.ID, "file").send_keys(str(register))
        browser.find_element(By.ID, "send").click()
        _wait(browser, ec.presence_of_element_located((By.ID, "rules")))
        rows = browser.find_elements(By.CSS_SELECTOR, "table.problems tr.Violation")
        cells = [[td.text for td in row.find_elements(By.TAG_NAME, "td")] for row in rows]
        assert ["权责清单", "3", "F · 实施依据", "《中华人民共和国社会保险法》第九百条"] in [c[:4] for c in cells]
        headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "table.problems tr th")]
        assert sheet_word in headers and row_word in headers
        advice = browser.find_element(By.CSS_SELECTOR, "td.advice").text
        assert ("条款" in advice) if lang == "zh" else ("article" in advice)
        assert "ArticleBasis" not in browser.page_source


def test_docs_render_from_local_assets(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    browser.get(server + "/docs")
    operations = _wait(browser, ec.presence_of_all_elements_located((By.CSS_SELECTOR, ".opblock")))
    assert len(operations) >= 6 and "/sparql" in browser.page_source


def test_large_result_renders_fast_and_text_stays_text(server, browser):
    import time

    from selenium.webdriver.common.by import By

    browser.get(server + "/query")
    _wait(browser, lambda b: b.execute_script("return !!window.quanzeEditor"))
    # the test server caps results at 5000 rows
    browser.execute_script("window.quanzeEditor.yasqe.setValue('SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5000')")
    start = time.monotonic()
    browser.find_element(By.ID, "run").click()
    _wait(browser, lambda b: "5000" in b.find_element(By.ID, "status").text, 30)
    assert time.monotonic() - start < 10  # YASR's own cell sanitising took ~6 s for these rows
    assert len(browser.find_elements(By.CSS_SELECTOR, "#result-table tbody tr")) == 50  # paged
    browser.execute_script("""window.quanzeEditor.yasqe.setValue('SELECT ?x WHERE { BIND("<img src=x onerror=window.pwned=1>" AS ?x) }')""")
    browser.find_element(By.ID, "run").click()
    _wait(browser, lambda b: "<img src=x" in b.execute_script("const t = document.getElementById('result-table'); return t ? t.innerText : ''"))
    assert not browser.execute_script("return window.pwned === 1")


@pytest.fixture(scope="module")
def province_server(store_path):
    """The seed store served as if it were the country: the compare page draws at most two jurisdictions at once."""
    from tests._server import running_server

    with running_server(store_path, QUANZE_PAGE_JURISDICTIONS="2") as url:
        yield url


def test_compare_page_shows_one_province_at_a_time_in_a_large_store(province_server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select

    def columns():
        return [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "#matrix-table thead th small")]

    browser.get(province_server + "/compare?a=340406&b=410503")
    province = Select(browser.find_element(By.ID, "province"))
    assert [o.get_attribute("value") for o in province.options] == ["14", "34", "41", "62"]  # no "all jurisdictions"
    assert province.first_selected_option.get_attribute("value") == "34"
    assert "安徽省" in browser.find_element(By.ID, "scope-note").text
    assert columns() == ["340406", "410503"]  # the province of a, and b beside it
    assert browser.find_elements(By.CSS_SELECTOR, "#side-table tr.both")
    assert len(browser.find_elements(By.CSS_SELECTOR, ".chart canvas")) >= 4

    province.select_by_value("14")
    browser.find_element(By.CSS_SELECTOR, "form.compare-form button[type=submit]").click()
    _wait(browser, lambda b: "province=14" in b.current_url)
    _wait(browser, ec.presence_of_element_located((By.ID, "matrix-table")))
    assert columns() == ["140423"]
    assert Select(browser.find_element(By.ID, "a")).first_selected_option.get_attribute("value") == "140423"
    assert "山西省" in browser.find_element(By.ID, "scope-note").text
    assert len(browser.find_elements(By.CSS_SELECTOR, ".chart canvas")) >= 4

    browser.get(province_server + "/compare?province=all&a=620922&b=140423&lang=en")
    assert "one province at a time" in browser.find_element(By.ID, "scope-limit").text
    assert Select(browser.find_element(By.ID, "province")).first_selected_option.get_attribute("value") == "62"
    assert columns() == ["140423", "620922"]


def test_compare_page_of_a_small_store_is_drawn_whole(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(server + "/compare?a=340406&b=410503")
    province = Select(browser.find_element(By.ID, "province"))
    assert province.first_selected_option.get_attribute("value") == ""  # every jurisdiction
    assert not browser.find_elements(By.ID, "scope-note")
    assert [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "#matrix-table thead th small")] == [
        "140423", "340406", "410503", "620922"]


def test_home_page_lists_one_province_at_a_time_in_a_large_store(province_server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    def listed():
        return [row.find_elements(By.TAG_NAME, "td")[1].text for row in browser.find_elements(By.CSS_SELECTOR, "main table tr")[1:]]

    browser.get(province_server + "/")
    province = Select(browser.find_element(By.ID, "province"))
    assert province.first_selected_option.get_attribute("value") == "14" and listed() == ["140423"]
    assert "山西省" in browser.find_element(By.ID, "scope-note").text
    province.select_by_value("41")
    browser.find_element(By.CSS_SELECTOR, "form.province-form button[type=submit]").click()
    _wait(browser, lambda b: "province=41" in b.current_url)
    assert listed() == ["410503"]
    assert browser.find_element(By.CSS_SELECTOR, "main table tr td a").text == "北关区"
