#!/usr/bin/python3
"""Drives the clerk's web desk (`issue-station serve`) in headless Chromium, one scenario per
run, saves a screenshot of each step into OUTDIR and prints, as JSON on its last line, what the
pages showed. Driven by Tests/IntegrationTests/WebDeskBrowserTests.swift, which asserts on it.

  desk_pages.py DESK_URL OUTDIR CLERK PASSWORD SCENARIO [ARG...]

Scenarios:
  signin                       a wrong password, then the right one
  issue APP [CHAR] [again]     sign in, find APP in the queue, open it, type CHAR for its rare
                               character (if given), start the issuance and wait for the end;
                               with `again`, after a refusal press "make it again" once
  refused APP                  sign in, open APP's issuance page, press start and read the
                               refusal shown instead of an issuance
  recover APP ACTION           sign in, open the recovery page, press ACTION (backfill | fail)
  race APP1 APP2               two tabs: the first starts APP1, the second then tries APP2
  forged FOREIGN_URL APP       a POST without the CSRF token, and one from another origin
  keyboard APP                 sign in and issue APP with the keyboard alone
  reopen APP FLAG              start APP, close the browser once the page shows the
                               certificates written, open a new browser, sign in again, open
                               APP's issuance page, note what it shows, create the file FLAG
                               (the test holds the workflow until then), follow it to the end
  leave APP FLAG               start APP and try the page's leave warning (beforeunload) while
                               the card is in the printer, create FLAG, try it again once the
                               result is shown
  sizes APP MADE               issue MADE, then at 1280×800 and 1920×1080: the queue, APP's
                               application, its issuance page, the stock page and MADE's result
                               — horizontal scroll and the card faces' shape

Needs Debian's chromium, chromium-driver and python3-selenium (scripts/install-deps.sh).
"""
import json
import os
import shutil
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.action_chains import ActionChains
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException


