"""The kernel's fixture contract (``minitest.fixture_contract``): what a plugin other than the
fixtures plugin reads and uses — the fixture manager published on ``config.stash``, each item's
``FuncFixtureInfo``, the ``FixtureDef`` / ``SubRequest`` that ``minitest_fixture_setup`` receives.

Each test runs the real ``minitest`` on a folder whose conftest.py is the third-party plugin."""

from __future__ import annotations

from pathlib import Path

from conftest import make_files

from minitest.fixture_contract import FixtureDef, FuncFixtureInfo

INFO_CONFTEST = '''
import minitest
from minitest.fixture_contract import FIXTURE_MANAGER, FixtureDef, FuncFixtureInfo

@minitest.fixture(scope="session")
def db():
    return "db"

@minitest.fixture
def user(db):
    return "user@" + db

@minitest.fixture(autouse=True)
def clean():
    yield

def minitest_collection_modifyitems(config, items):
    manager = config.stash[FIXTURE_MANAGER]
    for item in items:
        info = item.fixtureinfo
        assert isinstance(info, FuncFixtureInfo)
        defs = {name: [d.scope for d in info.name2fixturedefs.get(name, ())] for name in info.names_closure}
        print(f"INFO {item.nodeid} args={list(info.argnames)} initial={list(info.initialnames)} "
              f"closure={info.names_closure} scopes={defs}")
        assert item.fixturenames == info.names_closure
        assert [d.argname for d in manager.getfixturedefs("user", item)] == ["user"]

SEEN = []

@minitest.hookimpl(wrapper=True)
def minitest_fixture_setup(fixturedef, request):
    assert isinstance(fixturedef, minitest.FixtureDef) and isinstance(fixturedef, FixtureDef)
    assert isinstance(request, minitest.SubRequest) and request.fixturedef is fixturedef
    value = yield
    SEEN.append(f"{fixturedef.argname}:{request.scope}:{getattr(request, 'param', '-')}={value}")
    return value

def minitest_fixture_post_finalizer(fixturedef, request):
    SEEN.append(f"down:{fixturedef.argname}")

def minitest_unconfigure(config):
    print("SEEN " + " ".join(SEEN))
'''

INFO_TESTS = '''
import minitest

@minitest.fixture(params=[1, 2])
def num(request):
    return request.param

@minitest.mark.usefixtures("db")
def test_user(user, num):
    assert user == "user@db"

@minitest.mark.parametrize("x", [7])
def test_direct(x):
    assert x == 7
'''


def test_items_carry_their_fixture_info_and_fixture_hooks_get_kernel_types(run, tmp_path: Path) -> None:
    make_files(tmp_path, {"conftest.py": INFO_CONFTEST, "test_info.py": INFO_TESTS})
    result = run("-s", "-q", "-p", "no:cache")
    assert result.ret == 0, result.dump()
    assert result.outcomes() == {"passed": 3}
    info_lines = sorted(line for line in result.lines if line.startswith("INFO "))
    assert info_lines == [
        "INFO test_info.py::test_direct[7] args=['x'] initial=['clean', 'x'] closure=['clean', 'x'] "
        "scopes={'clean': ['function'], 'x': []}",
        # autouse first, then usefixtures, then the arguments; the closure widest scope first, with
        # what the fixtures request ('request' is no definition: the request itself)
        "INFO test_info.py::test_user[1] args=['user', 'num'] initial=['clean', 'db', 'user', 'num'] "
        "closure=['db', 'clean', 'user', 'num', 'request'] scopes={'db': ['session'], 'clean': ['function'], "
        "'user': ['function'], 'num': ['function'], 'request': []}",
        "INFO test_info.py::test_user[2] args=['user', 'num'] initial=['clean', 'db', 'user', 'num'] "
        "closure=['db', 'clean', 'user', 'num', 'request'] scopes={'db': ['session'], 'clean': ['function'], "
        "'user': ['function'], 'num': ['function'], 'request': []}",
    ]
    seen = next(line for line in result.lines if line.startswith("SEEN "))
    # as pytest 9: a fixture's teardown is also registered with each fixture it used, so the
    # post-finalizer hook hears again of 'user' when 'db' ends; direct parameters ('x') are no
    # fixture definitions here (pytest 9 makes pseudo-definitions for them)
    assert seen.split()[1:] == [
        "db:session:-=db", "clean:function:-=None", "user:function:-=user@db", "num:function:1=1",
        "down:num", "down:user", "down:clean",
        "clean:function:-=None", "user:function:-=user@db", "num:function:2=2",
        "down:num", "down:user", "down:clean",
        "clean:function:-=None", "down:clean",
        "down:user", "down:user", "down:db",
    ]


