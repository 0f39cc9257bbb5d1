#!/usr/bin/env python3
"""The /inaccessible page in a real browser (headless Chromium through Selenium).

Starts the built exporter on the demo under a route prefix, then checks what a person relies on:
the ranked fixes render, filtering by owner, by kind and by free text hides exactly the rows that
do not match (judged here from each row's data-* hooks and text, independently of the page's
script), every link stays under the route prefix, and the browser console logs no error (a
missing favicon would be one).

Needs Debian's chromium and chromium-driver and PyPI's selenium; Selenium is given the
chromedriver found on PATH (its driver manager cannot download one here).

Usage: browser_inaccessible.py [path/to/sigma_exporter]   (default: swift build --show-bin-path)
Exits 0 when every check passes, 1 otherwise.
"""

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

PREFIX = "/x"
results = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    """Counts one check; prints what failed and why."""
    if ok:
        results["passed"] += 1
        print(f"ok   - {name}")
    else:
        results["failed"] += 1
        print(f"FAIL - {name}" + (f"\n       {detail}" if detail else ""))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, accept="application/json"):
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.read().decode()


def wait_for_fixes(base, seconds):
    """Waits until the demo's report has its fixes: a folder share and, once the sources scan is
    complete, a connection grant (so the ranking has something to rank)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            _, body = get(f"{base}{PREFIX}/inaccessible?format=json")
            organizations = json.loads(body)["organizations"]
            if sum(len(o.get("fixes", [])) for o in organizations) >= 2 and any("connections" in o for o in organizations):
                return organizations
        except Exception:  # not listening yet, or not polled yet
            pass
        time.sleep(0.5)
    return None


ROWS_JS = """
return Array.from(document.querySelectorAll('tr[data-org]')).map(function (row) {
  return {id: row.id, org: row.dataset.org, kind: row.dataset.kind, owner: row.dataset.owner,
          text: row.textContent, shown: row.getClientRects().length > 0};
});
"""


def expected(row, org="", kind="", owner="", text=""):
    """Whether a row should show, by the filter's rule, from its hooks and text alone."""
    return (
        (not org or row["org"] == org)
        and (not kind or kind in row["kind"].split(" "))
        and (not owner or owner in row["owner"].split("|"))
        and (not text or text.strip().lower() in row["text"].lower())
    )


def check_filter(driver, name, **filters):
    """Sets the filter box, then compares every row's visibility with the rule."""
    for field in ("org", "kind", "owner"):
        Select(driver.find_element(By.ID, f"filter-{field}")).select_by_value(filters.get(field, ""))
    box = driver.find_element(By.ID, "filter-text")
    box.clear()
    if filters.get("text"):
        box.send_keys(filters["text"])
    rows = driver.execute_script(ROWS_JS)
    wrong = [r["id"] for r in rows if r["shown"] != expected(r, **filters)]
    shown = sum(r["shown"] for r in rows)
    check(
        f"filter by {name} shows exactly the matching rows ({shown} of {len(rows)})",
        not wrong and 0 < shown < len(rows),
        f"rows shown or hidden wrongly: {wrong[:5]}" if wrong else f"{shown} of {len(rows)} shown",
    )
    return rows


