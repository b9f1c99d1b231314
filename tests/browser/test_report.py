#!/usr/bin/python3
"""The page of `ipsfc report` in a real browser (headless Chromium).

Generates the report of the examples' devices (every examples/*/ pack with
its devices/, but natives/, whose pack needs a library allowed), opens it via file:// and checks from the DOM, against the
`--format json` summary of the same run: the nine cells and their counts,
the requirement and viewpoint tables, the device table's rows; that sorting
(clicking a header) and filtering (typing, and clicking a heatmap cell)
work; that the console has no errors.  Saves a screenshot.

    IPSFC=build/ipsfc /usr/bin/python3 tests/browser/test_report.py [--screenshot FILE]

Debian's python3-selenium, chromium and chromium-driver; nothing downloaded.
Exit 0 when every check passes, 1 otherwise.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IPSFC = os.environ.get("IPSFC", os.path.join(ROOT, "build", "ipsfc"))

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def report(pack, sheets, fmt, out):
    r = subprocess.run([IPSFC, "report", "--format", fmt, "-o", out, pack] + sheets,
                       cwd=ROOT, capture_output=True, text=True)
    # errors in the examples' sheets would be exit 3; the examples have none
    if r.returncode != 0:
        raise SystemExit("ipsfc report %s: exit %d: %s" % (pack, r.returncode, r.stderr))


def browser():
    opts = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1200,1600"):
        opts.add_argument(a)
    opts.binary_location = "/usr/bin/chromium"
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def cells_of(driver):
    got = {}
    for td in driver.find_elements(By.CSS_SELECTOR, "#heatmap td.cell"):
        got[(td.get_attribute("data-axis1"), td.get_attribute("data-axis2"))] = int(td.text)
    return got


def visible_rows(driver):
    return [r for r in driver.find_elements(By.CSS_SELECTOR, "#devices tbody tr")
            if r.is_displayed()]


def check_page(driver, name, html_path, summary):
    driver.get("file://" + html_path)
    # the nine cells and their counts
    want = {(c["axis1"], c["axis2"]): c["records"] for c in summary["cells"]}
    got = cells_of(driver)
    check(len(got) == 9 and got == want, "%s: nine heatmap cells with the summary's counts" % name)
    # the summary embedded for the script is the json summary
    data = json.loads(driver.find_element(By.ID, "report-data").get_attribute("textContent"))
    check(data == summary, "%s: embedded data equals --format json" % name)
    # requirements: id, counts per status
    rows = driver.find_elements(By.CSS_SELECTOR, "#requirements tbody tr")
    table = [[td.text for td in r.find_elements(By.TAG_NAME, "td")] for r in rows]
    want_req = [[q["id"], q["title"], q["viewpoint"], str(q["met"]), str(q["unmet"]),
                 str(q["expired"]), str(q["unknown"]), str(q["not_applicable"])]
                + ([str(q["compensated"])] if "compensated" in q else [])  # packs with compensated_by
                for q in summary["requirements"]]
    check(table == want_req, "%s: requirement table (%d rows)" % (name, len(want_req)))
    vrows = driver.find_elements(By.CSS_SELECTOR, "#viewpoints tbody tr")
    check([r.find_elements(By.TAG_NAME, "td")[0].text for r in vrows]
          == [v["name"] for v in summary["viewpoints"]], "%s: viewpoint table" % name)
    listed = sum(len(c["devices"]) for c in summary["cells"])
    check(len(visible_rows(driver)) == listed, "%s: %d device rows" % (name, listed))
    totals = driver.find_element(By.ID, "totals").text
    check(str(summary["totals"]["records"]) in totals, "%s: totals" % name)


def check_interaction(driver, summary):
    # sorting: click "unmet" twice (ascending, then descending)
    header = driver.find_elements(By.CSS_SELECTOR, "#devices thead th")
    unmet_col = [h.text.strip() for h in header].index("unmet")

    def column(i):
        return [r.find_elements(By.TAG_NAME, "td")[i].text for r in visible_rows(driver)]

    header[unmet_col].find_element(By.TAG_NAME, "button").click()
    up = [int(v) for v in column(unmet_col)]
    check(up == sorted(up) and header[unmet_col].get_attribute("aria-sort") == "ascending",
          "sort: unmet ascending after one click")
    header[unmet_col].find_element(By.TAG_NAME, "button").click()
    down = [int(v) for v in column(unmet_col)]
    check(down == sorted(down, reverse=True), "sort: unmet descending after two clicks")
    dev_col = 0
    header[dev_col].find_element(By.TAG_NAME, "button").click()
    names = column(dev_col)
    check(names == sorted(names, key=str.lower), "sort: device names ascending")
    # filtering: type a device's name
    box = driver.find_element(By.ID, "filter")
    check(box.is_displayed(), "filter box shown when the script runs")
    first = next(d for c in summary["cells"] for d in c["devices"])
    box.send_keys(first["device"])
    shown = visible_rows(driver)
    check(len(shown) >= 1 and all(first["device"].lower() in r.text.lower() for r in shown),
          "filter: typing '%s' leaves only its rows" % first["device"])
    # clicking a heatmap cell filters to its devices
    cell = next(c for c in summary["cells"] if c["devices"])
    for td in driver.find_elements(By.CSS_SELECTOR, "#heatmap td.cell"):
        if (td.get_attribute("data-axis1"), td.get_attribute("data-axis2")) == (cell["axis1"], cell["axis2"]):
            td.click()
    label = "%s / %s" % (cell["axis1"], cell["axis2"])
    shown = visible_rows(driver)
    check(len(shown) == len(cell["devices"]) and all(label in r.text for r in shown),
          "filter: clicking cell %s shows its %d rows" % (label, len(cell["devices"])))
    box.clear()
    driver.execute_script("document.getElementById('filter').value='';"
                          "document.getElementById('filter').dispatchEvent(new Event('input'));")
    check(len(visible_rows(driver)) == sum(len(c["devices"]) for c in summary["cells"]),
          "filter: empty shows every row again")


def main():
    shot = None
    if len(sys.argv) == 3 and sys.argv[1] == "--screenshot":
        shot = os.path.abspath(sys.argv[2])
    tmp = tempfile.mkdtemp(prefix="ipsfc-browser-report.")
    driver = browser()
    try:
        # examples/natives needs a native library allowed: not a page matter
        packs = sorted(p for p in glob.glob(os.path.join(ROOT, "examples", "*", "pack.ipsf"))
                       if glob.glob(os.path.join(os.path.dirname(p), "devices", "*"))
                       and "/natives/" not in p)
        check(len(packs) >= 2, "examples with devices: %d" % len(packs))
        for pack in packs:
            name = os.path.basename(os.path.dirname(pack))
            sheets = sorted(glob.glob(os.path.join(os.path.dirname(pack), "devices", "*")))
            rel = [os.path.relpath(s, ROOT) for s in sheets]
            html_path = os.path.join(tmp, name + ".html")
            json_path = os.path.join(tmp, name + ".json")
            report(os.path.relpath(pack, ROOT), rel, "html", html_path)
            report(os.path.relpath(pack, ROOT), rel, "json", json_path)
            with open(json_path) as f:
                summary = json.load(f)
            check_page(driver, name, html_path, summary)
            if name == "smart-home":
                check_interaction(driver, summary)
                driver.get("file://" + html_path)
                if shot:
                    driver.save_screenshot(shot)
                    check(os.path.getsize(shot) > 10000, "screenshot saved: " + shot)
        # the console: no errors on any page
        logs = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        check(not logs, "console: no errors%s" % ("" if not logs else ": %s" % logs[:3]))
    finally:
        driver.quit()
        for f in glob.glob(os.path.join(tmp, "*")):
            os.remove(f)
        os.rmdir(tmp)
    print("browser report: %d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
