"""What pytest 9.1 and 9.2 changed that users see, followed by minitest (changelog numbers in each
test's name or docstring); each compares with pytest on the same folder where both can run it."""

from __future__ import annotations

import re

import pytest

SKIP_AND_FAIL = {"test_a.py": """
    import pytest

    def test_skip():
        pytest.skip("why")

    def test_fail():
        assert 0
"""}


def _summary(result) -> list[str]:
    return [line for line in result.lines if line.startswith(("SKIPPED ", "FAILED "))]


@pytest.mark.parametrize("args", [("--report-chars=s",), ("--report-chars", "s"), ("-rs",)])
def test_report_chars_is_the_long_form_of_r(files, compare, args):
    """9.1 #14023: ``--report-chars`` is ``-r``."""
    files(SKIP_AND_FAIL)
    mine, ref = compare("--tb=no", *args)
    assert _summary(mine) == _summary(ref) == ["SKIPPED [1] test_a.py:4: why"], mine.dump()
