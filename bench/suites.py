"""Generators for the benchmark suites: realistic shapes, written once with ``import pytest``.

Every suite is written twice into a temporary directory: ``<root>/pytest/<suite>/`` exactly as a
pytest user writes it, and ``<root>/minitest/<suite>/`` with ``pytest`` replaced by ``minitest``
(the native spelling, used while minitest's pytest-compatibility layer is not complete). pytest
always runs the first copy; minitest runs whichever copy gives the same outcome counts as pytest.

Nothing here is imported by minitest; the generated files live in a temp dir, never in the repo.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

Files = dict[str, str]  # relative path -> source

STDLIB = [
    "json", "re", "collections", "dataclasses", "pathlib", "typing", "itertools", "functools",
    "datetime", "decimal", "fractions", "statistics", "textwrap", "string", "enum", "uuid",
    "hashlib", "base64", "csv", "io", "urllib.parse", "http.client", "email.message",
    "xml.etree.ElementTree", "logging", "argparse", "configparser", "shutil", "tempfile",
    "subprocess", "threading", "queue", "heapq", "bisect", "random", "math", "operator",
    "contextlib", "copy", "pprint", "difflib", "html", "zipfile", "tarfile", "gzip", "sqlite3",
    "asyncio", "concurrent.futures", "socket", "ipaddress", "calendar", "struct", "weakref",
    "inspect", "ast", "tokenize", "shlex", "fnmatch", "glob", "locale",
]


def _dedent(src: str) -> str:
    return textwrap.dedent(src).lstrip("\n")


# --------------------------------------------------------------------------- trivial (10,000)
TRIVIAL_DIRS = 10
TRIVIAL_FILES_PER_DIR = 10
TRIVIAL_FUNCS = 80
TRIVIAL_METHODS = 20


def trivial() -> Files:
    """10 directories x 10 files x (80 functions + a class of 20 methods) = 10,000 trivial tests."""
    files: Files = {}
    for d in range(TRIVIAL_DIRS):
        for f in range(TRIVIAL_FILES_PER_DIR):
            n = d * TRIVIAL_FILES_PER_DIR + f
            lines = ["import pytest", "", "", f"VALUE = {n}", ""]
            for i in range(TRIVIAL_FUNCS):
                lines += ["", f"def test_value_{i}():", f"    assert VALUE + {i} >= {i}", ""]
            lines += ["", f"class TestGroup{n}:"]
            for i in range(TRIVIAL_METHODS):
                lines += [f"    def test_method_{i}(self):", f"        assert [VALUE] * 2 != [{i}, -1]", ""]
            files[f"area_{d}/test_mod_{n:03d}.py"] = "\n".join(lines).rstrip() + "\n"
    return files


# --------------------------------------------------------------------------- startup (1 test)
def startup() -> Files:
    return {"test_one.py": "import pytest\n\n\ndef test_one():\n    assert 1 + 1 == 2\n"}


# --------------------------------------------------------------------------- parametrized
PARAM_FILES = 12


def parametrized() -> Files:
    """12 files x (100 + 100 + 20 + 10 + 24) ~= 3,048 tests from parametrize in its usual forms."""
    files: Files = {}
    for k in range(PARAM_FILES):
        files[f"test_param_{k:02d}.py"] = _dedent(f'''
            import pytest

            CASES = [(i, i * 2) for i in range(100)]
            WORDS = ["alpha", "beta", "gamma", "delta", "epsilon"] * 4


            @pytest.mark.parametrize("n,double", CASES)
            def test_double_{k}(n, double):
                assert n * 2 == double


            @pytest.mark.parametrize("a", range(10))
            @pytest.mark.parametrize("b", range(10))
            def test_grid_{k}(a, b):
                assert a + b >= 0


            @pytest.mark.parametrize(
                ("word", "length"),
                [pytest.param(w, len(w), id=f"{{w}}-{{i}}") for i, w in enumerate(WORDS)],
            )
            def test_length_{k}(word, length):
                assert len(word) == length


            @pytest.mark.parametrize("value", [0, 1.5, -2, "s", b"b", None, (1, 2), [3], {{"k": 4}}, True],
                                     ids=lambda v: type(v).__name__)
            def test_types_{k}(value):
                assert value == value


            class TestMatrix:
                @pytest.mark.parametrize("x", [1, 2, 3, 4])
                @pytest.mark.parametrize("y", ["a", "b", "c"])
                @pytest.mark.parametrize("flag", [True, False])
                def test_combo(self, x, y, flag):
                    assert (x * y).count(y) == x or not flag
        ''')
    return files


# --------------------------------------------------------------------------- fixture chains
FIXTURE_FILES_PER_DIR = 10


ROOT_CONFTEST = '''
import pytest


@pytest.fixture(scope="session")
def settings():
    return {"db": "sqlite://", "retries": 3, "names": [f"user{i}" for i in range(50)]}


@pytest.fixture(scope="session")
def registry(settings):
    reg = {name: i for i, name in enumerate(settings["names"])}
    yield reg
    reg.clear()


@pytest.fixture(scope="module")
def connection(registry, settings):
    conn = {"open": True, "registry": registry, "url": settings["db"], "queries": 0}
    yield conn
    conn["open"] = False


@pytest.fixture
def transaction(connection):
    connection["queries"] += 1
    tx = {"conn": connection, "ops": []}
    yield tx
    tx["ops"].clear()


@pytest.fixture
def user(transaction, registry):
    name = "user7"
    transaction["ops"].append(("select", name))
    return {"name": name, "id": registry[name]}


@pytest.fixture(autouse=True)
def clean_state():
    state = {"dirty": False}
    yield state
    state["dirty"] = False
'''

API_CONFTEST = '''
import pytest


@pytest.fixture(scope="module")
def client(connection):
    return {"conn": connection, "base": "/api/v1"}


@pytest.fixture
def user(user):
    # overrides the root fixture of the same name and builds on it
    return {**user, "token": "t-" + user["name"]}


@pytest.fixture(params=["json", "xml"])
def fmt(request):
    return request.param
'''


def fixtures() -> Files:
    """Session -> module -> function chains from two conftest levels; ~2,000 tests."""
    files: Files = {"conftest.py": _dedent(ROOT_CONFTEST), "api/conftest.py": _dedent(API_CONFTEST)}
    for k in range(FIXTURE_FILES_PER_DIR):
        body = ["import pytest", ""]
        for i in range(30):
            body += _dedent(f'''

                def test_user_{i}(user, connection):
                    assert user["id"] == 7 and connection["open"]


                def test_transaction_{i}(transaction, settings):
                    transaction["ops"].append(("insert", {i}))
                    assert len(transaction["ops"]) == 1 and settings["retries"] == 3


                def test_registry_{i}(registry, clean_state):
                    assert registry["user{i % 50}"] == {i % 50} and not clean_state["dirty"]
            ''').splitlines()
        body += _dedent('''


            class TestWithFixtures:
                @pytest.fixture
                def order(self, user):
                    return {"user": user["name"], "items": [1, 2, 3]}
        ''').splitlines()
        for i in range(20):
            body += [f"    def test_order_{i}(self, order, transaction):",
                     f"        assert sum(order['items']) == 6 and transaction['ops'][0][1] == 'user7'  # {i}", ""]
        files[f"core/test_core_{k:02d}.py"] = "\n".join(body).rstrip() + "\n"

        api = ["import pytest", ""]
        for i in range(30):
            api += _dedent(f'''

                def test_get_{i}(client, user):
                    assert client["base"].startswith("/api") and user["token"] == "t-user7"


                def test_format_{i}(client, fmt, transaction):
                    assert fmt in ("json", "xml") and client["conn"]["open"] and transaction["ops"] == []
            ''').splitlines()
        files[f"api/test_api_{k:02d}.py"] = "\n".join(api).rstrip() + "\n"
    return files


# --------------------------------------------------------------------------- unittest.TestCase
UNITTEST_FILES = 20


def unittest_suite() -> Files:
    """20 files x 5 TestCase classes x 20 methods = 2,000 tests (10 of them skipped)."""
    files: Files = {}
    for k in range(UNITTEST_FILES):
        src = ["import unittest", ""]
        for c in range(5):
            src += _dedent(f'''


                class TestService{c}(unittest.TestCase):
                    @classmethod
                    def setUpClass(cls):
                        cls.shared = {{"name": "service{c}", "limit": {c + 10}}}

                    def setUp(self):
                        self.items = list(range({c + 5}))

                    def tearDown(self):
                        self.items.clear()
            ''').splitlines()
            for i in range(20):
                src += [""]
                if c == 0 and i == 0 and k < 10:
                    src += ['    @unittest.skip("not on this platform")']
                src += [f"    def test_case_{i}(self):",
                        f"        self.assertEqual(len(self.items), {c + 5})",
                        "        self.assertIn('service', self.shared['name'])",
                        f"        self.assertTrue(self.shared['limit'] > {i % 10})"]
        files[f"test_unit_{k:02d}.py"] = "\n".join(src).rstrip() + "\n"
    return files


# --------------------------------------------------------------------------- failing (500 / 1000)
#: the issue's target is on 500 rich assert failures: 20 files x 50 tests, every other one failing
FAILING_FILES = 20

FAILING_HELPERS = '''
import pytest
from dataclasses import dataclass


@dataclass
class Account:
    owner: str
    balance: int
    currency: str = "EUR"


def record(i):
    return {"id": i, "name": "alice", "tags": ["a", "b", "c"], "limits": {"daily": 100, "monthly": 3000}}


def render(i):
    return "\\n".join(f"line {n}: value={n * i}" for n in range(12))
'''

FAIL_SHAPES = [
    # (passing body, failing body)
    ('assert record({i}) == record({i})',
     'assert record({i}) == {{"id": {i}, "name": "alicia", "tags": ["a", "x", "c"], '
     '"limits": {{"daily": 100, "monthly": 2500}}}}'),
    ('assert list(range({i} % 30 + 5)) == list(range({i} % 30 + 5))',
     'assert list(range({i} % 30 + 5)) == list(range({i} % 30 + 4)) + [99]'),
    ('assert render({i}) == render({i})',
     'assert render({i}) == render({i}).replace("line 7", "line seven")'),
    ('assert {{1, 2, {i}}} == {{1, 2, {i}}}', 'assert {{1, 2, 3, {i} + 10}} == {{2, 3, 4, {i} + 10}}'),
    ('assert Account("bob", {i}) == Account("bob", {i})', 'assert Account("bob", {i}) == Account("bob", {i} + 1)'),
    ('assert "needle" in "hay " * 20 + "needle"', 'assert "needle" in render({i})'),
    ('assert max(record({i})["limits"].values()) > {i} % 100',
     'assert max(record({i})["limits"].values()) < len(record({i})["tags"]) * {i}'),
    ('assert [record(n)["id"] for n in range(3)] == [0, 1, 2]',
     'assert [record(n)["id"] for n in range(8)] == [0, 1, 2, 3, 5, 5, 6, 7]'),
]


def failing() -> Files:
    """20 files x 50 tests; every other test fails with a rich assert (dicts, lists, strings...)."""
    files: Files = {}
    for k in range(FAILING_FILES):
        src = [_dedent(FAILING_HELPERS).rstrip()]
        for j in range(50):
            i = k * 50 + j
            ok, bad = FAIL_SHAPES[(i // 2) % len(FAIL_SHAPES)]
            body = (bad if j % 2 else ok).format(i=i)
            src += ["", "", f"def test_case_{j}():", f"    {body}"]
        files[f"test_fail_{k:02d}.py"] = "\n".join(src) + "\n"
    return files


# --------------------------------------------------------------------------- collection-heavy
COLLECT_FILES = 300


def collect() -> Files:
    """300 modules in 15 packages importing stdlib modules, ~10 tests each (run with --collect-only)."""
    files: Files = {}
    for n in range(COLLECT_FILES):
        mods = [STDLIB[(n * 7 + j * 11) % len(STDLIB)] for j in range(6)]
        imports = "\n".join(f"import {m}" for m in sorted(set(mods)))
        src = _dedent(f'''
            """Module {n}: helpers and their tests."""
            {{imports}}

            import pytest

            TABLE = {{{{i: str(i) * 3 for i in range(50)}}}}


            def helper(x, y=2):
                return [x * k for k in range(y)]


            class Model{n}:
                def __init__(self, name):
                    self.name = name

                def describe(self):
                    return f"<Model {{{{self.name}}}}>"


            def test_helper():
                assert helper(3) == [0, 3]


            def test_table():
                assert TABLE[7] == "777"


            @pytest.mark.parametrize("x", [1, 2, 3])
            def test_param(x):
                assert helper(x, 1) == [0]


            class TestModel:
                def test_describe(self):
                    assert Model{n}("m").describe() == "<Model m>"

                def test_name(self):
                    assert Model{n}("m").name == "m"

                def test_helper_len(self):
                    assert len(helper(1, 5)) == 5

                def test_table_len(self):
                    assert len(TABLE) == 50
        ''').format(imports=imports)
        files[f"pkg_{n // 20:02d}/test_collect_{n:03d}.py"] = src
    return files


# --------------------------------------------------------------------------- CPU-bound (400)
CPU_FILES = 20
CPU_TESTS_PER_FILE = 20
#: a fixed amount of work (not a time: under load a timed busy-wait would stretch with the wall
#: clock): ~2 ms of CPU per test on the 2-core bench machine, ~1 s for the suite
CPU_LOOP = 56000


def cpu400(loop: int = CPU_LOOP) -> Files:
    """20 files x 20 tests, each summing squares for ~2 ms of CPU (the issue 18 row)."""
    files: Files = {}
    for f in range(CPU_FILES):
        lines = ["import pytest", "", ""]
        for i in range(CPU_TESTS_PER_FILE):
            lines += [f"def test_cpu_{i}():", f"    assert sum(k * k for k in range({loop})) > {i}", "", ""]
        files[f"test_cpu_{f:02d}.py"] = "\n".join(lines).rstrip() + "\n"
    return files


def cpu400_5ms() -> Files:
    """The same 400 tests with ~5 ms each (~2 s): start-up and collection, which no worker shares,
    weigh less (on the ~1 s suite they are ~0.15 s, which caps -n 2 at ~1.75x)."""
    return cpu400(CPU_LOOP * 5 // 2)


SUITES: dict[str, Callable[[], Files]] = {
    "trivial10k": trivial,
    "cpu400": cpu400,
    "cpu400-5ms": cpu400_5ms,
    "startup": startup,
    "collect": collect,
    "fixtures": fixtures,
    "parametrized": parametrized,
    "unittest": unittest_suite,
    "failing": failing,
}

INI = {"pytest.ini": "[pytest]\n", "minitest.ini": "[minitest]\n"}


def respell(src: str) -> str:
    return src.replace("pytest", "minitest")


def write_suite(root: Path, name: str) -> dict[str, Path]:
    """Write suite NAME under ROOT in both spellings; return {"pytest": dir, "minitest": dir}."""
    files = {**SUITES[name](), **INI}
    out: dict[str, Path] = {}
    for spelling in ("pytest", "minitest"):
        base = root / spelling / name
        for rel, src in files.items():
            path = base / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if spelling == "minitest" and rel not in INI:
                src = respell(src)
            path.write_text(src, encoding="utf-8")
        out[spelling] = base
    return out


FLOOR_SCRIPT = '''
"""The floor: import every test module and call its test functions directly - no runner at all."""
import importlib
import os
import sys
import time

start = time.perf_counter()
passed = failed = 0
root = os.path.abspath(sys.argv[1])
for dirpath, dirnames, filenames in os.walk(root):
    dirnames.sort()
    for filename in sorted(filenames):
        if not (filename.startswith("test_") and filename.endswith(".py")):
            continue
        sys.path.insert(0, dirpath)
        module = importlib.import_module(filename[:-3])
        del sys.path[0]
        for name, obj in list(vars(module).items()):
            if name.startswith("test") and callable(obj) and not isinstance(obj, type):
                calls = [obj]
            elif name.startswith("Test") and isinstance(obj, type):
                calls = [getattr(obj(), m) for m in dir(obj) if m.startswith("test")]
            else:
                continue
            for call in calls:
                try:
                    call()
                except Exception:
                    failed += 1
                else:
                    passed += 1
summary = f"{passed} passed" + (f", {failed} failed" if failed else "")
print(f"{summary} in {time.perf_counter() - start:.2f}s")
'''


def write_floor(root: Path) -> Path:
    path = root / "floor.py"
    path.write_text(_dedent(FLOOR_SCRIPT), encoding="utf-8")
    return path
