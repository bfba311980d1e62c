#!/usr/bin/python3
"""Loads one page in headless Chromium and prints, as JSON, what the page left in
window.testResult (null if it left nothing before the timeout) and the browser console.

  bridge_page.py URL [TIMEOUT_SECONDS] [CHROMIUM_SWITCH...]

Driven by Tests/IntegrationTests/BrowserBridgeTests.swift. Needs Debian's chromium,
chromium-driver and python3-selenium (scripts/install-deps.sh). As root Chromium needs
--no-sandbox, which is always passed: this runs test pages only.
"""
import json
import shutil
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def main():
    url = sys.argv[1]
    timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
    switches = sys.argv[3:]
    profile = tempfile.mkdtemp(prefix="bridge-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for switch in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--no-first-run", "--no-default-browser-check", "--user-data-dir=" + profile] + switches:
        options.add_argument(switch)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        browser.get(url)
        deadline = time.time() + timeout
        result = None
        while time.time() < deadline:
            result = browser.execute_script(
                "return window.testResult === undefined ? null : JSON.stringify(window.testResult)")
            if result is not None:
                break
            time.sleep(0.1)
        console = [entry.get("message", "") for entry in browser.get_log("browser")]
        print(json.dumps({"result": json.loads(result) if result else None, "console": console}, ensure_ascii=False))
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
