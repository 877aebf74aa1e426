"""The runner's SetupState, in process, on a small tree of recording nodes: what is set up and torn
down between items, cached setup errors, reruns, the guard against setting up a second branch.

Written for the survivors of mutation testing of builtin_plugins/runner.py (tests/MUTATION.md); the
suites in test_fixtures.py / test_unittest_plugin.py show the same through real runs.
"""

from __future__ import annotations

import pytest

from builtin_plugins.runner import SetupState


class Node:
    """Just what SetupState uses of a node: its chain, setup, teardown and a node id."""

    def __init__(self, name: str, parent: Node | None, log: list[str]) -> None:
        self.name = self.nodeid = name
        self.parent = parent
        self.log = log
        self.setup_error: BaseException | None = None
        self.teardown_error: BaseException | None = None

    def listchain(self) -> list[Node]:
        chain: list[Node] = []
        node: Node | None = self
        while node is not None:
            chain.insert(0, node)
            node = node.parent
        return chain

    def setup(self) -> None:
        self.log.append(f"setup {self.name}")
        if self.setup_error is not None:
            raise self.setup_error

    def teardown(self) -> None:
        self.log.append(f"teardown {self.name}")
        if self.teardown_error is not None:
            raise self.teardown_error

    def __repr__(self) -> str:
        return f"<Node {self.name}>"


@pytest.fixture
def tree():
    """session > mod1 > (a, b); session > mod2 > c"""
    log: list[str] = []
    session = Node("session", None, log)
    mod1 = Node("mod1", session, log)
    mod2 = Node("mod2", session, log)
    nodes = {"session": session, "mod1": mod1, "mod2": mod2, "a": Node("a", mod1, log),
             "b": Node("b", mod1, log), "c": Node("c", mod2, log)}
    return nodes, log


def run(state: SetupState, items: list[Node]) -> None:
    """setup / teardown as the runner's protocol does, ignoring errors (they are asserted apart)."""
    for i, item in enumerate(items):
        nextitem = items[i + 1] if i + 1 < len(items) else None
        try:
            state.setup(item)
        except Exception:
            pass
        try:
            state.teardown_exact(nextitem)
        except BaseException:
            pass


def test_only_the_nodes_the_next_item_does_not_share_are_torn_down(tree):
    nodes, log = tree
    run(SetupState(), [nodes["a"], nodes["b"], nodes["c"]])
    assert log == ["setup session", "setup mod1", "setup a", "teardown a",
                   "setup b", "teardown b", "teardown mod1",
                   "setup mod2", "setup c", "teardown c", "teardown mod2", "teardown session"]


def test_a_failed_module_setup_fails_each_of_its_tests_with_the_same_error(tree):
    nodes, log = tree
    broken = nodes["mod1"].setup_error = RuntimeError("module setup")
    state = SetupState()
    raised = []
    for item, nextitem in [(nodes["a"], nodes["b"]), (nodes["b"], nodes["c"])]:
        with pytest.raises(RuntimeError) as caught:
            state.setup(item)
        raised.append(caught.value)
        state.teardown_exact(nextitem)
    assert raised == [broken, broken]
    assert log == ["setup session", "setup mod1", "teardown mod1"]  # set up once, torn down when left
    state.setup(nodes["c"])  # the next module is not affected
    assert log[-2:] == ["setup mod2", "setup c"]


def test_an_items_own_setup_error_is_not_remembered(tree):
    nodes, log = tree
    nodes["a"].setup_error = RuntimeError("item setup")
    state = SetupState()
    with pytest.raises(RuntimeError):
        state.setup(nodes["a"])
    state.teardown_exact(nodes["a"])  # run again (a rerun)
    nodes["a"].setup_error = None
    state.setup(nodes["a"])
    assert log == ["setup session", "setup mod1", "setup a", "teardown a", "setup a"]


def test_a_rerun_tears_down_only_the_item_itself(tree):
    nodes, log = tree
    state = SetupState()
    state.setup(nodes["a"])
    state.teardown_exact(nodes["a"])
    assert log == ["setup session", "setup mod1", "setup a", "teardown a"]
    assert state.stack == [nodes["session"], nodes["mod1"]]


def test_setting_up_an_item_while_another_branch_is_set_up_is_refused(tree):
    nodes, log = tree
    state = SetupState()
    state.setup(nodes["a"])
    with pytest.raises(RuntimeError, match=r"^setup of c with <Node mod1> still set up$"):
        state.setup(nodes["c"])
    # a node whose chain is a prefix of what is set up: the stack reaches below it
    with pytest.raises(RuntimeError, match=r"^setup of mod1 with <Node a> still set up$"):
        state.setup(nodes["mod1"])


def test_teardown_errors_one_as_itself_several_as_a_group(tree):
    nodes, log = tree
    state = SetupState()
    state.setup(nodes["a"])
    only = nodes["a"].teardown_error = ValueError("a")
    with pytest.raises(ValueError) as caught:
        state.teardown_exact(nodes["c"])
    assert caught.value is only
    assert state.stack == [nodes["session"]]
    nodes["a"].teardown_error = None

    state.setup(nodes["c"])
    first = nodes["c"].teardown_error = ValueError("c")
    second = nodes["mod2"].teardown_error = KeyError("mod2")
    with pytest.raises(BaseExceptionGroup) as group:
        state.teardown_exact(None)
    assert list(group.value.exceptions) == [first, second]
    assert state.stack == []  # torn down all the way despite the errors
    assert log[-3:] == ["teardown c", "teardown mod2", "teardown session"]
