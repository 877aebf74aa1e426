"""How fast the HTML report of a 20,000-test run opens and filters in headless Chromium (issue 21's
budget: open + filter under 2 s, the file under ~10 MB). Timing lives here, not in the tests.

    python bench/html_report.py [--tests 20000] [--rounds 3]

Generates the suite in a temp dir, runs it once with ``-n 2 --html``, then opens the report
``--rounds`` times in a fresh headless Chromium and prints the medians: navigation to ready (in the
page), clicking the "failed" filter until painted, and a search. Needs the ``chromium`` package.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from browser import Browser, find_chromium  # noqa: E402 - the tests' small DevTools driver

SUITE = '''
import minitest

@minitest.mark.parametrize("i", range({count}))
def test_many(i):
    if i % 1000 == 7:
        print(f"output of {{i}}")
        assert i == -1, "a failure"
    if i % 500 == 3:
        minitest.skip("skipped on purpose")
'''

FILTER = """new Promise(resolve => {
    const start = performance.now();
    document.querySelector('button[data-outcome=failed]').click();
    requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - start)));
})"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if find_chromium() is None:
        print("no chromium: apt-get install chromium", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="minitest-html-bench-") as tmp:
        root = Path(tmp)
        (root / "test_many.py").write_text(SUITE.format(count=args.tests))
        subprocess.run([sys.executable, "-m", "minitest", "-q", "-n", "2", "-p", "no:cache", "--html", "big.html"],
                       cwd=root, capture_output=True, check=False)
        report = root / "big.html"
        opened, filtered, searched = [], [], []
        for i in range(args.rounds):
            with Browser.start(root / f"profile-{i}") as browser:
                browser.open(report.as_uri())
                state = json.loads(browser.evaluate("JSON.stringify({readyAt: window.minitestReport.readyAt})"))
                opened.append(float(state["readyAt"]))
                filtered.append(float(browser.evaluate(FILTER)))
                searched.append(float(browser.evaluate(
                    "new Promise(r => r(window.minitestReport.filter('', 'many[1999]')))")))
        size = report.stat().st_size
    total = statistics.median(opened) + statistics.median(filtered)
    print(f"{args.tests} tests: {size / 1e6:.1f} MB (budget ~10 MB); open {statistics.median(opened):.0f} ms, "
          f"filter {statistics.median(filtered):.0f} ms, search {statistics.median(searched):.0f} ms "
          f"(medians of {args.rounds}); open + filter {total:.0f} ms (budget 2000 ms): "
          f"{'met' if total < 2000 and size < 10_000_000 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
