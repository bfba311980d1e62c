#!/usr/bin/python3
"""Drives the stock, ledger, devices and handover pages of the clerk's web desk in headless
Chromium (the Desk helper of desk_pages.py), one scenario per run, saves a screenshot of each
step into OUTDIR and prints, as JSON on its last line, what the pages showed. Driven by
Tests/IntegrationTests/WebDeskStockBrowserTests.swift, which asserts on it and on the books.

  desk_stock_pages.py DESK_URL OUTDIR CLERK PASSWORD SCENARIO [ARG...]

Scenarios:
  upload GOOD BAD          upload the return file GOOD (progress seen, outcome), GOOD again
                           (refused as imported before), then BAD (its problems listed)
  stock CARD               unload hopper 1, load 2 cards into it, spoil CARD, take stock
  ledger                   the day's ledger, its CSV export (fetched) and verification
  devices                  the devices page: the checks, the printer, the readers
  handover APP             hand APP's produced card to an agent: ID check, receipt, signature, 启用
  keyboard                 the stock and ledger forms reached and used with the keyboard alone
  notoken                  an upload POST without the CSRF token, and with a wrong one
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from desk_pages import Desk, tab_to, keys  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException  # noqa: E402

# Records every status text and bar value the upload shows, to see the progress move.
WATCH_PROGRESS = """
window.__seen = [];
var bar = document.getElementById('import-progress');
var status = document.getElementById('import-status');
new MutationObserver(function () {
  window.__seen.push([bar.value, status.textContent]);
  sessionStorage.setItem('seen', JSON.stringify(window.__seen));
}).observe(status, {childList: true, characterData: true, subtree: true});
"""


def press(desk, button_css, result_css):
    """Clicks a form's button and waits for the NEW page's result (the old page may show one too)."""
    old = desk.find("html")
    desk.find(button_css).click()
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            old.tag_name
        except (StaleElementReferenceException, WebDriverException):
            break  # stale, or "does not belong to the document": the page was left
        time.sleep(0.05)
    return desk.wait_for(result_css)


def upload(desk, path, shot):
    desk.browser.get(desk.url + "/stock")
    desk.wait_for("#import-form")
    desk.browser.execute_script(WATCH_PROGRESS)
    desk.find("#return-file").send_keys(path)
    desk.shot(shot + "-chosen")
    desk.find("#import-button").click()
    desk.wait_for("#import-result", timeout=300)
    desk.shot(shot + "-result")
    result = desk.find("#import-result")
    return {"text": result.text, "kind": result.get_attribute("class"),
            "problems": [li.text for li in desk.browser.find_elements(By.CSS_SELECTOR, "#import-problems li")]}


def main():
    url, outdir, clerk, password, scenario = sys.argv[1:6]
    args = sys.argv[6:]
    os.makedirs(outdir, exist_ok=True)
    desk = Desk(url, outdir, clerk, password)
    result = {"scenario": scenario}
    try:
        desk.sign_in()
        desk.wait_for("#queue")
        if scenario == "upload":
            good, bad = args
            desk.browser.get(desk.url + "/stock")
            desk.wait_for("#import-form")
            desk.browser.execute_script(WATCH_PROGRESS)
            desk.find("#return-file").send_keys(good)
            desk.shot("upload-1-chosen")
            desk.find("#import-button").click()
            # The progress while it runs (screenshot as soon as the bar shows), then the outcome.
            desk.wait_for("#import-progress")
            desk.browser.execute_script("window.scrollTo(0, 0)")
            desk.shot("upload-2-progress")
            desk.wait_for("#import-result", timeout=300)
            desk.shot("upload-3-imported")
            result["seen"] = desk.browser.execute_script("return JSON.parse(sessionStorage.getItem('seen') || '[]')")
            result["good"] = {"text": desk.text("#import-result"), "kind": desk.find("#import-result").get_attribute("class")}
            result["books"] = {td.get_attribute("data-state"): td.text
                               for td in desk.browser.find_elements(By.CSS_SELECTOR, "tr[data-bank='工商银行'] td")}
            result["again"] = upload(desk, good, "upload-4-again")
            result["bad"] = upload(desk, bad, "upload-5-bad")
        elif scenario == "stock":
            card = args[0]
            desk.browser.get(desk.url + "/stock")
            desk.wait_for("#hoppers")
            desk.shot("stock-1-page")
            result["hoppersBefore"] = {tr.get_attribute("data-hopper"): tr.find_element(By.CSS_SELECTOR, ".count").text
                                       for tr in desk.browser.find_elements(By.CSS_SELECTOR, "#hoppers tbody tr")}
            desk.find("#unload-hopper option[value='1']").click()
            press(desk, "#unload-button", "#stock-result")
            result["unloaded"] = [li.text for li in desk.browser.find_elements(By.CSS_SELECTOR, "#cards-to-take li")]
            desk.shot("stock-2-unloaded")
            desk.find("#load-hopper option[value='1']").click()
            desk.find("#load-count").clear()
            desk.find("#load-count").send_keys("2")
            press(desk, "#load-button", "#stock-result")
            result["loaded"] = [li.text for li in desk.browser.find_elements(By.CSS_SELECTOR, "#cards-to-take li")]
            desk.shot("stock-3-loaded")
            desk.find("#spoil-card").send_keys(card)
            desk.find("#spoil-reason").send_keys("卡面污损")
            press(desk, "#spoil-button", "#stock-result")
            result["spoiled"] = desk.text("#stock-result")
            desk.shot("stock-4-spoiled")
            desk.find("#spoil-card").send_keys(card)
            desk.find("#spoil-reason").send_keys("再次作废")
            press(desk, "#spoil-button", "#refusal")
            result["spoiledAgain"] = desk.text("#refusal")
            desk.shot("stock-5-spoil-refused")
            press(desk, "#stocktake-button", "#stock-result")
            result["stocktake"] = desk.text("#stock-result")
            result["addsUp"] = desk.find("#books-add-up") is not None
            desk.shot("stock-6-stocktake")
        elif scenario == "ledger":
            desk.browser.get(desk.url + "/ledger")
            desk.wait_for("#ledger-entries")
            result["actions"] = [td.text for td in desk.browser.find_elements(By.CSS_SELECTOR, "#ledger-entries td.action")]
            result["clerks"] = sorted({td.text for td in desk.browser.find_elements(By.CSS_SELECTOR, "#ledger-entries td.clerk")})
            # The outlet's shared chain only: which desk wrote each entry (none on a desk's own ledger).
            result["desks"] = [td.text for td in desk.browser.find_elements(By.CSS_SELECTOR, "#ledger-entries td.desk")]
            result["hint"] = desk.text(".hint")
            desk.shot("ledger-1-day")
            href = desk.find("#export-day").get_attribute("href")
            result["exportHref"] = href[len(desk.url):]
            result["csv"] = desk.browser.execute_async_script("""
                var done = arguments[arguments.length - 1];
                fetch(arguments[0], {credentials: 'same-origin'}).then(function (r) {
                  return r.text().then(function (t) { done([r.status, r.headers.get('content-disposition'), t]); });
                }).catch(function (e) { done([0, '', String(e)]); });
                """, href)
            press(desk, "#verify-ledger", "#verify-result")
            result["verify"] = desk.text("#verify-result")
            result["intact"] = desk.find("#ledger-intact") is not None
            desk.shot("ledger-2-verified")
            desk.find("#ledger-day").send_keys("2001-01-01")
            desk.browser.get(desk.url + "/ledger?day=2001-01-01")
            desk.wait_for("#no-entries")
            result["emptyDay"] = desk.text("#no-entries")
            desk.browser.get(desk.url + "/ledger?day=not-a-day")
            desk.wait_for("#refusal")
            result["badDay"] = desk.text("#refusal")
        elif scenario == "devices":
            desk.browser.get(desk.url + "/devices")
            desk.wait_for("#checks")
            result["checks"] = [[li.get_attribute("data-outcome"), li.text] for li in desk.browser.find_elements(By.CSS_SELECTOR, "#checks li")]
            result["readers"] = [li.text for li in desk.browser.find_elements(By.CSS_SELECTOR, "#readers li")]
            result["printer"] = desk.text("#printer-status")
            result["summary"] = desk.text("#checks-summary")
            desk.shot("devices-1-checks")
            desk.browser.set_window_size(1920, 1080)
            desk.shot("devices-2-1920")
        elif scenario == "handover":
            # An agent takes the card: ID check (first without the copy kept: refused), receipt,
            # signature (the form needs the tick), then 启用.
            app = args[0]
            desk.browser.get(desk.url + "/handover")
            desk.wait_for("#open-" + app)
            desk.shot("handover-1-waiting")
            desk.find("#open-" + app).click()
            desk.wait_for("#check-form")
            desk.find("#kind-agent").click()
            desk.find("#holder-id-seen").click()
            desk.find("#recipient-name").send_keys("李四")
            desk.find("#recipient-id").send_keys("440106199001011234")
            desk.find("#recipient-paper").send_keys("委托书（持卡人签名）")
            desk.find("#recipient-id-seen").click()
            desk.shot("handover-2-check")
            result["withoutCopy"] = press(desk, "#check-button", "#refusal").text
            desk.find("#kind-agent").click()
            desk.find("#holder-id-seen").click()
            desk.find("#recipient-name").send_keys("李四")
            desk.find("#recipient-id").send_keys("440106199001011234")
            desk.find("#recipient-paper").send_keys("委托书（持卡人签名）")
            desk.find("#recipient-id-seen").click()
            desk.find("#copy-kept").click()
            press(desk, "#check-button", "#receipt-form")
            result["steps"] = [[li.get_attribute("data-step"), li.get_attribute("class")]
                               for li in desk.browser.find_elements(By.CSS_SELECTOR, "#handover-steps li")]
            desk.shot("handover-3-checked")
            result["receipt"] = press(desk, "#receipt-button", "#step-result").text
            desk.find("#signed-button").click()
            time.sleep(0.3)
            result["blockedWithoutSignature"] = desk.find("#signed-form") is not None and desk.find("#activate-button") is None
            desk.find("#signed-check").click()
            press(desk, "#signed-button", "#activate-button")
            desk.shot("handover-4-ready")
            result["outcome"] = press(desk, "#activate-button", "#handover-result").text
            result["stillListed"] = desk.find("#open-" + app) is not None
            desk.shot("handover-5-activated")
        elif scenario == "keyboard":
            desk.browser.get(desk.url + "/stock")
            desk.wait_for("#import-form")
            focus = {}
            for target in ["return-file", "import-button", "load-hopper", "load-button", "unload-button",
                           "spoil-card", "spoil-button", "stocktake-button"]:
                focus[target] = tab_to(desk, "e.id === '%s'" % target, limit=120)
            desk.shot("keyboard-1-stocktake-focused")
            keys(desk, Keys.ENTER)
            desk.wait_for("#stock-result")
            result["stocktakeByKeyboard"] = desk.find("#books-add-up") is not None
            desk.browser.get(desk.url + "/ledger")
            desk.wait_for("#verify-ledger")
            focus["verify-ledger"] = tab_to(desk, "e.id === 'verify-ledger'", limit=80)
            keys(desk, Keys.ENTER)
            desk.wait_for("#verify-result")
            result["verifyByKeyboard"] = desk.find("#ledger-intact") is not None
            desk.shot("keyboard-2-ledger-verified")
            result["focus"] = focus
        elif scenario == "notoken":
            desk.browser.get(desk.url + "/stock")
            desk.wait_for("#import-form")
            post = """
                var done = arguments[arguments.length - 1];
                var headers = {'Content-Type': 'application/octet-stream'};
                if (arguments[0]) headers['X-CSRF-Token'] = arguments[0];
                fetch('/stock/import?upload=00000000000000000000000000000001&name=YZKCG_x.txt',
                      {method: 'POST', headers: headers, body: 'stolen'}).then(function (r) {
                  return r.text().then(function (t) { done([r.status, t]); });
                }).catch(function (e) { done([0, String(e)]); });
                """
            result["noToken"] = desk.browser.execute_async_script(post, None)
            result["wrongToken"] = desk.browser.execute_async_script(post, "0" * 64)
            desk.shot("notoken-1-stock")
        else:
            raise RuntimeError("unknown scenario " + scenario)
        result["console"] = [entry.get("message", "") for entry in desk.browser.get_log("browser")]
    except Exception as error:  # reported in the JSON, with a screenshot of where it stopped
        result["error"] = "%s: %s" % (type(error).__name__, error)
        result["url"] = desk.browser.current_url
        try:
            desk.shot("error")
        except Exception:
            pass
    finally:
        result["shots"] = desk.shots
        desk.quit()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