def run(exporter):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    work = tempfile.mkdtemp()
    log = open(f"{work}/exporter.err", "w")
    process = subprocess.Popen(
        [exporter, "--demo", f"--web.listen-address=127.0.0.1:{port}", f"--web.route-prefix={PREFIX}",
         "--poll.interval=2s", "--log.level=warn"],
        stdout=subprocess.DEVNULL, stderr=log)
    driver = None
    try:
        organizations = wait_for_fixes(base, 180)
        check("the demo's report has fixes", organizations is not None)
        if organizations is None:
            return
        options = webdriver.ChromeOptions()
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)

        driver.get(f"{base}{PREFIX}/inaccessible")
        fixes = driver.find_elements(By.CSS_SELECTOR, "#fix-table tr[data-rank]")
        expected_fixes = sum(len(o.get("fixes", [])) for o in organizations)
        check(f"the fixes render first, one row per fix ({len(fixes)})",
              len(fixes) == expected_fixes and len(fixes) > 0,
              f"{len(fixes)} rows, the JSON has {expected_fixes}")
        unlocks = [int(r.find_element(By.CLASS_NAME, "unlocks").text) for r in fixes]
        check("the fixes are ranked, most unlocked first", unlocks == sorted(unlocks, reverse=True), str(unlocks))
        headings = [h.get_attribute("id") for h in driver.find_elements(By.CSS_SELECTOR, "h2[id]")]
        check("fixes, then the last day's changes, then the tables",
              headings[:2] == ["fixes", "recent-changes"], str(headings[:3]))

        rows = driver.execute_script(ROWS_JS)
        ids = [r["id"] for r in rows]
        check("every row has a stable, unique id", all(ids) and len(set(ids)) == len(ids))
        check("every row is shown before filtering", all(r["shown"] for r in rows))

        owners = [o.get_attribute("value") for o in
                  Select(driver.find_element(By.ID, "filter-owner")).options if o.get_attribute("value")]
        check("the owner filter offers the documents' owners", len(owners) > 0)
        if owners:
            check_filter(driver, "owner", owner=owners[0])
        kinds = [o.get_attribute("value") for o in
                 Select(driver.find_element(By.ID, "filter-kind")).options if o.get_attribute("value")]
        check("the kind filter offers several kinds", len(kinds) > 1, str(kinds))
        if kinds:
            check_filter(driver, "kind", kind=kinds[0])
        documents = [r for r in rows if r["id"].startswith("doc-")]
        if documents:
            # textContent, not .text: a row another filter hid has no visible text.
            cells = driver.find_element(By.ID, documents[-1]["id"]).find_elements(By.TAG_NAME, "td")
            name = cells[1].get_attribute("textContent").strip()
            after = check_filter(driver, "free text", text=name)
            check("the row searched for is shown",
                  any(r["id"] == documents[-1]["id"] and r["shown"] for r in after))
        Select(driver.find_element(By.ID, "filter-kind")).select_by_value("")
        Select(driver.find_element(By.ID, "filter-owner")).select_by_value("")
        driver.find_element(By.ID, "filter-text").clear()
        driver.find_element(By.ID, "filter-text").send_keys(" ")  # blank: an input event, no filter
        cleared = driver.execute_script(ROWS_JS)
        check("clearing the filters shows every row again",
              all(r["shown"] for r in cleared) and len(cleared) == len(rows))

        local = []
        for link in driver.find_elements(By.CSS_SELECTOR, "a[href]"):
            href = link.get_attribute("href")
            parsed = urllib.parse.urlparse(href)
            if parsed.netloc == f"127.0.0.1:{port}":
                local.append(parsed.path)
        outside = [p for p in local if not (p == PREFIX or p.startswith(PREFIX + "/"))]
        check(f"the page's own links stay under {PREFIX} ({len(local)} links)",
              len(local) >= 3 and not outside, str(outside))
        status, _ = get(driver.find_element(By.ID, "changes-json").get_attribute("href"))
        check("the changes link answers", status == 200)

        driver.get(f"{base}{PREFIX}/")
        rows = driver.find_elements(By.ID, "org-demo")
        coverage = rows[0].text if rows else ""
        check("the landing page shows coverage per kind", "workbook" in coverage and "%" in coverage, coverage)

        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        check("the browser console logs no error", not errors, str(errors[:3]))
    except Exception as error:  # a missing element or a dead browser is a failure, said plainly
        check("the page could be driven to the end", False, repr(error)[:500])
    finally:
        if driver is not None:
            driver.quit()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        if results["failed"]:
            print(open(f"{work}/exporter.err").read()[-2000:])
        shutil.rmtree(work, ignore_errors=True)


def main():
    exporter = sys.argv[1] if len(sys.argv) > 1 else (
        subprocess.check_output(["swift", "build", "--show-bin-path"], text=True).strip() + "/sigma_exporter")
    run(exporter)
    print(f"\n{results['passed']} passed, {results['failed']} failed")
    return 0 if results["failed"] == 0 and results["passed"] > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
