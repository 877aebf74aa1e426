"""The ``html`` builtin: ``--html`` writes one self-contained page; its data are the run's; bad
text stays text; the path is checked first; Ctrl-C still writes it; ``minitest report`` makes the
same page from a recorded run. The page itself is driven in headless Chromium (tests/browser.py),
on a small report and on one of 20,000 tests."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from browser import Browser, find_chromium

EVIL = {
    "test_evil.py": """
        import sys
        import minitest

        NAMES = ["</script><script>window.pwned = 1</script>", "<img src=x onerror=window.pwned=2>", "\\x00\\x07\\x1b[31mctl"]

        @minitest.mark.parametrize("text", NAMES)
        def test_evil(text):
            print(text)
            sys.stdout.buffer.write(b"\\xff\\xfe not utf-8 <!-- \\n")
            sys.stdout.flush()
            assert text == "</script>"

        def test_passes():
            print("\\x1b[32mgreen\\x1b[0m output")

        @minitest.mark.skip(reason="<b>reason</b>")
        def test_skipped():
            pass
    """,
}


def page_data(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    match = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', text, re.S)
    assert match, "no data element"
    return json.loads(match.group(1))


def test_the_page_is_self_contained_and_bad_text_stays_text(files, run, tmp_path):
    files(EVIL)
    result = run("--html", "out/report.html")
    assert result.ret == 1
    result.fnmatch_lines(["*generated html file: *report.html*"])
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    # nothing outside: no URL the browser would fetch
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page
    # the data cannot end its element: exactly the two script elements of the template
    assert page.count("</script>") == 2 and page.count("<script") == 2
    assert "<img" not in page and "<!-- " not in page
    data = page_data(tmp_path / "out" / "report.html")
    outcomes = {t["id"]: t["o"] for t in data["tests"]}
    assert outcomes == {
        "test_evil.py::test_evil[</script><script>window.pwned = 1</script>]": "failed",
        "test_evil.py::test_evil[<img src=x onerror=window.pwned=2>]": "failed",
        "test_evil.py::test_evil[\\x00\\x07\\x1b[31mctl]": "failed",
        "test_evil.py::test_passes": "passed",
        "test_evil.py::test_skipped": "skipped",
    }
    failed = next(t for t in data["tests"] if t["o"] == "failed")
    call = next(p for p in failed["ph"] if p["w"] == "call")
    assert "AssertionError" in call["t"] and call["s"][0][0] == "Captured stdout call"
    assert "\udcff" in call["s"][0][1] or "\ufffd" in call["s"][0][1]


def test_an_unwritable_html_path_is_a_usage_error_before_any_test(files, run, tmp_path):
    files({"test_marker.py": """
        from pathlib import Path

        def test_marker():
            Path(__file__).with_name("ran").write_text("yes")
    """, "blocker": "a file\n"})
    for target in ("blocker/report.html", "."):
        result = run("--html", target)
        assert result.ret == 4, result.dump()
        assert "--html: cannot write the report" in result.stderr
    assert not (tmp_path / "ran").exists()


def test_ctrl_c_still_writes_the_page_atomically(files, run, tmp_path):
    files({"test_stop.py": """
        def test_first():
            pass

        def test_interrupted():
            raise KeyboardInterrupt

        def test_never():
            pass
    """})
    result = run("--html", "report.html")
    assert result.ret == 2, result.dump()
    data = page_data(tmp_path / "report.html")
    assert [t["id"] for t in data["tests"]][0] == "test_stop.py::test_first"
    assert data["exitstatus"] == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report.html")] == []  # no temporary left


def test_report_makes_the_same_page_from_a_recorded_run(files, run, tmp_path):
    files(EVIL)
    assert run("--html", "live.html", "--report-log", "run.jsonl", "-n", "2").ret == 1
    result = run("report", "run.jsonl", "--html", "replayed.html")
    assert result.ret == 0, result.dump()
    assert result.lines == [f"wrote {tmp_path / 'replayed.html'}"]
    live, replayed = page_data(tmp_path / "live.html"), page_data(tmp_path / "replayed.html")
    assert replayed["tests"] == live["tests"]
    assert replayed["duration"] == live["duration"] and replayed["exitstatus"] == live["exitstatus"] == 1
    assert {t["w"] for t in live["tests"]} <= {"gw0", "gw1"}  # the timeline's data


# ---------------------------------------------------------------------------------------------
# in a real browser
# ---------------------------------------------------------------------------------------------

needs_browser = pytest.mark.skipif(
    find_chromium() is None,
    reason="no headless browser: install Debian's 'chromium' package (apt-get install chromium); .ci/run does")


@pytest.fixture
def browser(tmp_path):
    with Browser.start(tmp_path / "chromium-profile") as b:
        yield b


STATE = """JSON.stringify({
    ready: document.body.dataset.ready,
    totals: document.getElementById('totals').textContent,
    shown: document.getElementById('shown').textContent,
    rows: document.querySelectorAll('.row').length,
    scripts: document.scripts.length,
    pwned: window.pwned === undefined ? null : window.pwned,
    readyAt: window.minitestReport.readyAt
})"""


@needs_browser
def test_the_page_in_a_browser(files, run, tmp_path, browser):
    files(EVIL)
    assert run("--html", "report.html", "-n", "2").ret == 1
    browser.open((tmp_path / "report.html").as_uri())
    state = json.loads(browser.evaluate(STATE))
    assert state["ready"] == "1"
    assert state["totals"].startswith("3 failed, 1 passed, 1 skipped in ")
    assert state["shown"] == "5 of 5 tests shown" and state["rows"] == 5
    assert state["scripts"] == 2 and state["pwned"] is None  # the names were text, never markup
    # the filter: click "failed", then search within it
    browser.evaluate("document.querySelector('button[data-outcome=failed]').click()")
    assert browser.evaluate("document.getElementById('shown').textContent") == "3 of 5 tests shown"
    browser.evaluate("""(() => { const s = document.getElementById('search'); s.value = 'img';
                                 s.dispatchEvent(new Event('input')); })()""")
    browser.evaluate("new Promise(r => setTimeout(r, 200))")
    assert browser.evaluate("document.getElementById('shown').textContent") == "1 of 5 tests shown"
    assert browser.evaluate("document.querySelector('.row .id').textContent") == \
        "test_evil.py::test_evil[<img src=x onerror=window.pwned=2>]"
    # a failure's traceback: "E" lines in the terminal's red, captured output folded
    browser.evaluate("document.querySelector('.row').click()")
    assert browser.evaluate("document.querySelector('#detail pre .c-red.c-bold').textContent").startswith("E   ")
    assert browser.evaluate("document.querySelector('#detail details').open") is False
    assert "\u2400\u2407" in browser.evaluate("document.querySelector('#failures').textContent")  # NUL, BEL shown
    assert browser.evaluate("document.querySelector('#timeline') !== null")
    assert browser.evaluate("location.hash").startswith("#o=failed&q=img&t=")
    shot = browser.screenshot(tmp_path / "report.png")
    assert shot.stat().st_size > 10_000


@needs_browser
def test_twenty_thousand_tests_open_and_filter(files, run, tmp_path, browser):
    files({"test_many.py": """
        import minitest

        @minitest.mark.parametrize("i", range(20000))
        def test_many(i):
            if i % 1000 == 7:
                print(f"output of {i}")
                assert i == -1, "a failure"
            if i % 500 == 3:
                minitest.skip("skipped on purpose")
    """})
    result = run("-q", "-n", "2", "--html", "big.html", "-p", "no:cache")
    assert result.ret == 1, result.dump()
    path = tmp_path / "big.html"
    size = path.stat().st_size
    assert size < 10_000_000, f"{size} bytes"
    started = time.monotonic()
    browser.open(path.as_uri())
    opened = time.monotonic() - started
    state = json.loads(browser.evaluate(STATE))
    assert state["totals"].startswith("20 failed, 19940 passed, 40 skipped in ")
    assert state["rows"] < 200  # rows made as they scroll into view, not 20,000
    # filtering, until the browser painted the result
    filtering = browser.evaluate("""new Promise(resolve => {
        const start = performance.now();
        document.querySelector('button[data-outcome=failed]').click();
        requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - start)));
    })""")
    assert browser.evaluate("document.getElementById('shown').textContent") == "20 of 20000 tests shown"
    searching = browser.evaluate("new Promise(r => r(window.minitestReport.filter('', 'many[1999]')))")
    assert browser.evaluate("window.minitestReport.shown()") == 1
    browser.screenshot(tmp_path / "big.png")
    # how fast is bench/html_report.py's job (timing never decides a test); shown with -s
    print(f"\n20,000 tests: {size / 1e6:.1f} MB, opened in {state['readyAt']:.0f} ms "
          f"(navigation to ready; {opened * 1000:.0f} ms seen from here), filter {filtering:.0f} ms, "
          f"search {searching:.0f} ms")


def test_an_installed_plugins_html_option_takes_over(files, run, tmp_path):
    """pytest-html's ``--html`` wins when it is installed (the builtin's option gives way): here a
    conftest.py declares it, as an installed plugin would."""
    files({
        "conftest.py": """
            def minitest_addoption(parser):
                parser.addoption("--html", dest="htmlpath", default=None)

            def minitest_configure(config):
                if config.getoption("htmlpath"):
                    print("other html plugin writes", config.getoption("htmlpath"))
        """,
        "test_one.py": "def test_one(): pass\n",
    })
    result = run("--html", "out.html", "-s")
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["other html plugin writes out.html"])
    assert not (tmp_path / "out.html").exists()  # the builtin stood aside


def test_a_clash_with_an_option_that_does_not_give_way_is_an_error(files, run):
    files({"conftest.py": "def minitest_addoption(parser):\n    parser.addoption('--tb')\n",
           "test_one.py": "def test_one(): pass\n"})
    result = run()
    assert result.ret == 4, result.dump()  # a usage error
    assert "option names ['--tb'] already added" in result.output, result.dump()
