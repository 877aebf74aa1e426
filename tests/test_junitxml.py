"""Issue 8 — the junitxml builtin: --junitxml, the xunit2 schema, families, logging, properties,
escaping, atomic writing, bad paths."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from plugin_testing import minitester  # noqa: F401 - a fixture

SCHEMA = Path(__file__).parent / "data" / "junit-xunit2.xsd"

SUITE = {
    "conftest.py": """
        import minitest

        @minitest.fixture
        def broken_setup():
            raise RuntimeError("setup exploded")

        @minitest.fixture
        def broken_teardown():
            yield
            raise RuntimeError("teardown exploded")
    """,
    "test_suite.py": """
        import sys
        import minitest

        def test_pass():
            print("out \\x07 bell <&>")
            sys.stderr.write("err line\\n")

        def test_fail():
            assert 1 == 2

        def test_setup_error(broken_setup):
            pass

        def test_teardown_error(broken_teardown):
            pass

        def test_fail_and_teardown_error(broken_teardown):
            assert False, "call failed"

        @minitest.mark.skip(reason="not today")
        def test_skip():
            pass

        @minitest.mark.xfail(reason="known bug")
        def test_xfail():
            assert 0

        @minitest.mark.xfail(strict=True)
        def test_xpass_strict():
            pass

        class TestGroup:
            @minitest.mark.parametrize("n", [1, 2])
            def test_param(self, n):
                assert n
    """,
}


def _cases(root: ET.Element) -> dict[str, list[ET.Element]]:
    cases: dict[str, list[ET.Element]] = {}
    for case in root.iter("testcase"):
        cases.setdefault(f"{case.get('classname')}::{case.get('name')}", []).append(case)
    return cases


def _run_suite(minitester, *args):
    for name, text in SUITE.items():
        minitester.makefile("", **{name: text})
    return minitester.runminitest_subprocess("-p", "no:cache", "--junitxml=reports/junit.xml", *args)


def test_report_validates_against_the_xunit2_schema(minitester):
    xmlschema = pytest.importorskip("xmlschema")
    result = _run_suite(minitester, "-o", "junit_logging=all")
    assert result.ret == 1
    report = minitester.path / "reports" / "junit.xml"
    schema = xmlschema.XMLSchema(str(SCHEMA))
    schema.validate(str(report))  # raises with the offending element if invalid
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None
    # 10 tests; the failing test with a teardown error has two testcase elements but counts once
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == \
        ("10", "3", "3", "2")


def test_testcase_elements_match_the_outcomes(minitester):
    result = _run_suite(minitester, "-o", "junit_logging=all")
    result.stdout.fnmatch_lines([f"*- generated xml file: {minitester.path / 'reports' / 'junit.xml'} -*"])
    root = ET.parse(minitester.path / "reports" / "junit.xml").getroot()
    assert root.tag == "testsuites"
    cases = _cases(root)
    passed = cases["test_suite::test_pass"][0]
    assert set(passed.attrib) == {"classname", "name", "time"}  # xunit2: no file / line
    assert float(passed.get("time")) >= 0
    out = passed.find("system-out").text
    assert "out #x07 bell <&>" in out  # the control character escaped, the rest kept
    assert "err line" in passed.find("system-err").text

    failure = cases["test_suite::test_fail"][0].find("failure")
    assert failure.get("message") == "assert 1 == 2"
    assert "def test_fail():" in failure.text

    error = cases["test_suite::test_setup_error"][0].find("error")
    assert error.get("message").startswith('failed on setup with "RuntimeError: setup exploded')
    teardown = cases["test_suite::test_teardown_error"][0].find("error")
    assert teardown.get("message").startswith('failed on teardown with "RuntimeError: teardown exploded')

    both = cases["test_suite::test_fail_and_teardown_error"]
    assert [[child.tag for child in case if child.tag in ("failure", "error")] for case in both] == \
        [["failure"], ["error"]]

    skipped = cases["test_suite::test_skip"][0].find("skipped")
    assert (skipped.get("type"), skipped.get("message")) == ("minitest.skip", "not today")
    assert skipped.text.endswith("test_suite.py:20: not today")
    xfail = cases["test_suite::test_xfail"][0].find("skipped")
    assert (xfail.get("type"), xfail.get("message")) == ("minitest.xfail", "known bug")
    xpass = cases["test_suite::test_xpass_strict"][0].find("failure")
    assert xpass.get("message") == "[XPASS(strict)]"
    assert "test_suite.TestGroup::test_param[1]" in cases and "test_suite.TestGroup::test_param[2]" in cases


def test_suite_attributes_name_and_prefix(minitester):
    minitester.makeini("[minitest]\njunit_suite_name = nightly\n")
    minitester.makepyfile(test_one="def test_a():\n    pass\n")
    result = minitester.runminitest_subprocess("-p", "no:cache", "--junit-xml=out.xml", "--junit-prefix=ci")
    assert result.ret == 0
    root = ET.parse(minitester.path / "out.xml").getroot()
    suite = root.find("testsuite")
    assert suite.get("name") == "nightly"
    assert suite.get("hostname") and "T" in suite.get("timestamp")
    case = suite.find("testcase")
    assert (case.get("classname"), case.get("name")) == ("ci.test_one", "test_a")


def test_xunit1_family_adds_file_and_line(minitester):
    minitester.makeini("[minitest]\njunit_family = xunit1\n")
    minitester.makepyfile(test_lines="# one\n# two\ndef test_third_line():\n    pass\n")
    assert minitester.runminitest_subprocess("-p", "no:cache", "--junitxml=out.xml").ret == 0
    case = ET.parse(minitester.path / "out.xml").getroot().find("testsuite/testcase")
    assert (case.get("file"), case.get("line")) == ("test_lines.py", "2")


def test_default_logging_writes_no_output(minitester):
    minitester.makepyfile(test_out="def test_a():\n    print('hello')\n")
    assert minitester.runminitest_subprocess("-p", "no:cache", "--junitxml=out.xml").ret == 0
    case = ET.parse(minitester.path / "out.xml").getroot().find("testsuite/testcase")
    assert case.find("system-out") is None


def test_log_passing_tests_false_keeps_only_failures_output(minitester):
    minitester.makeini("[minitest]\njunit_logging = system-out\njunit_log_passing_tests = false\n")
    minitester.makepyfile(test_out="""
        def test_ok():
            print("ok output")

        def test_bad():
            print("bad output")
            assert 0
    """)
    assert minitester.runminitest_subprocess("-p", "no:cache", "--junitxml=out.xml").ret == 1
    cases = _cases(ET.parse(minitester.path / "out.xml").getroot())
    assert cases["test_out::test_ok"][0].find("system-out") is None
    assert "bad output" in cases["test_out::test_bad"][0].find("system-out").text


def test_record_property_and_testsuite_property(minitester):
    minitester.makepyfile(test_props="""
        def test_a(record_property, record_testsuite_property):
            record_property("answer", 42)
            record_testsuite_property("ARCH", "x86")
    """)
    result = minitester.runminitest_subprocess("-p", "no:cache", "--junitxml=out.xml", "-o", "junit_family=xunit1")
    assert result.ret == 0
    suite = ET.parse(minitester.path / "out.xml").getroot().find("testsuite")
    assert [(p.get("name"), p.get("value")) for p in suite.findall("properties/property")] == [("ARCH", "x86")]
    assert [(p.get("name"), p.get("value")) for p in suite.findall("testcase/properties/property")] == \
        [("answer", "42")]
    # with xunit2 (the default) record_property is outside the schema: a warning says so
    result = minitester.runminitest_subprocess("-p", "no:cache", "--junitxml=out.xml")
    assert "record_property is incompatible with junit_family 'xunit2'" in "\n".join(
        result.outlines + result.errlines)


def test_record_testsuite_property_without_junitxml_is_a_no_op(minitester):
    minitester.makepyfile(test_props="""
        import minitest

        def test_a(record_testsuite_property):
            record_testsuite_property("ARCH", "x86")

        def test_name_must_be_text(record_testsuite_property):
            with minitest.raises(TypeError, match="name parameter needs to be a string"):
                record_testsuite_property(1, "x")
    """)
    result = minitester.runminitest_subprocess("-p", "no:cache")
    result.assert_outcomes(passed=2)


def test_collection_error_is_an_error_testcase(minitester):
    minitester.makepyfile(test_broken="def test_a(:\n    pass\n")
    assert minitester.runminitest_subprocess("-p", "no:cache", "--junitxml=out.xml").ret == 2
    suite = ET.parse(minitester.path / "out.xml").getroot().find("testsuite")
    case = suite.find("testcase")
    assert (case.get("name"), case.find("error").get("message")) == ("test_broken", "collection failure")
    assert suite.get("errors") == "1"


@pytest.mark.parametrize("target", ["a_file/report.xml", "a_dir"])
def test_unwritable_path_is_a_usage_error_before_tests_run(minitester, target):
    (minitester.path / "a_file").write_text("not a directory")
    (minitester.path / "a_dir").mkdir()
    minitester.makepyfile(test_x="def test_a():\n    open('ran', 'w').close()\n")
    result = minitester.runminitest_subprocess("-p", "no:cache", f"--junitxml={target}")
    assert result.ret == 4
    result.stderr.fnmatch_lines([f"ERROR: --junitxml: cannot write the report to *{target}: *"])
    assert not (minitester.path / "ran").exists()
    result.stdout.no_fnmatch_line("collected*")


def test_report_is_replaced_atomically(minitester):
    minitester.makepyfile(test_x="def test_a():\n    pass\n")
    report = minitester.path / "out.xml"
    report.write_text("old content")
    inode = report.stat().st_ino
    assert minitester.runminitest_subprocess("-p", "no:cache", "--junitxml=out.xml").ret == 0
    # a new file renamed over the old one (not the old one truncated), no temporary left behind
    assert report.stat().st_ino != inode
    assert report.read_text().startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert sorted(p.name for p in minitester.path.iterdir() if p.name.startswith(".")) == []


def test_invalid_ini_values_are_usage_errors(minitester):
    minitester.makepyfile(test_x="def test_a():\n    pass\n")
    result = minitester.runminitest_subprocess("--junitxml=out.xml", "-o", "junit_family=xunit3")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["ERROR: junit_family must be one of xunit1, xunit2, legacy (got 'xunit3')"])
    result = minitester.runminitest_subprocess("--junitxml=out.xml", "-o", "junit_duration_report=wall")
    assert result.ret == 4


def test_total_duration_includes_setup(minitester):
    minitester.makepyfile(test_slow="""
        import time
        import minitest

        @minitest.fixture
        def slow_setup():
            time.sleep(0.3)

        def test_a(slow_setup):
            time.sleep(0.1)
    """)
    assert minitester.runminitest_subprocess("-p", "no:cache", "--junitxml=total.xml").ret == 0
    assert minitester.runminitest_subprocess("-p", "no:cache", "--junitxml=call.xml",
                                             "-o", "junit_duration_report=call").ret == 0
    total = float(ET.parse(minitester.path / "total.xml").getroot().find("testsuite/testcase").get("time"))
    call = float(ET.parse(minitester.path / "call.xml").getroot().find("testsuite/testcase").get("time"))
    assert total >= 0.4
    assert call >= 0.1


def test_blocked_junitxml_has_no_option(minitester):
    minitester.makepyfile(test_x="def test_a():\n    pass\n")
    result = minitester.runminitest_subprocess("-p", "no:junitxml", "--junitxml=out.xml")
    assert result.ret == 4
    assert not (minitester.path / "out.xml").exists()


def test_xml_is_not_imported_unless_a_report_is_written(minitester):
    minitester.makeconftest("""
        import sys

        def minitest_configure(config):
            with open("modules.txt", "w") as f:
                f.write(str("xml.etree.ElementTree" in sys.modules))
    """)
    minitester.makepyfile(test_x="def test_a():\n    pass\n")
    assert minitester.runminitest_subprocess("-p", "no:cache").ret == 0
    assert (minitester.path / "modules.txt").read_text() == "False"


def test_reporter_plugin_raising_is_an_internal_error_naming_it(minitester):
    minitester.makeconftest("""
        def minitest_runtest_logreport(report):
            if report.when == "call" and report.nodeid.endswith("test_b"):
                raise RuntimeError("reporter broke")
    """)
    minitester.makepyfile(test_x="def test_a():\n    pass\n\ndef test_b():\n    pass\n")
    result = minitester.runminitest_subprocess("-p", "no:cache", "--junitxml=out.xml")
    assert result.ret == 3
    output = result.outlines + result.errlines
    assert any(line.startswith("INTERNALERROR> plugin ") and "conftest.py" in line
               and "raised RuntimeError in minitest_runtest_logreport: reporter broke" in line
               for line in output), "\n".join(output)
    # the JUnit report is still written: the test before the crash and the internal error
    cases = _cases(ET.parse(minitester.path / "out.xml").getroot())
    assert "test_x::test_a" in cases
    assert cases["minitest::internal"][0].find("error").get("message") == "internal error"
    assert os.path.getsize(minitester.path / "out.xml") > 0
