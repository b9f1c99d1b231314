#!/usr/bin/python3
"""test_page.py -- the playground in a real browser (headless Chromium).

    /usr/bin/python3 tests/wasm/test_page.py build/web [--screenshot docs/img/playground.png]

Serves build/web from a loopback http.server started here (a port the
system picks), drives Chromium through chromedriver (Debian's chromium,
chromium-driver, python3-selenium) and checks what a person would see:

 1. the page loads the compiler (in its Web Worker) and the default example;
 2. choosing another example from the list loads its pack;
 3. typing a syntax error at the end of the pack shows an error diagnostic
    at that line, and clicking it selects that line in the editor; the
    same line:col as the native `ipsfc check` gives for that text;
 4. deleting it again leaves no error;
 5. the record of a sheet shows the cell and the requirements that the
    native `ipsfc eval --format json` gives for it (IPSFC, default
    build/ipsfc): the placed cell of the matrix, each requirement's id,
    method and status, per viewpoint; then, with a gap made in the pack,
    the finding's counterexample loads as a sheet whose record is the
    error the native CLI gives for it;
 6. a sheet whose device name is markup shows it as text (no element made);
    250 sheets opened from files are evaluated in chunks with progress;
    Cancel stops a run, and the next run (a fresh worker) completes;
 7. a shared link restores the same pack and sheets, a damaged one says so;
    a sheet that is not JSON and a pack of control bytes give errors, and
    the page goes on;
 8. the browser console has no error at all.
A screenshot goes to build/wasm/playground.png (and to --screenshot PATH).
Exit 0 when every check passes; else 1, naming the failed check.
"""
import functools
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
IPSFC = os.environ.get("IPSFC", os.path.join(REPO, "build", "ipsfc"))
TIMEOUT = 60


class Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".wasm": "application/wasm"}

    def log_message(self, *args):
        pass


def serve(root):
    handler = functools.partial(Quiet, directory=root)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def browser():
    opts = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1500,1000"):
        opts.add_argument(a)
    opts.binary_location = "/usr/bin/chromium"
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = ChromeService(executable_path="/usr/bin/chromedriver")
    return webdriver.Chrome(options=opts, service=service)


def runs(d):
    return int(d.execute_script("return Number(document.body.dataset.runs || 0)"))


def wait_run_after(d, before):
    WebDriverWait(d, TIMEOUT).until(lambda d: runs(d) > before)


def native(args, cwd=REPO):
    p = subprocess.run([IPSFC] + args, cwd=cwd, capture_output=True, text=True)
    return p


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok:", what)