class Desk:
    def __init__(self, url, outdir, clerk, password):
        self.url = url.rstrip('/')
        self.outdir = outdir
        self.clerk = clerk
        self.password = password
        self.shots = []
        self.profile = tempfile.mkdtemp(prefix="desk-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for switch in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                       "--no-first-run", "--no-default-browser-check", "--lang=zh-CN",
                       "--user-data-dir=" + self.profile]:
            options.add_argument(switch)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        self.browser.set_window_size(1280, 800)

    def quit(self):
        self.browser.quit()
        shutil.rmtree(self.profile, ignore_errors=True)

    def shot(self, name):
        path = os.path.join(self.outdir, name + ".png")
        self.browser.save_screenshot(path)
        self.shots.append(path)

    def find(self, css):
        found = self.browser.find_elements(By.CSS_SELECTOR, css)
        return found[0] if found else None

    def text(self, css):
        e = self.find(css)
        return e.text if e else None

    def wait_for(self, css, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                e = self.find(css)
                if e is not None and e.is_displayed():
                    return e
            except (StaleElementReferenceException, WebDriverException):
                pass  # found on a page that was being left: look again on the new one
            time.sleep(0.1)
        raise RuntimeError("timed out waiting for %s on %s" % (css, self.browser.current_url))

    def wait_for_any(self, selectors, timeout=180):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for css in selectors:
                e = self.find(css)
                if e is not None and self.settled():
                    return css
            time.sleep(0.2)
        raise RuntimeError("timed out waiting for %s on %s" % (selectors, self.browser.current_url))

    def wait_gone(self, element, timeout=30):
        """Waits until `element` belongs to a page that has been left."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                element.is_enabled()
            except (StaleElementReferenceException, WebDriverException):
                return  # stale, or "does not belong to the document": the page was left
            time.sleep(0.1)
        raise RuntimeError("the page did not change")

    def settled(self):
        """The page is loaded and, on an issuance, the server rendered it finished (the script
        reloads the page when the issuance ends, so an earlier copy is about to go)."""
        return self.browser.execute_script("""
            if (document.readyState !== 'complete') return false;
            var s = document.getElementById('issuance');
            return !s || s.dataset.running === 'no';""")

    def sign_in(self, password=None, shot=None):
        self.browser.get(self.url + "/signin")
        self.find("#name").clear()
        self.find("#name").send_keys(self.clerk)
        self.find("#password").send_keys(password or self.password)
        if shot:
            self.shot(shot)
        self.find("#signin").click()

    def issue(self, app, char=None, again=False, prefix="issue"):
        result = {}
        self.browser.get(self.url + "/queue?q=" + app)
        self.wait_for("#queue")
        self.shot(prefix + "-1-queue")
        self.find('#queue a[href="/application/%s"]' % app).click()
        self.wait_for("#application-fields")
        result["problems"] = self.text("#problems")
        result["oneCard"] = self.text("#one-card")
        self.shot(prefix + "-2-application")
        if char is not None:
            self.find("#to-characters").click()
            field = self.wait_for("#c0")
            field.send_keys(char)
            self.wait_for("#c0-check img.glyph")
            self.wait_for("#preview")
            # The preview has loaded (a 1011 × 638 picture at 300 dpi).
            deadline = time.time() + 30
            while time.time() < deadline and not self.browser.execute_script(
                    "var i = document.getElementById('preview'); return i.complete && i.naturalWidth > 0"):
                time.sleep(0.1)
            result["previewSize"] = self.browser.execute_script(
                "var i = document.getElementById('preview'); return [i.naturalWidth, i.naturalHeight, i.clientWidth, i.clientHeight]")
            result["glyphLoaded"] = self.browser.execute_script(
                "var i = document.querySelector('#c0-check img.glyph'); return i.complete && i.naturalWidth > 0")
            self.shot(prefix + "-3-rare-character")
            self.find("#to-issue").click()
        else:
            self.find("#to-issue").click()
        self.wait_for("#start")
        self.shot(prefix + "-4-ready")
        self.find("#start").click()
        self.wait_for("#issuance")
        self.shot(prefix + "-5-progress")
        ended = self.wait_for_any(["#done", "#refusal"])
        result["outcome"] = "done" if ended == "#done" else "refused"
        result["message"] = self.text(ended)
        self.shot(prefix + "-6-" + result["outcome"])
        if again and ended == "#refusal":
            old = self.find("#issuance")
            self.find("#start").click()
            self.wait_gone(old)
            self.wait_for("#issuance")
            ended = self.wait_for_any(["#done", "#refusal"])
            result["again"] = {"outcome": "done" if ended == "#done" else "refused", "message": self.text(ended)}
            self.shot(prefix + "-7-again-" + result["again"]["outcome"])
        result["readBack"] = self.text("#read-back code")
        result["steps"] = [li.get_attribute("data-step") for li in self.browser.find_elements(By.CSS_SELECTOR, "#steps li.done")]
        result["faceLoaded"] = self.browser.execute_script(
            "var i = document.getElementById('face'); return !!(i && i.complete && i.naturalWidth > 0)")
        return result


def tab_to(desk, predicate_js, limit=60):
    """Presses Tab until the focused element satisfies predicate_js (given `e`)."""
    for _ in range(limit):
        ActionChains(desk.browser).send_keys(Keys.TAB).perform()
        if desk.browser.execute_script("var e = document.activeElement; return !!(" + predicate_js + ");"):
            return desk.browser.execute_script(
                "var s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth")
    raise RuntimeError("Tab never reached " + predicate_js)


def keys(desk, *sequence):
    ActionChains(desk.browser).send_keys(*sequence).perform()


def steps_shown(desk):
    """The steps the issuance page lists (done ones and the one running)."""
    return desk.browser.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('#steps li[data-step]'),"
        " function (li) { return [li.dataset.step, li.className]; })")


def leave_guarded(desk):
    """Whether the page stops an accidental leave: a cancelable `beforeunload` sent to the
    window reaches the page's handler, which cancels it (the browser's "leave this page?")."""
    return desk.browser.execute_script("""
        var e = new Event('beforeunload', {cancelable: true});
        window.dispatchEvent(e);
        return e.defaultPrevented || (typeof e.returnValue === 'string' && e.returnValue !== '');""")


def measure(desk, name):
    """The page's overflow and every card face on it, once the pictures have loaded."""
    deadline = time.time() + 30
    while time.time() < deadline and not desk.browser.execute_script(
            "return Array.prototype.every.call(document.querySelectorAll('img.card-face'),"
            " function (i) { return i.hidden || (i.complete && i.naturalWidth > 0); })"):
        time.sleep(0.1)
    return desk.browser.execute_script("""
        var d = document.documentElement;
        return {page: arguments[0], innerWidth: window.innerWidth, innerHeight: window.innerHeight,
                scrollWidth: Math.max(d.scrollWidth, document.body.scrollWidth),
                faces: Array.prototype.filter.call(document.querySelectorAll('img.card-face'), function (i) { return !i.hidden; })
                  .map(function (i) { var r = i.getBoundingClientRect();
                    return {id: i.id, natural: [i.naturalWidth, i.naturalHeight], shown: [i.clientWidth, i.clientHeight],
                            right: r.right}; })};""", name)


