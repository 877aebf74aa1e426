"""Builtin plugin ``repeat``: stress a suite by running each selected test N times.

The option, mark and ids are pytest-repeat's, so a project's configuration works unchanged (the
installed plugin itself is not loaded: this builtin runs instead)::

    --count N, @mark.repeat(N)   each test runs N times: test_x[1-3], test_x[2-3], test_x[3-3]
    --repeat-scope SCOPE         function (the default: a test's repetitions run one after the
                                 other), class, module or session (the whole suite runs, then again)

    generate_tests (trylast) → the test is parametrized over the step number through the
                               ``__pytest_repeat_step_number`` fixture (indirect, with the scope of
                               --repeat-scope), so the repetition id comes last:
                               test_p[a-1-3]; its ``request.param`` is the step from 0
    runtest_makereport       → a failed report of a repetition carries ``repeat_attempt`` /
                               ``repeat_count`` (they travel with the report from a worker);
                               registered by the first test that repeats
    report_stop_reason       → after -x / --maxfail: "stopped at attempt 3 of 5 of test_x.py::test_x"

Being plain parametrization, repetitions go through everything parametrized tests do: selection
by id, -k, --lf, -n (the repetitions of a test may run on different workers).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from minitest import fixture, hookimpl
from minitest.config import Config, Parser, UsageError
from minitest.nodes import Item, Node, Session
from minitest.outcomes import fail
from minitest.parametrize import Metafunc
from minitest.reports import CallInfo, TestReport
from minitest.runstats import RUN_STATS
from minitest.stash import StashKey

#: pytest-repeat's fixture name: what a repetition's ``callspec.params`` holds its step under
STEP_FIXTURE = "__pytest_repeat_step_number"
REPEAT_MARK = frozenset({"repeat"})
SCOPES = ("function", "class", "module", "session")
#: the plugin name of :class:`AttemptLabels`
LABELS = "repeat.labels"
#: ``--count`` once checked (absent: no repetition asked for on the command line)
_COUNT = StashKey[int]()


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("repeat", "run each test several times (stress)")
    group.addoption("--count", dest="count", type=int, default=1, metavar="N",
                    help="run each selected test N times (ids get a [i-N] suffix); the mark repeat(n) "
                         "sets it per test")
    group.addoption("--repeat-scope", dest="repeat_scope", default="function", choices=SCOPES,
                    help="function: a test's repetitions run one after the other (the default); "
                         "class, module, session: that whole scope runs, then again")


def minitest_configure(config: Config) -> None:
    config.addinivalue_line("markers", "repeat(n): run the test n times (repeat(1): once, whatever --count says)")
    count = config.getoption("count", 1)
    if count is None:
        return
    if count < 1:
        # pytest-repeat silently runs once; a stress run that runs nothing more is a mistake
        raise UsageError(f"--count: expected a whole number of runs of at least 1, got {count}")
    if count > 1:
        config.stash[_COUNT] = count


def repeat_count(node: Node, config: Config) -> int:
    """How many times ``node`` (a test's definition or item) runs: its ``repeat`` mark, else ``--count``."""
    mark = node.get_closest_marker("repeat")
    if mark is None:
        return config.stash.get(_COUNT, 1)
    raw = mark.args[0] if mark.args else mark.kwargs.get("n", mark.kwargs.get("count", 1))
    try:
        return int(raw)
    except (TypeError, ValueError):
        # during collection: an error of this test's file, as a bad parametrize mark is
        fail(f"{node.nodeid}: the repeat mark expects a whole number of runs, got {raw!r}", pytrace=False)


@hookimpl(trylast=True)  # after every other parametrization: the repetition id comes last, as pytest-repeat's
def minitest_generate_tests(metafunc: Metafunc) -> None:
    config = metafunc.config
    definition = metafunc.definition
    if _COUNT not in config.stash and not definition.has_marker(REPEAT_MARK):
        return  # the usual case: one stash look-up and one walk up the marks per test function
    count = repeat_count(definition, config)
    if count <= 1:
        return
    pm = config.pluginmanager
    if not pm.has_plugin(LABELS):  # the first test that repeats, in the process that runs it
        pm.register(AttemptLabels(), LABELS)
    metafunc.fixturenames.append(STEP_FIXTURE)
    metafunc.parametrize(STEP_FIXTURE, range(count), indirect=True, ids=lambda i: f"{i + 1}-{count}",
                         scope=config.getoption("repeat_scope", "function") or "function")


@fixture(name=STEP_FIXTURE)
def _repeat_step_number(request: Any) -> int:
    """The repetition being run, from 0 (pytest-repeat's fixture)."""
    return int(request.param)


def _step(item: Item) -> int | None:
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return None
    step = callspec.params.get(STEP_FIXTURE)
    return step if isinstance(step, int) else None


class AttemptLabels:
    """Registered only in a run with repetitions (by ``minitest_generate_tests``, in the process
    that collects and runs them): most runs have none, and this wraps every phase."""

    @hookimpl(wrapper=True)
    def minitest_runtest_makereport(self, item: Item, call: CallInfo[None]) -> Generator[None, Any, Any]:
        report = yield
        if isinstance(report, TestReport) and report.failed:
            step = _step(item)
            if step is not None:
                # plain attributes: they reach the controller with the rest of a worker's report
                report.repeat_attempt = step + 1  # type: ignore[attr-defined]
                report.repeat_count = repeat_count(item, item.config)  # type: ignore[attr-defined]
        return report


def minitest_report_stop_reason(session: Session) -> list[str] | None:
    """Which attempt of a repeated test failed, when that stopped the run (-x / --maxfail)."""
    if not session.shouldfail:
        return None
    stats = session.config.stash.get(RUN_STATS, None)
    if stats is None:
        return None
    lines: list[str] = []
    for category in ("failed", "error"):
        for report in stats.test_reports(category):
            attempt = getattr(report, "repeat_attempt", None)
            if attempt is None:
                continue
            line = (f"stopped at attempt {attempt} of {getattr(report, 'repeat_count', '?')} "
                    f"of {_repeated_test_id(report.nodeid)}")
            if line not in lines:
                lines.append(line)
    return lines or None


def _repeated_test_id(nodeid: str) -> str:
    """The id of the test whose repetition ``nodeid`` is: the ``i-N`` part (last) taken off."""
    parent, sep, name = nodeid.rpartition("::")
    function, bracket, params = name.partition("[")
    if not bracket:
        return nodeid
    rest = "-".join(params[:-1].split("-")[:-2])
    return f"{parent}{sep}{function}[{rest}]" if rest else f"{parent}{sep}{function}"