def main(argv):
    web = os.path.abspath(argv[1] if len(argv) > 1 else os.path.join(REPO, "build", "web"))
    shot = argv[argv.index("--screenshot") + 1] if "--screenshot" in argv else None
    httpd = serve(web)
    url = "http://127.0.0.1:%d/index.html" % httpd.server_address[1]
    d = browser()
    try:
        # 1. the default example, evaluated
        t0 = time.monotonic()
        d.get(url)
        wait_run_after(d, 0)
        first = d.execute_script("return document.body.dataset.firstResultMs")
        print("time to first result: %s ms (page load to first diagnostics), %.0f ms to all records"
              % (first, 1000 * (time.monotonic() - t0)))
        check(d.find_element(By.ID, "pack").get_attribute("value").startswith("//"),
              "the default example's pack is in the editor")

        # 2. another example from the list
        n = runs(d)
        Select(d.find_element(By.ID, "example")).select_by_value("healthcare")
        wait_run_after(d, n)
        with open(os.path.join(REPO, "examples/healthcare/pack.ipsf"), encoding="utf-8") as f:
            check(d.find_element(By.ID, "pack").get_attribute("value") == f.read(),
                  "choosing 'healthcare' loads examples/healthcare/pack.ipsf")
        n = runs(d)
        Select(d.find_element(By.ID, "example")).select_by_value("smart-home")
        wait_run_after(d, n)

        # 3. a syntax error typed at the end of the pack
        pack = d.find_element(By.ID, "pack")
        pack.click()
        pack.send_keys(Keys.CONTROL, Keys.END)
        n = runs(d)
        pack.send_keys(Keys.ENTER, "rules {")
        text = pack.get_attribute("value")
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "pack.ipsf"), "w", encoding="utf-8") as f:
                f.write(text)
            want = json.loads(native(["check", "--format", "json", "pack.ipsf"], cwd=tmp).stdout)
        want_err = [x for x in want if x["severity"] == "error"][0]
        WebDriverWait(d, TIMEOUT).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, "#diagnostics li[data-severity=error]"))
        err = d.find_element(By.CSS_SELECTOR, "#diagnostics li[data-severity=error]")
        loc = err.find_element(By.CSS_SELECTOR, "button.loc")
        check(loc.text == "pack.ipsf:%d:%d" % (want_err["line"], want_err["col"]),
              "the error is shown at %s (native check: line %d, col %d)"
              % (loc.text, want_err["line"], want_err["col"]))
        check(want_err["line"] >= text.count("\n"), "the error is on the typed line")
        check(want_err["message"] in err.text, "with the CLI's message: " + want_err["message"])
        loc.click()
        sel = d.execute_script("const t = document.getElementById('pack');"
                               "return t.value.slice(0, t.selectionStart).split('\\n').length;")
        check(sel == want_err["line"], "clicking it puts the cursor on line %d" % sel)

        # 4. fixed again
        pack.send_keys(Keys.CONTROL, Keys.END)
        pack.send_keys(*([Keys.BACKSPACE] * len("\nrules {")))
        WebDriverWait(d, TIMEOUT).until(
            lambda d: d.find_element(By.ID, "diag-count").text.startswith("0 errors")
            and runs(d) > n)
        check(not d.find_elements(By.CSS_SELECTOR, "#diagnostics li[data-severity=error]"),
              "after deleting it there is no error")

        # 5. a sheet's record: the cell and the requirements, as the native CLI says
        sheet = "examples/smart-home/devices/thermostat.json"
        want = json.loads(native(["eval", "--format", "json", "--explain",
                                  "examples/smart-home/pack.ipsf", sheet]).stdout)[0]
        labels = [o.text for o in Select(d.find_element(By.ID, "record")).options]
        idx = next(i for i, l in enumerate(labels)
                   if l.startswith("sheets/thermostat.json [%s]" % want["profile"]))
        Select(d.find_element(By.ID, "record")).select_by_index(idx)
        placed = d.find_element(By.CSS_SELECTOR, "#matrix rect.placed")
        got_cell = (placed.get_attribute("data-axis1"), placed.get_attribute("data-axis2"))
        want_cell = (want["category"]["axis1"], want["category"]["axis2"])
        check(got_cell == want_cell, "the matrix places the thermostat at %s x %s" % want_cell)
        rows = d.find_elements(By.CSS_SELECTOR, "#requirements tr.req")
        got_reqs = [[c.text for c in r.find_elements(By.TAG_NAME, "td")] for r in rows]
        want_reqs = []
        for vp in want["viewpoints"]:
            for q in want["requirements"]:
                if q["viewpoint"] == vp:
                    m = q["method"] + (" every %d months" % q["every_months"] if q["every_months"] else "")
                    want_reqs.append([q["id"], q["title"], m, q["status"]])
        check(got_reqs == want_reqs, "the %d requirements, per viewpoint, with method and status"
              % len(want_reqs))
        reasons = d.find_element(By.ID, "reasons").text
        check(all(x["at"].replace("examples/smart-home/", "") in reasons
                  for rs in want["reasons"].values() for x in rs), "the reasons (--explain) are shown")

        # 5b. a finding's counterexample, loaded as a sheet
        n = runs(d)
        gap_pack = d.find_element(By.ID, "pack").get_attribute("value").replace("  otherwise limited;\n", "", 1)
        d.execute_script("const t = document.getElementById('pack'); t.value = arguments[0];"
                         "t.dispatchEvent(new Event('input'));", gap_pack)
        wait_run_after(d, n)
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "pack.ipsf"), "w", encoding="utf-8") as f:
                f.write(gap_pack)
            want = [x for x in json.loads(native(["check", "--format", "json", "pack.ipsf"], cwd=tmp).stdout)
                    if x.get("counterexample")][0]
            os.mkdir(os.path.join(tmp, "sheets"))
            cx_name = "counterexample-%s.json" % want["code"].replace("IPSF-", "")
            with open(os.path.join(tmp, "sheets", cx_name), "w", encoding="utf-8") as f:
                json.dump(want["counterexample"], f)
            want_rec = json.loads(native(["eval", "--format", "json", "pack.ipsf", "sheets/" + cx_name],
                                         cwd=tmp).stdout)[0]
        button = d.find_element(By.CSS_SELECTOR, "#findings li.finding button.load-cx")
        check(want["code"] in button.find_element(By.XPATH, "..").text,
              "the finding %s is listed with its counterexample" % want["code"])
        n = runs(d)
        button.click()
        wait_run_after(d, n)
        tabs = [b.text for b in d.find_elements(By.CSS_SELECTOR, "#sheet-tabs button")]
        check(cx_name in tabs, "'Load as sheet' adds the sheet " + cx_name)
        labels = [o.text for o in Select(d.find_element(By.ID, "record")).options]
        Select(d.find_element(By.ID, "record")).select_by_index(
            next(i for i, l in enumerate(labels) if l.startswith("sheets/" + cx_name)))
        shown = d.find_element(By.ID, "record-error").text
        check("error" in want_rec and shown.startswith(want_rec["error"]["kind"] + ":"),
              "its record is the error the CLI gives for it: %s" % shown)

        # 6. markup in a sheet is text
        n = runs(d)
        d.find_element(By.ID, "sheet-add").click()
        box = d.find_element(By.ID, "sheet")
        d.execute_script("arguments[0].value = arguments[1];"
                         "arguments[0].dispatchEvent(new Event('input'));", box,
                         '{"device": "<img src=x id=injected>", "facts": {"usage": "home"}}')
        wait_run_after(d, n)
        labels = [o.text for o in Select(d.find_element(By.ID, "record")).options]
        check(any("<img src=x id=injected>" in l for l in labels), "a device named with markup is shown as text")
        check(not d.find_elements(By.ID, "injected"), "and no element was made from it")

        # 6a. bad input: a sheet that is not JSON, a pack of control bytes
        n = runs(d)
        d.find_element(By.ID, "sheet-add").click()
        d.execute_script("arguments[0].value = arguments[1];"
                         "arguments[0].dispatchEvent(new Event('input'));",
                         d.find_element(By.ID, "sheet"), '{"device": "broken", "facts": {nope')
        wait_run_after(d, n)
        labels = [o.text for o in Select(d.find_element(By.ID, "record")).options]
        Select(d.find_element(By.ID, "record")).select_by_index(
            next(i for i, l in enumerate(labels) if l.startswith("sheets/sheet-2.json")))
        check(d.find_element(By.ID, "record-error").text.startswith("syntax:"),
              "a sheet that is not JSON gives a syntax error record: "
              + d.find_element(By.ID, "record-error").text)
        good_pack = d.find_element(By.ID, "pack").get_attribute("value")
        n = runs(d)
        d.execute_script("const t = document.getElementById('pack'); t.value = arguments[0];"
                         "t.dispatchEvent(new Event('input'));", "\u0000\u0001pack \u00ff\ufffe{{{\n")
        WebDriverWait(d, TIMEOUT).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, "#diagnostics li[data-severity=error]"))
        check(not d.find_element(By.ID, "status").text.startswith("error"),
              "a pack of control bytes gives diagnostics, the page goes on")
        n = runs(d)
        d.execute_script("const t = document.getElementById('pack'); t.value = arguments[0];"
                         "t.dispatchEvent(new Event('input'));", good_pack)
        wait_run_after(d, n)

        # 6b. many sheets: progress in chunks; Cancel stops a run, the next one works
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for i in range(250):
                paths.append(os.path.join(tmp, "bulk-%03d.json" % i))
                with open(paths[-1], "w", encoding="utf-8") as f:
                    json.dump({"device": "bulk %d" % i, "facts": {"usage": "office", "loss_jpy": i * 1000}}, f)
            total = len(d.find_elements(By.CSS_SELECTOR, "#sheet-tabs button")) + len(paths)
            n = runs(d)
            d.find_element(By.ID, "sheet-files").send_keys("\n".join(paths))
            wait_run_after(d, n)
        check(d.execute_script("return document.body.dataset.progress") == "%d/%d" % (total, total),
              "%d sheets evaluated in chunks, with progress" % total)
        check(len(Select(d.find_element(By.ID, "record")).options) >= total, "a record for each")
        n = runs(d)
        d.execute_script("document.getElementById('run').click(); document.getElementById('cancel').click();")
        check(d.find_element(By.ID, "status").text == "cancelled" and runs(d) == n,
              "Cancel stops the run before it ends")
        d.find_element(By.ID, "run").click()
        wait_run_after(d, n)
        check(runs(d) == n + 1, "and the next run, on a fresh worker, completes")

        # 7. a shared link
        d.find_element(By.ID, "share").click()
        WebDriverWait(d, TIMEOUT).until(lambda d: d.find_element(By.ID, "share-url").get_attribute("value"))
        link = d.find_element(By.ID, "share-url").get_attribute("value")
        pack_text = d.find_element(By.ID, "pack").get_attribute("value")
        nsheets = len(d.find_elements(By.CSS_SELECTOR, "#sheet-tabs button"))
        d.get("about:blank")
        d.get(link)
        wait_run_after(d, 0)
        check(d.find_element(By.ID, "pack").get_attribute("value") == pack_text
              and len(d.find_elements(By.CSS_SELECTOR, "#sheet-tabs button")) == nsheets,
              "the shared link (%d characters) restores the pack and the %d sheets" % (len(link), nsheets))

        # 7b. a link whose state is damaged
        d.get(url + "#s=AAAAAAAA")
        WebDriverWait(d, TIMEOUT).until(
            lambda d: "cannot be read" in d.find_element(By.ID, "status").text)
        check(True, "a damaged link says so: " + d.find_element(By.ID, "status").text)

        # screenshot: the smart-home thermostat
        d.get(url)
        wait_run_after(d, 0)
        Select(d.find_element(By.ID, "record")).select_by_index(idx)
        os.makedirs(os.path.join(REPO, "build", "wasm"), exist_ok=True)
        d.save_screenshot(os.path.join(REPO, "build", "wasm", "playground.png"))
        if shot:
            d.save_screenshot(shot)

        # 8. the console
        logs = [l for l in d.get_log("browser") if l["level"] in ("SEVERE", "WARNING")]
        check(not logs, "no error or warning in the browser console %s" % (logs or ""))
    finally:
        d.quit()
        httpd.shutdown()
    print("test_page: all checks passed")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except AssertionError as e:
        print("test_page: FAILED:", e)
        sys.exit(1)