def main():
    url, outdir, clerk, password, scenario = sys.argv[1:6]
    args = sys.argv[6:]
    os.makedirs(outdir, exist_ok=True)
    desk = Desk(url, outdir, clerk, password)
    result = {"scenario": scenario}
    try:
        if scenario == "signin":
            desk.sign_in(password="not-the-password")
            # The answer comes after the password hash is checked: wait for it, not for the click.
            result["wrong"] = desk.wait_for("#signin-error").text
            desk.shot("signin-1-wrong-password")
            desk.sign_in(shot="signin-2-form")
            desk.wait_for("#queue")
            result["clerk"] = desk.text("#signed-in-clerk")
            result["path"] = desk.browser.current_url[len(desk.url):]
            result["cookie"] = desk.browser.execute_script("return document.cookie")
            desk.shot("signin-3-queue")
            before = desk.find("#queue")
            desk.find("#language-switch").click()
            desk.wait_gone(before)
            desk.wait_for("#queue")
            result["english"] = desk.browser.execute_script("return document.documentElement.lang")
            result["englishTitle"] = desk.text("h1")
            desk.shot("signin-4-queue-english")
        elif scenario == "issue":
            app = args[0]
            char = args[1] if len(args) > 1 and args[1] != "-" else None
            again = len(args) > 2 and args[2] == "again"
            desk.sign_in()
            desk.wait_for("#queue")
            result.update(desk.issue(app, char, again, prefix="issue-" + app))
        elif scenario == "refused":
            app = args[0]
            desk.sign_in()
            desk.wait_for("#queue")
            desk.browser.get(desk.url + "/issue/" + app)
            desk.wait_for("#start").click()
            desk.wait_for("#refusal")
            result["refusal"] = desk.text("#refusal")
            result["issuanceShown"] = desk.find("#issuance") is not None
            desk.shot("refused-" + app)
        elif scenario == "recover":
            app, action = args
            desk.sign_in()
            desk.wait_for("#queue")
            desk.browser.get(desk.url + "/recovery")
            desk.wait_for("#pending")
            result["buttons"] = [b.get_attribute("id") for b in desk.browser.find_elements(By.CSS_SELECTOR, "#pending button")]
            desk.shot("recover-1-pending")
            desk.find("#%s-%s" % (action, app)).click()
            ended = desk.wait_for_any(["#recovered", "#refusal"])
            result["outcome"] = "recovered" if ended == "#recovered" else "refused"
            result["message"] = desk.text(ended)
            result["stillPending"] = desk.find("#pending") is not None
            desk.shot("recover-2-" + result["outcome"])
        elif scenario == "race":
            first, second = args
            desk.sign_in()
            desk.wait_for("#queue")
            desk.browser.get(desk.url + "/issue/" + first)
            desk.wait_for("#start").click()
            desk.wait_for("#issuance")
            one = desk.browser.current_window_handle
            desk.browser.switch_to.new_window("tab")
            desk.browser.get(desk.url + "/issue/" + second)
            desk.wait_for("#start")
            result["busyShown"] = desk.text("#busy")
            result["startDisabled"] = not desk.find("#start").is_enabled()
            desk.shot("race-1-second-tab-busy")
            # Pressed anyway (the button enabled by hand): the server refuses it too.
            desk.browser.execute_script("document.getElementById('start').disabled = false")
            before = desk.find("#busy")
            desk.find("#start").click()
            desk.wait_gone(before)
            desk.wait_for("#busy")
            result["busyAfterPost"] = desk.text("#busy")
            result["secondStarted"] = desk.find("#issuance") is not None
            desk.shot("race-2-second-tab-refused")
            desk.browser.switch_to.window(one)
            ended = desk.wait_for_any(["#done", "#refusal"])
            result["firstOutcome"] = "done" if ended == "#done" else "refused"
        elif scenario == "forged":
            foreign, app = args
            desk.sign_in()
            desk.wait_for("#queue")
            desk.browser.get(desk.url + "/issue/" + app)
            desk.wait_for("#start")
            token = desk.browser.execute_script("return document.querySelector('input[name=csrf]').value")
            # Same origin, no token.
            result["noToken"] = desk.browser.execute_async_script("""
                var done = arguments[arguments.length - 1];
                fetch('/issue/%s/start', {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'c=x'})
                  .then(function (r) { return r.text().then(function (t) { done([r.status, t]); }); });
                """ % app)
            # Another origin (a page on another port of this machine), with the real token.
            desk.browser.get("%s/forge.html?target=%s/issue/%s/start&csrf=%s" % (foreign, desk.url, app, token))
            deadline = time.time() + 30
            body = ""
            while time.time() < deadline:
                body = desk.browser.execute_script("return document.body ? document.body.innerText : ''")
                if "403" in body:
                    break
                time.sleep(0.2)
            result["otherOrigin"] = body.strip()[:300]
            desk.shot("forged-1-other-origin-refused")
            desk.browser.get(desk.url + "/issue/" + app)
            result["startedAnyway"] = desk.find("#issuance") is not None
        elif scenario == "keyboard":
            app = args[0]
            desk.browser.get(desk.url + "/signin")
            desk.wait_for("#name")
            # The name field has the focus when the page opens.
            keys(desk, desk.clerk, Keys.TAB, desk.password, Keys.ENTER)
            desk.wait_for("#queue")
            result["afterSignIn"] = desk.browser.current_url[len(desk.url):]
            # The search field has the focus on the queue.
            before = desk.find("#queue")
            keys(desk, app, Keys.ENTER)
            desk.wait_gone(before)
            desk.wait_for("#queue-count")
            result["focus"] = tab_to(desk, "e.getAttribute('href') === '/application/%s'" % app)
            desk.shot("keyboard-1-focus-on-application")
            keys(desk, Keys.ENTER)
            desk.wait_for("#application-fields")
            tab_to(desk, "e.id === 'to-issue'")
            keys(desk, Keys.ENTER)
            desk.wait_for("#start")
            tab_to(desk, "e.id === 'start'")
            desk.shot("keyboard-2-focus-on-start")
            keys(desk, Keys.ENTER)
            desk.wait_for("#issuance")
            ended = desk.wait_for_any(["#done", "#refusal"])
            result["outcome"] = "done" if ended == "#done" else "refused"
            result["message"] = desk.text(ended)
            desk.shot("keyboard-3-" + result["outcome"])
        elif scenario == "reopen":
            app, flag = args
            desk.sign_in()
            desk.wait_for("#queue")
            desk.browser.get(desk.url + "/issue/" + app)
            desk.wait_for("#start").click()
            desk.wait_for('#steps li.done[data-step="writeCertificates"]')
            result["stepsAtClose"] = steps_shown(desk)
            desk.shot("reopen-1-running")
            shots = desk.shots
            desk.quit()  # the browser is closed while the card is in the printer
            desk = Desk(url, outdir, clerk, password)
            desk.shots = shots
            desk.sign_in()
            desk.wait_for("#queue")
            desk.browser.get(desk.url + "/issue/" + app)
            desk.wait_for("#issuance")
            # As the server rendered it, before the event stream adds anything.
            result["reopenedRunning"] = desk.browser.execute_script(
                "return document.getElementById('issuance').dataset.running")
            result["reopenedSteps"] = steps_shown(desk)
            result["reopenedStart"] = desk.find("#start") is not None
            desk.shot("reopen-2-reopened")
            open(flag, "w").close()
            ended = desk.wait_for_any(["#done", "#refusal"])
            result["outcome"] = "done" if ended == "#done" else "refused"
            result["message"] = desk.text(ended)
            result["steps"] = [li.get_attribute("data-step") for li in desk.browser.find_elements(By.CSS_SELECTOR, "#steps li.done")]
            result["readBack"] = desk.text("#read-back code")
            desk.shot("reopen-3-" + result["outcome"])
        elif scenario == "leave":
            app, flag = args
            desk.sign_in()
            desk.wait_for("#queue")
            desk.browser.get(desk.url + "/issue/" + app)
            result["guardedBeforeStart"] = leave_guarded(desk)
            desk.wait_for("#start").click()
            desk.wait_for("#steps li")
            result["runningWhenTried"] = desk.browser.execute_script(
                "return document.getElementById('issuance').dataset.running")
            result["guardedWhileRunning"] = leave_guarded(desk)
            result["leaveMessage"] = desk.browser.execute_script(
                "return document.getElementById('issuance').dataset.leave")
            desk.shot("leave-1-running")
            open(flag, "w").close()
            ended = desk.wait_for_any(["#done", "#refusal"])
            result["outcome"] = "done" if ended == "#done" else "refused"
            result["guardedAfterResult"] = leave_guarded(desk)
            # And the browser really leaves the finished page without asking.
            desk.find("#back-to-queue").click()
            desk.wait_for("#queue")
            result["leftTo"] = desk.browser.current_url[len(desk.url):]
        elif scenario == "sizes":
            app, made = args
            desk.sign_in()
            desk.wait_for("#queue")
            # A finished card, whose face the result page shows.
            desk.browser.get(desk.url + "/issue/" + made)
            desk.wait_for("#start").click()
            desk.wait_for("#issuance")
            result["madeOutcome"] = "done" if desk.wait_for_any(["#done", "#refusal"]) == "#done" else "refused"
            result["sizes"] = []
            for width, height in [(1280, 800), (1920, 1080)]:
                desk.browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                             {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
                pages = []
                for name, path, css in [("queue", "/queue", "#queue"), ("application", "/application/" + app, "#application-fields"),
                                        ("issuance", "/issue/" + app, "#start"), ("stock", "/stock", "#stock-books"),
                                        ("result", "/issue/" + made, "#done")]:
                    desk.browser.get(desk.url + path)
                    desk.wait_for(css)
                    pages.append(measure(desk, name))
                    desk.shot("sizes-%dx%d-%s" % (width, height, name))
                result["sizes"].append({"size": [width, height], "pages": pages})
        else:
            raise SystemExit("unknown scenario " + scenario)
    except Exception as error:  # the JSON says what failed, with a screenshot of where
        result["error"] = "%s: %s" % (type(error).__name__, error)
        try:
            desk.shot("failed-" + scenario)
        except Exception:
            pass
    finally:
        result["console"] = [entry.get("message", "") for entry in desk.browser.get_log("browser")]
        result["screenshots"] = desk.shots
        desk.quit()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