CUSTOM_ITEM_CONFTEST = '''
import minitest
from minitest.fixture_contract import FIXTURE_MANAGER

@minitest.fixture
def greeting():
    return "hello"

@minitest.fixture(scope="module")
def audience():
    return "world"

class CheckItem(minitest.Item):
    def __init__(self, *, expected, **kw):
        super().__init__(**kw)
        self.expected = expected
        manager = self.config.stash.get(FIXTURE_MANAGER, None)
        if manager is not None:
            self.fixtureinfo = manager.getfixtureinfo(self, argnames=("greeting", "audience"))

    def runtest(self):
        got = f"{self.funcargs['greeting']} {self.funcargs['audience']}"
        assert got == self.expected

    def reportinfo(self):
        return self.path, 0, self.name

class CheckFile(minitest.File):
    def collect(self):
        for number, line in enumerate(self.path.read_text().splitlines()):
            yield CheckItem.from_parent(self, name=f"line{number}", expected=line)

def minitest_collect_file(file_path, parent):
    if file_path.suffix == ".check":
        return CheckFile.from_parent(parent, path=file_path)
'''


def test_a_plugins_own_items_get_fixtures_through_the_manager(run, tmp_path: Path) -> None:
    make_files(tmp_path, {"conftest.py": CUSTOM_ITEM_CONFTEST, "greet.check": "hello world\nhello you\n"})
    result = run("-q", "-p", "no:cache", "--setup-show")
    assert result.ret == 1, result.dump()
    assert result.outcomes() == {"passed": 1, "failed": 1}
    assert "greet.check::line1" in result.stdout
    # the module-scoped fixture lives as long as the file (the node that declares module scope)
    assert [line.strip() for line in result.lines if "SETUP" in line or "TEARDOWN" in line] == [
        "SETUP    M audience", "SETUP    F greeting", "TEARDOWN F greeting",
        "SETUP    F greeting", "TEARDOWN F greeting", "TEARDOWN M audience",
    ], result.dump()
    # as pytest: no percentage with --setup-show, a space between the test and its result
    assert "greet.check::line0 (fixtures used: audience, greeting) ." in result.stdout
    assert "AssertionError: assert 'hello world' == 'hello you'" in result.stdout


def test_without_the_fixtures_plugin_items_have_no_fixtures(run, tmp_path: Path) -> None:
    make_files(tmp_path, {"conftest.py": CUSTOM_ITEM_CONFTEST, "greet.check": "hello world\n",
                          "test_plain.py": "def test_plain():\n    pass\n\ndef test_arg(tmp_path):\n    pass\n"})
    result = run("-q", "-p", "no:cache", "-p", "no:fixtures", "test_plain.py")
    assert result.ret == 1, result.dump()
    assert result.outcomes() == {"passed": 1, "failed": 1}
    assert "fixture 'tmp_path' not found" in result.stdout


def test_a_skip_in_a_fixture_is_reported_at_the_test(run, tmp_path: Path) -> None:
    make_files(tmp_path, {"test_skip.py": (
        "import minitest\n\n"
        "@minitest.fixture\n"
        "def needs_network():\n"
        "    minitest.skip('no network')\n\n\n"
        "def test_uses_it(needs_network):\n"
        "    pass\n")})
    result = run("-q", "-rs", "-p", "no:cache")
    assert result.ret == 0, result.dump()
    assert "SKIPPED [1] test_skip.py:8: no network" in result.stdout, result.dump()


def _fixture(name: str, *uses: str) -> FixtureDef:
    return FixtureDef(name, lambda: None, "function", None, None, False, "", argnames=uses)


def test_pruning_the_closure_follows_overrides_and_stops_at_direct_names() -> None:
    # x (a conftest's) overrides x (a plugin's, which uses dep); the closure was made with both
    names = {"x": [_fixture("x", "dep"), _fixture("x", "x", "extra")], "dep": [_fixture("dep")],
             "extra": [_fixture("extra")], "other": [_fixture("other")]}
    info = FuncFixtureInfo(("x",), ("x",), ["x", "dep", "extra", "other"], names)
    closure = info.names_closure
    info.prune_dependency_tree()  # "other" is reached by nothing: gone; the override chain kept
    assert info.names_closure == ["x", "dep", "extra"] and info.names_closure is closure
    info.direct_names = frozenset({"x"})  # a hook gave x directly: what either x used is not needed
    info.prune_dependency_tree()
    assert info.names_closure == ["x"]
    # a definition asking for its own name once more than there are definitions: an error later,
    # not an endless walk
    looping = FuncFixtureInfo(("y",), ("y",), ["y"], {"y": [_fixture("y", "y")]})
    looping.prune_dependency_tree()
    assert looping.names_closure == ["y"]
