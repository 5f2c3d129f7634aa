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


def test_home_then_one_click_example_query_gives_a_table(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server + "/")
    assert "北关区" in browser.page_source
    browser.find_element(By.LINK_TEXT, "SPARQL 查询").click()
    examples = WebDriverWait(browser, 10).until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, "button.example")))
    examples[0].click()  # 各辖区按权力类型统计的权力事项数
    table = WebDriverWait(browser, 15).until(ec.presence_of_element_located((By.ID, "result-table")))
    rows = table.find_elements(By.TAG_NAME, "tr")
    assert len(rows) > 5 and "辖区" in rows[0].text and "北关区" in table.text
    assert "/query/download?format=csv" in browser.find_element(By.ID, "csv").get_attribute("href")


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
