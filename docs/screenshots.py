"""Screenshots of the main pages for the README, taken in headless Chromium against a fresh
demo database:  python docs/screenshots.py   (needs Debian's chromium and chromium-driver)."""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PORT = 8020
BASE = f"http://127.0.0.1:{PORT}"

FIND_REPAIR = "from cases.models import Case; print(Case.objects.get(kind='repair').number)"
PAGES = [
    ("qiye", "/my/records/", "portal-records.png"),
    ("qiye", "/repair/{repair}/", "portal-application.png"),
    ("banli", "/repair/queue/", "queue-repair.png"),
    ("duban", "/supervision/", "supervisor-deadlines.png"),
]


def main():
    database = Path(tempfile.mkdtemp()) / "shots.sqlite3"
    env = dict(os.environ, SQLITE_PATH=str(database), DJANGO_SETTINGS_MODULE="config.settings.local",
               LOG_LEVEL="WARNING")  # fmt: skip
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "seed_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    repair = subprocess.run(
        [python, "manage.py", "shell", "-c", FIND_REPAIR],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    server = subprocess.Popen(
        [os.path.join(os.path.dirname(python), "daphne"), "-p", str(PORT), "config.asgi:application"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,900",
    ):
        options.add_argument(flag)  # fmt: skip
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        time.sleep(3)
        OUT.mkdir(parents=True, exist_ok=True)
        for username, path, name in PAGES:
            driver.delete_all_cookies()
            driver.get(BASE + "/accounts/login/")
            driver.find_element(By.NAME, "username").send_keys(username)
            driver.find_element(By.NAME, "password").send_keys("chengxin-demo")
            driver.find_element(By.NAME, "password").submit()
            time.sleep(0.5)
            driver.get(BASE + path.format(repair=repair))
            time.sleep(1.5)
            driver.save_screenshot(str(OUT / name))
            print("saved", OUT / name)
    finally:
        driver.quit()
        server.terminate()


if __name__ == "__main__":
    main()
