"""Running items: the loop, the setup / call / teardown protocol and the phase reports.

    runtestloop → for each item: runtest_protocol
        logstart → setup → makereport → logreport → call → ... → teardown → ... → logfinish

The SetupState keeps the stack of nodes that are set up (session, directories, module, class,
item) and tears down exactly the ones the next item does not share, so a module's finalizers run
after its last test, not at exit.
"""

from __future__ import annotations

from pathlib import Path

from minitest import hookimpl
from minitest.config import Parser
from minitest.nodes import Item, Node, Session
from minitest.outcomes import is_skip_exception, outcome_kind
from minitest.protocol import run_phases
from minitest.pytest_names import skip_at_item_location
from minitest.reports import CallInfo, TestReport, exception_info
from minitest.stash import StashKey


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("terminal reporting", "reporting")
    group.addoption("--tb", metavar="style", action="store", dest="tbstyle", default="auto",
                    choices=["auto", "long", "short", "no", "line", "native"],
                    help="traceback print mode (auto/long/short/line/native/no)")
    group.addoption("-l", "--showlocals", action="store_true", dest="showlocals", default=False,
                    help="show locals in tracebacks")
    group.addoption("--full-trace", action="store_true", dest="fulltrace", default=False,
                    help="don't cut any tracebacks (default is to cut)")


class SetupState:
    """The stack of set-up nodes; each node's own finalizers run when it leaves the stack."""

    def __init__(self) -> None:
        self.stack: list[Node] = []
        self._errors: dict[Node, BaseException] = {}

    def setup(self, item: Item) -> None:
        chain = item.listchain()
        for i, node in enumerate(self.stack):
            if i >= len(chain) or chain[i] is not node:
                raise RuntimeError(f"setup of {item.nodeid} with {node!r} still set up")
        for node in chain:
            if node in self._errors:
                raise self._errors[node]  # a failed module/class setup fails each of its tests
        for node in chain[len(self.stack):]:
            self.stack.append(node)
            try:
                node.setup()
            except BaseException as exc:
                if node is not item:
                    self._errors[node] = exc
                raise

    def teardown_exact(self, nextitem: Item | None) -> None:
        needed = nextitem.listchain() if nextitem is not None else []
        if nextitem is not None and self.stack and self.stack[-1] is nextitem:
            needed.pop()  # the item runs again (a rerun): only its own scope ends
        errors: list[BaseException] = []
        while self.stack:
            if self.stack == needed[: len(self.stack)]:
                break
            node = self.stack.pop()
            self._errors.pop(node, None)
            try:
                node.teardown()
            except BaseException as exc:  # noqa: BLE001 - the rest must still be torn down
                errors.append(exc)
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise BaseExceptionGroup("errors during teardown", errors)


SETUP_STATE = StashKey[SetupState]()


def setup_state(session: Session) -> SetupState:
    state = session.stash.get(SETUP_STATE, None)
    if state is None:
        # not setdefault(SETUP_STATE, SetupState()): that built a throwaway SetupState (a list and
        # a dict) at every setup and teardown, ~0.5 µs twice per test
        state = session.stash[SETUP_STATE] = SetupState()
    return state


@hookimpl(trylast=True)
def minitest_runtestloop(session: Session) -> bool:
    config = session.config
    if session.testsfailed and not config.getoption("continue_on_collection_errors", False):
        n = session.testsfailed
        raise session.Interrupted(f"{n} error{'s' if n != 1 else ''} during collection")
    if config.getoption("collectonly", False):
        return True
    items = session.items
    for i, item in enumerate(items):
        nextitem = items[i + 1] if i + 1 < len(items) else None
        item.ihook.minitest_runtest_protocol(item=item, nextitem=nextitem)
        if session.shouldfail:
            raise session.Failed(session.shouldfail)
        if session.shouldstop:
            raise session.Interrupted(session.shouldstop)
    return True


@hookimpl(trylast=True)
def minitest_runtest_protocol(item: Item, nextitem: Item | None) -> bool:
    ihook = item.ihook
    ihook.minitest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    run_phases(item, nextitem=nextitem)
    ihook.minitest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True


@hookimpl(trylast=True)
def minitest_runtest_setup(item: Item) -> None:
    setup_state(item.session).setup(item)


@hookimpl(trylast=True)
def minitest_runtest_call(item: Item) -> None:
    item.runtest()


@hookimpl(trylast=True)
def minitest_runtest_teardown(item: Item, nextitem: Item | None) -> None:
    setup_state(item.session).teardown_exact(nextitem)


@hookimpl(trylast=True)
def minitest_runtest_makereport(item: Item, call: CallInfo[None]) -> TestReport:
    return make_report(item, call)


def make_report(item: Item, call: CallInfo[None]) -> TestReport:
    """The default TestReport of one phase."""
    excinfo = call.excinfo
    longrepr: object = None
    if excinfo is None:
        outcome = "passed"
    else:
        exc = excinfo.value
        kind = outcome_kind(exc)
        if kind == "skipped":
            outcome = "skipped"
            longrepr = skip_location(item, exc)
        elif isinstance(exc, BaseExceptionGroup) and _only_skips(exc):
            # pytest 9's rule: a group of skips (tasks of a nursery / task group that all
            # skipped) skips the test
            outcome = "skipped"
            longrepr = group_skip_location(item, exc)
        else:
            outcome = "failed"
            longrepr = item.repr_failure(exception_info(exc, excinfo))
    sections = [(f"Captured {key} {rwhen}", content) for rwhen, key, content in item.report_sections()]
    # the item's keywords mapping itself: the report makes its {keyword: 1} dict only if asked,
    # and most reports of a large run never are
    return TestReport(
        item.nodeid, item.location, item.keywords, outcome, longrepr, call.when,
        sections, call.duration, call.start, call.stop, item.recorded_properties(),
    )


def skip_location(item: Item, exc: BaseException) -> tuple[str, int, str]:
    """``(path, lineno, "Skipped: reason")`` for a skip: where skip() was called, or the item for marks."""
    msg = getattr(exc, "msg", None)
    if msg is None:
        msg = str(exc)
    # pytest's text is the exception's one line, so a skip without a reason reads "Skipped"
    # (pytest-trio re-raises a skip from a nursery as a bare ``pytest.skip()``)
    # ... and, as that line, without trailing whitespace (pytest's exconly)
    text = f"Skipped: {msg}".rstrip() if msg else "Skipped"
    if skip_at_item_location(exc):
        path, lineno, _ = item.reportinfo()
        return str(path), (lineno or 0) + 1, text
    from minitest.tracebacks import raise_location  # only needed once something is skipped

    # frames that hide themselves (skip() itself, helpers) are not where the test skipped
    path, lineno = raise_location(exc, skip_hidden=True) or (str(Path(item.path)), 0)
    return path, lineno, text


def _only_skips(exc: BaseException) -> bool:
    if isinstance(exc, BaseExceptionGroup):
        return all(_only_skips(inner) for inner in exc.exceptions)
    return is_skip_exception(exc)  # pytest's rule: a unittest.SkipTest in a group is an error


def group_skip_location(item: Item, group: BaseExceptionGroup[BaseException]) -> tuple[str, int, str]:
    """Where and why a group of skips skipped, as pytest says it: the reasons of the group's own
    members (a nested group's is its message), else the group's; at the item when every member
    asks for that."""
    reasons: list[str] = []
    for inner in group.exceptions:
        reason = getattr(inner, "msg", None) or (inner.args[0] if inner.args else None)
        if reason and reason not in reasons:
            reasons.append(str(reason))
    if all(skip_at_item_location(inner) for inner in group.exceptions):
        path, lineno, _ = item.reportinfo()
        return str(path), (lineno or 0) + 1, "; ".join(reasons) or "skipped"
    from minitest.tracebacks import raise_location

    path, lineno = raise_location(group, skip_hidden=True) or (str(Path(item.path)), 0)
    return path, lineno, "; ".join(reasons) or f"{type(group).__name__}: {group}"


@hookimpl(trylast=True)
def minitest_sessionfinish(session: Session) -> None:
    """Tear down whatever is still set up (the run was interrupted or stopped early)."""
    state = session.stash.get(SETUP_STATE, None)
    if state is not None and state.stack:
        state.teardown_exact(None)
