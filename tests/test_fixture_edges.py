"""Fixture behaviour at the edges the main suite (test_fixtures.py) does not reach: found by mutation
testing (tests/MUTATION.md), each test pins one decision of the fixtures plugin.

The expected orders and counts are pytest 9.2's on the same folders."""

from __future__ import annotations

import inspect

from conftest import run_minitest, run_pytest_process, verbose_nodeids
from dual_suite import to_pytest, write_dual

from builtin_plugins.fixtures.registry import _static_namespace


def test_equal_module_scoped_values_from_separate_parametrize_calls_share_one_setup(files, run):
    # int("1000") makes a new object each time: equal values that are not the same object, so the
    # grouping must compare values (pytest >= 9.2, #8914), not identities
    files({"test_group.py": """
        import minitest

        SETUPS = []

        @minitest.fixture(scope="module")
        def res(request):
            SETUPS.append(request.param)
            return request.param

        @minitest.mark.parametrize("res", [int("1000"), int("2000")], indirect=True)
        def test_one(res): pass

        @minitest.mark.parametrize("res", [int("1000"), int("2000")], indirect=True)
        def test_two(res): pass

        def test_setups():
            assert SETUPS == [1000, 2000]
    """})
    result = run("-v")
    assert result.ret == 0, result.dump()
    assert [nodeid for nodeid, _ in verbose_nodeids(result)] == [
        "test_group.py::test_one[1000]", "test_group.py::test_two[1000]",
        "test_group.py::test_one[2000]", "test_group.py::test_two[2000]",
        "test_group.py::test_setups",
    ]


def test_package_scoped_parameter_groups_tests_across_modules(files, run):
    files({
        "pkg/__init__.py": "",
        "pkg/conftest.py": """
            import minitest

            SETUPS = []

            @minitest.fixture(scope="package", params=["p1", "p2"])
            def pk(request):
                SETUPS.append(request.param)
                return request.param
        """,
        "pkg/test_a.py": "def test_a(pk): pass\n",
        "pkg/test_b.py": "def test_b(pk): pass\n",
        "pkg/test_z.py": """
            from pkg.conftest import SETUPS

            def test_setups():
                assert SETUPS == ["p1", "p2"]
        """,
    })
    result = run("-v")
    assert result.ret == 0, result.dump()
    assert [nodeid for nodeid, _ in verbose_nodeids(result)] == [
        "pkg/test_a.py::test_a[p1]", "pkg/test_b.py::test_b[p1]",
        "pkg/test_a.py::test_a[p2]", "pkg/test_b.py::test_b[p2]",
        "pkg/test_z.py::test_setups",
    ]


def test_a_module_that_fails_to_import_is_a_collection_error(files, run):
    files({
        "test_bad.py": "import not_a_module_anywhere\n\ndef test_x(): pass\n",
        "test_good.py": "def test_ok(): pass\n",
    })
    result = run()
    assert result.ret == 2, result.dump()
    result.fnmatch_lines(["*ERROR collecting test_bad.py*", "*ModuleNotFoundError*not_a_module_anywhere*"])
    result.assert_outcomes(errors=1)  # collection stopped: the good module does not run
    assert "Traceback" not in result.stderr, result.dump()


def test_a_test_class_whose_instances_refuse_dir_still_runs(files, run):
    # minitest's choice: such a class has no fixtures of its own and its tests run (pytest 9.2
    # reports a collection error instead); what must never happen is an INTERNALERROR traceback
    files({"test_cls.py": """
        import minitest

        @minitest.fixture
        def outer():
            return 1

        class TestOdd:
            def __dir__(self):
                raise RuntimeError("no dir for you")

            def test_it(self, outer):
                assert outer == 1
    """})
    result = run("-v")
    assert result.ret == 0, result.dump()
    assert verbose_nodeids(result) == [("test_cls.py::TestOdd::test_it", "PASSED")]
    assert "INTERNALERROR" not in result.output


def test_a_test_class_refusing_the_lookup_of_its_own_fixture_still_runs(files, run):
    # as with __dir__ above: minitest skips that fixture (pytest 9.2 reports a collection error);
    # never an INTERNALERROR
    files({"test_ga.py": """
        import minitest

        class TestGuarded:
            @minitest.fixture
            def fix(self):
                return 1

            @minitest.fixture
            def later_fix(self):  # parsed after the refused one: still found
                return 2

            def __getattribute__(self, name):
                if name == "fix":
                    raise RuntimeError("guarded")
                return object.__getattribute__(self, name)

            def test_it(self, later_fix):
                assert later_fix == 2
    """})
    result = run("-v")
    assert result.ret == 0, result.dump()
    assert verbose_nodeids(result) == [("test_ga.py::TestGuarded::test_it", "PASSED")]
    assert "INTERNALERROR" not in result.output


def test_a_test_class_that_cannot_be_instantiated_errors_its_tests(files, run):
    # its fixtures are read from the class itself; the tests error when the instance is made
    # (pytest 9.2 reports a collection error instead); never an INTERNALERROR
    files({"test_meta.py": """
        import minitest

        class NoInstances(type):
            def __call__(cls, *args, **kwargs):
                raise RuntimeError("no instances of this class")

        class TestNoInstances(metaclass=NoInstances):
            @minitest.fixture
            def fx(self):
                return 1

            def test_it(self, fx):
                pass

        def test_other():
            pass
    """})
    result = run("-v")
    assert result.ret == 1, result.dump()
    assert verbose_nodeids(result) == [("test_meta.py::TestNoInstances::test_it", "ERROR"),
                                       ("test_meta.py::test_other", "PASSED")]
    result.fnmatch_lines(["E       RuntimeError: no instances of this class"])
    assert "INTERNALERROR" not in result.output


def test_an_overriding_fixture_does_not_pull_in_what_the_overridden_one_needed(files, run):
    files({
        "conftest.py": """
            import minitest

            @minitest.fixture
            def expensive():
                raise RuntimeError("the overridden fixture's dependency was set up")

            @minitest.fixture
            def thing(expensive):
                return "outer"
        """,
        "test_over.py": """
            import minitest

            @minitest.fixture
            def thing():
                return "inner"

            def test_it(thing, request):
                assert thing == "inner"
                assert request.fixturenames == ["thing", "request"]
        """,
    })
    result = run("-v")
    assert result.ret == 0, result.dump()
    assert verbose_nodeids(result) == [("test_over.py::test_it", "PASSED")]


def test_missing_fixture_error_shows_the_test_source_up_to_its_def_line(files, run):
    files({"test_missing.py": """
        import minitest

        @minitest.mark.skipif(False, reason="never")
        def test_wants(nope):
            body_line_not_shown = 1
    """})
    result = run()
    assert result.ret == 1, result.dump()
    result.fnmatch_lines([
        "file */test_missing.py, line 3",
        "  @minitest.mark.skipif(False, reason=\"never\")",
        "  def test_wants(nope):",
        "E       fixture 'nope' not found",
    ], consecutive=True)
    # as pytest: the short summary line has no message for a lookup error
    result.fnmatch_lines(["*short test summary info*", "ERROR test_missing.py::test_wants"], consecutive=True)
    assert "body_line_not_shown" not in result.stdout


def test_missing_fixture_of_a_fixture_shows_each_function_on_the_way_as_pytest(tmp_path):
    # pytest 9.2 lists the test and every fixture down to the one that asked for the missing name

    mine_dir, ref_dir = write_dual(tmp_path, {"test_chain.py": """
        import minitest

        @minitest.fixture
        def middle(bottom):
            return bottom

        @minitest.fixture
        def bottom(nope):
            return nope

        def test_wants(middle):
            pass
    """})
    expected = ["file FOLDER/test_chain.py, line 11", "  def test_wants(middle):",
                "file FOLDER/test_chain.py, line 3", "  @minitest.fixture", "  def middle(bottom):",
                "file FOLDER/test_chain.py, line 7", "  @minitest.fixture", "  def bottom(nope):",
                "E       fixture 'nope' not found"]
    for result, folder in ((run_minitest("-p", "no:cache", cwd=mine_dir), mine_dir),
                           (run_pytest_process(cwd=ref_dir), ref_dir)):
        lines = [to_pytest(line.replace(str(folder), "FOLDER")) for line in result.stdout.splitlines()]
        start = lines.index(to_pytest(expected[0]))
        assert lines[start:start + len(expected)] == [to_pytest(line) for line in expected], result.dump()
        assert lines[start + len(expected) + 3:start + len(expected) + 4] == ["FOLDER/test_chain.py:7"], result.dump()


def test_fixturenames_list_each_fixture_then_what_it_needs_as_pytest(tmp_path):
    # pytest 9.2 walks the closure depth first (a, a_dep, b, b_dep), wider scopes first, and an
    # overriding fixture that requests its own name leads on to the overridden one's needs
    from dual_suite import compare_dual

    mine, ref = compare_dual(tmp_path, {"test_names.py": """
        import minitest

        @minitest.fixture
        def a_dep(): pass

        @minitest.fixture
        def a(a_dep): pass

        @minitest.fixture
        def b_dep(): pass

        @minitest.fixture
        def b(b_dep): pass

        @minitest.fixture(scope="module")
        def wide(): pass

        @minitest.fixture
        def over(a): return 1

        class TestOverride:
            @minitest.fixture
            def over(self, over, b): return over + 1

            def test_override(self, request, over):
                print("NAMES", request.fixturenames)

        def test_names(request, a, b, wide):
            print("NAMES", request.fixturenames)
    """}, "-s")
    for result in (mine, ref):
        assert "NAMES ['request', 'over', 'a', 'a_dep', 'b', 'b_dep']" in result.stdout, result.dump()
        assert "NAMES ['wide', 'request', 'a', 'a_dep', 'b', 'b_dep']" in result.stdout, result.dump()


def test_unhashable_and_hashable_values_at_the_same_index_are_not_one_instance(files, run):
    # [1] is unhashable, so it is keyed by its index (0); the int 0 is keyed by value: they must
    # stay apart, or test_two[0] would be pulled up next to test_one[u]
    files({"test_keys.py": """
        import minitest

        @minitest.fixture(scope="module")
        def res(request):
            return request.param

        @minitest.mark.parametrize("res", [[1], "b"], indirect=True, ids=["u", "b"])
        def test_one(res): pass

        @minitest.mark.parametrize("res", [0, "b"], indirect=True, ids=["0", "b"])
        def test_two(res): pass
    """})
    result = run("-v")
    assert result.ret == 0, result.dump()
    assert [nodeid for nodeid, _ in verbose_nodeids(result)] == [
        "test_keys.py::test_one[u]", "test_keys.py::test_one[b]",
        "test_keys.py::test_two[b]", "test_keys.py::test_two[0]",
    ]


def test_session_scoped_parameter_groups_tests_across_directories(files, run):
    files({
        "conftest.py": """
            import minitest

            SETUPS = []

            @minitest.fixture(scope="session", params=["s1", "s2"])
            def sp(request):
                SETUPS.append(request.param)
                return request.param
        """,
        "a/test_a.py": "def test_a(sp): pass\n",
        "b/test_b.py": "def test_b(sp): pass\n",
    })
    result = run("-v")
    assert result.ret == 0, result.dump()
    assert [nodeid for nodeid, _ in verbose_nodeids(result)] == [
        "a/test_a.py::test_a[s1]", "b/test_b.py::test_b[s1]",
        "a/test_a.py::test_a[s2]", "b/test_b.py::test_b[s2]",
    ]


def test_an_object_refusing_attribute_lookups_is_not_taken_for_a_fixture(files, run):
    files({"test_weird.py": """
        class Weird:
            def __getattr__(self, name):
                raise RuntimeError("no attributes here")

        weird = Weird()

        class TestHolder:
            also_weird = Weird()

            def test_in_class(self):
                pass

        def test_plain():
            pass
    """})
    result = run("-v")
    assert result.ret == 0, result.dump()
    assert verbose_nodeids(result) == [("test_weird.py::TestHolder::test_in_class", "PASSED"),
                                       ("test_weird.py::test_plain", "PASSED")]


def test_class_scoped_fixture_outside_a_class_lives_as_long_as_each_test(files, run):
    files({"test_cs.py": """
        import minitest

        EVENTS = []

        @minitest.fixture(scope="class")
        def per_class():
            EVENTS.append("setup")
            yield
            EVENTS.append("teardown")

        def test_one(per_class):
            assert EVENTS == ["setup"]

        def test_two(per_class):
            assert EVENTS == ["setup", "teardown", "setup"]

        def test_after():
            assert EVENTS == ["setup", "teardown", "setup", "teardown"]
    """})
    result = run("-v")
    assert result.ret == 0, result.dump()
    result.assert_outcomes(passed=3)


def test_scope_mismatch_and_double_yield_messages_in_full(files, run):
    files({"test_e.py": """
        import minitest

        @minitest.fixture
        def func_scoped():
            return 1

        @minitest.fixture(scope="session")
        def wide(func_scoped):
            return 2

        def test_scope_mismatch(wide):
            pass

        @minitest.fixture
        def twice():
            yield 1
            yield 2

        def test_yield_twice(twice):
            pass
    """})
    result = run()
    assert result.ret == 1, result.dump()
    result.fnmatch_lines([
        "*ERROR at setup of test_scope_mismatch*",
        "ScopeMismatch: You tried to access the function scoped fixture func_scoped with a session "
        "scoped request object. Requesting fixture stack:",
        "test_e.py:7:  def wide(func_scoped)",
        "Requested fixture:",
        "test_e.py:3:  def func_scoped()",
        "*ERROR at teardown of test_yield_twice*",
        "fixture function has more than one 'yield':",
        "",
        "    @minitest.fixture",
        "    def twice():",
        "        yield 1",
        "        yield 2",
        "*/test_e.py:14",
        "*short test summary info*",
    ], consecutive=True)
    result.assert_outcomes(passed=1, errors=2)


def test_a_fixture_finalizer_added_through_its_request_runs_at_its_teardown(files, run):
    files({"test_fin.py": """
        import minitest

        EVENTS = []

        @minitest.fixture
        def res(request):
            request.addfinalizer(lambda: EVENTS.append("fixture finalizer"))
            return 1

        def test_uses(res):
            assert EVENTS == []

        def test_after():
            assert EVENTS == ["fixture finalizer"]
    """})
    result = run("-v")
    assert result.ret == 0, result.dump()
    result.assert_outcomes(passed=2)


def test_a_parameter_whose_equality_raises_falls_back_to_identity(files, run):
    # as pytest: == of the cached key against the requested one may raise (pandas raises
    # RuntimeError, numpy arrays ValueError): the cache then compares by identity
    files({"test_eq.py": """
        import minitest

        class Touchy:
            def __init__(self, name):
                self.name = name

            def __eq__(self, other):
                raise RuntimeError("no comparing")

            def __hash__(self):
                return 1  # one hash for all: the grouping by value has to call == (and survive it)

        SETUPS = []

        @minitest.fixture(scope="module", params=[Touchy("a"), Touchy("b")], ids=["a", "b"])
        def touchy(request):
            SETUPS.append(request.param.name)
            return request.param

        def test_one(touchy): pass

        def test_two(touchy): pass

        def test_setups():
            assert SETUPS == ["a", "b"]
    """})
    result = run("-v")
    assert result.ret == 0, result.dump()
    assert [nodeid for nodeid, _ in verbose_nodeids(result)] == [
        "test_eq.py::test_one[a]", "test_eq.py::test_two[a]",
        "test_eq.py::test_one[b]", "test_eq.py::test_two[b]", "test_eq.py::test_setups",
    ]


def test_async_fixture_errors_say_whether_it_was_autouse(files, run):
    files({
        "test_auto.py": """
            import minitest

            @minitest.fixture(autouse=True)
            async def auto_async():
                pass

            def test_auto():
                pass
        """,
        "test_asked.py": """
            import minitest

            @minitest.fixture
            async def asked():
                pass

            def test_asked(asked):
                pass
        """,
    })
    result = run("-p", "no:unittest")
    assert result.ret == 1, result.dump()
    result.fnmatch_lines([
        "*ERROR at setup of test_asked*",
        "'test_asked' requested an async fixture 'asked', with no plugin or hook that handled it. "
        "This is an error, as minitest does not natively support it.",
        "*ERROR at setup of test_auto*",
        "'test_auto' requested an async fixture 'auto_async' with autouse=True, with no plugin or hook "
        "that handled it. This is an error, as minitest does not natively support it.",
    ], consecutive=True)
    result.assert_outcomes(errors=2)


def test_a_fixture_without_a_readable_signature_is_shown_with_dots(files, run):
    # inspect.signature raises TypeError for a bogus __signature__: the message still names it
    files({"test_sig.py": """
        import minitest

        def func_scoped():
            return 1
        func_scoped.__signature__ = "bogus"
        func_scoped = minitest.fixture(func_scoped)

        @minitest.fixture(scope="session")
        def wide(func_scoped):
            return 2

        def test_scope_mismatch(wide):
            pass
    """})
    result = run()
    assert result.ret == 1, result.dump()
    result.fnmatch_lines(["Requested fixture:", "test_sig.py:3:  def func_scoped(...)"], consecutive=True)


def test_equal_but_differently_typed_values_are_separate_instances(files, run):
    # 1 and True are equal and hash alike, but are not one parameter instance (pytest 9.2)
    files({"test_types.py": """
        import minitest

        @minitest.fixture(scope="module")
        def res(request):
            return request.param

        @minitest.mark.parametrize("res", [1, "x"], indirect=True)
        def test_one(res): pass

        @minitest.mark.parametrize("res", [True, "x"], indirect=True)
        def test_two(res): pass
    """})
    result = run("-v")
    assert result.ret == 0, result.dump()
    assert [nodeid for nodeid, _ in verbose_nodeids(result)] == [
        "test_types.py::test_one[1]", "test_types.py::test_one[x]",
        "test_types.py::test_two[x]", "test_types.py::test_two[True]",
    ]


def test_the_tests_own_request_has_parameter_index_zero(files, run):
    files({"test_pi.py": """
        import minitest

        @minitest.fixture
        def plain(request):
            return request.param_index

        def test_pi(request, plain):
            assert request.session is request.node.session  # a property, as pytest's
            assert request.param_index == 0
            assert plain == 0  # a fixture without params: index 0, as pytest's SubRequest
    """})
    result = run()
    assert result.ret == 0, result.dump()


def test_instance_method_fixture_warning_points_where_the_function_is_resolved(files, run):
    files({"test_inst.py": """
        import minitest

        class TestC:
            @minitest.fixture(scope="class")
            def inst(self):
                return 1

            def test_a(self, inst):
                pass
    """})
    result = run()
    assert result.ret == 0, result.dump()
    result.fnmatch_lines([
        "test_inst.py::TestC::test_a",
        "  */builtin_plugins/fixtures/request.py:*: MinitestDeprecationWarning: Class-scoped fixtures "
        "defined as instance methods are deprecated.",
        "  Instance attributes set in the 'inst' fixture will NOT be visible to test methods,",
        "  as each test gets a new instance while the fixture runs only once per class.",
        "  Use a @classmethod decorator below @minitest.fixture and set attributes on cls instead.",
        "    func = _bound_function(fixturedef, request)",
    ], consecutive=True)


def test_missing_fixture_of_a_test_without_source(files, run):
    files({"test_nosrc.py": """
        exec("def test_generated(nope):\\n    pass\\n")
    """})
    result = run()
    assert result.ret == 1, result.dump()
    result.fnmatch_lines([
        "file <string>, line 1: source code not available",
        "E       fixture 'nope' not found",
    ], consecutive=True)


def test_the_closure_goes_on_past_a_name_without_definitions(files, run):
    # "request" has no definition: the fixtures named after it still bring their own closure
    files({"test_names.py": """
        import minitest

        @minitest.fixture
        def inner():
            return 1

        @minitest.fixture
        def outer(inner):
            return inner

        def test_names(request, outer):
            assert request.fixturenames == ["request", "outer", "inner"]
    """})
    result = run()
    assert result.ret == 0, result.dump()


def test_a_generator_fixture_that_never_yields_is_a_setup_error(files, run):
    files({"test_ny.py": """
        import minitest

        @minitest.fixture
        def empty_gen():
            if False:
                yield

        def test_no_yield(empty_gen):
            pass
    """})
    result = run()
    assert result.ret == 1, result.dump()
    result.fnmatch_lines(["*ERROR at setup of test_no_yield*", "E * ValueError: empty_gen did not yield a value"])
    result.assert_outcomes(errors=1)


def test_three_tests_are_enough_to_group_by_a_module_scoped_value(files, run):
    files({"test_three.py": """
        import minitest

        @minitest.fixture(scope="module")
        def res(request):
            return request.param

        @minitest.mark.parametrize("res", ["a", "b"], indirect=True)
        def test_one(res): pass

        @minitest.mark.parametrize("res", ["a"], indirect=True)
        def test_two(res): pass
    """})
    result = run("-v")
    assert result.ret == 0, result.dump()
    assert [nodeid for nodeid, _ in verbose_nodeids(result)] == [
        "test_three.py::test_one[a]", "test_three.py::test_two[a]", "test_three.py::test_one[b]",
    ]


def test_fixtures_of_a_test_class_with_a_metaclass(files, run):
    # a metaclass may add attributes: the class is parsed the exact (getattr_static) way
    files({"test_meta.py": """
        import minitest

        class Meta(type):
            pass

        class TestWithMeta(metaclass=Meta):
            @minitest.fixture
            def own(self):
                return "own"

            def test_it(self, own):
                assert own == "own"
    """})
    result = run("-v")
    assert result.ret == 0, result.dump()
    assert verbose_nodeids(result) == [("test_meta.py::TestWithMeta::test_it", "PASSED")]


def test_double_yield_of_a_fixture_without_source(files, run):
    # a functools.partial has no source: the message still comes, with no source and no location
    files({"test_part.py": """
        import functools
        import minitest

        def gen(n):
            yield n
            yield n + 1

        twice = minitest.fixture(functools.partial(gen, 1), name="twice")

        def test_it(twice):
            assert twice == 1
    """})
    result = run()
    assert result.ret == 1, result.dump()
    result.fnmatch_lines(["*ERROR at teardown of test_it*", "fixture function has more than one 'yield':",
                          "", "", "?:0"], consecutive=True)
    result.assert_outcomes(passed=1, errors=1)


def test_a_conftest_above_the_rootdir_gives_fixtures_to_every_test(files, run, tmp_path):
    files({
        "conftest.py": """
            import minitest

            @minitest.fixture
            def top():
                return "from above the rootdir"
        """,
        "sub/minitest.ini": "[minitest]\n",
        "sub/test_x.py": """
            def test_x(top):
                assert top == "from above the rootdir"
        """,
    })
    result = run("--confcutdir", str(tmp_path), "sub", "-v")
    assert result.ret == 0, result.dump()
    result.fnmatch_lines([f"rootdir: {tmp_path / 'sub'}"])
    assert verbose_nodeids(result) == [("sub/test_x.py::test_x", "PASSED")]


def test_a_misplaced_classmethod_fixture_does_not_hide_the_next_ones(files, run):
    files({"test_misplaced.py": """
        import minitest

        class TestMisplaced:
            @classmethod
            @minitest.fixture
            def a_bad(cls):
                return "bad"

            @minitest.fixture
            def z_good(self):
                return "good"

            def test_it(self, z_good):
                assert z_good == "good"
    """})
    result = run("-v")
    assert result.ret == 0, result.dump()
    assert verbose_nodeids(result) == [("test_misplaced.py::TestMisplaced::test_it", "PASSED")]
    result.fnmatch_lines(["*MinitestCollectionWarning: cannot discover fixture 'a_bad' because it is wrapped by "
                          "@classmethod; place @fixture above @classmethod"])


def test_missing_fixture_of_a_fixture_without_code(files, run):
    # a functools.partial has no __code__ and no source: the message says so, at "?:0"
    files({"test_partial.py": """
        import functools
        import minitest

        def needs(nope):
            return nope

        partial_fixture = minitest.fixture(functools.partial(needs), name="partial_fixture")

        def test_partial(partial_fixture):
            pass
    """})
    result = run("-p", "no:unittest")
    assert result.ret == 1, result.dump()
    result.fnmatch_lines(["file ?, line 0: source code not available", "E       fixture 'nope' not found",
                          ">       available fixtures: *", ">       use 'minitest --fixtures [[]testpath]' for help on them.",
                          "", "?:0"], consecutive=True)


def test_session_and_module_parameters_order_as_pytest(files, run):
    # pulling tests forward for a session value also moves them to the front of their module-scope
    # groups: test_a[2-a] runs before test_a2[a] (the order pytest 9.2 gives)
    files({
        "conftest.py": """
            import minitest

            @minitest.fixture(scope="session", params=[1, 2])
            def s(request):
                return request.param

            @minitest.fixture(scope="module", params=["a", "b"])
            def m(request):
                return request.param
        """,
        "test_a.py": "def test_a(s, m): pass\ndef test_a2(m): pass\n",
        "test_b.py": "def test_b(m, s): pass\ndef test_b2(s): pass\n",
    })
    result = run("--co", "-q")
    assert result.ret == 0, result.dump()
    assert result.lines[:12] == [
        "test_a.py::test_a[1-a]", "test_a.py::test_a[1-b]", "test_b.py::test_b[1-a]", "test_b.py::test_b[1-b]",
        "test_b.py::test_b2[1]", "test_a.py::test_a[2-a]", "test_a.py::test_a2[a]", "test_a.py::test_a[2-b]",
        "test_a.py::test_a2[b]", "test_b.py::test_b[2-a]", "test_b.py::test_b[2-b]", "test_b.py::test_b2[2]",
    ]


def test_two_session_and_two_module_parameters_order_as_pytest(files, run):
    # tests pulled forward for one scope's value are also moved to the front of the other scopes'
    # groups: test_0_1[2-b-y] before [2-b-x], test_0_2[a-x] right after test_0_1[2-a-x] (pytest 9.2's order)
    files({
        "conftest.py": """
            import minitest

            @minitest.fixture(scope="session", params=[1, 2])
            def s(request): return request.param

            @minitest.fixture(scope="session", params=["p", "q"])
            def t(request): return request.param

            @minitest.fixture(scope="module", params=["a", "b"])
            def m(request): return request.param

            @minitest.fixture(scope="module", params=["x", "y"])
            def n(request): return request.param
        """,
        "test_0.py": "def test_0_0(t, n, m): pass\ndef test_0_1(s, m, n): pass\ndef test_0_2(m, n): pass\n",
        "test_1.py": "def test_1_0(n): pass\n",
    })
    result = run("--co", "-q")
    assert result.ret == 0, result.dump()
    assert result.lines[:22] == [f"test_0.py::{name}" for name in (
        "test_0_0[p-x-a]", "test_0_0[p-x-b]", "test_0_0[p-y-b]", "test_0_0[p-y-a]",
        "test_0_0[q-x-a]", "test_0_0[q-x-b]", "test_0_0[q-y-b]", "test_0_0[q-y-a]",
        "test_0_1[1-a-x]", "test_0_1[1-a-y]", "test_0_1[1-b-y]", "test_0_1[1-b-x]",
        "test_0_1[2-a-x]", "test_0_2[a-x]", "test_0_1[2-a-y]", "test_0_2[a-y]",
        "test_0_1[2-b-y]", "test_0_2[b-y]", "test_0_1[2-b-x]", "test_0_2[b-x]",
    )] + ["test_1.py::test_1_0[x]", "test_1.py::test_1_0[y]"]


def test_closure_sorts_an_override_by_the_scope_in_effect(files, run):
    # widest scope first, by the definition in effect: the module's function-scoped "thing"
    # overrides a session-scoped one and sorts as function scope (as pytest 9.2)
    files({
        "conftest.py": """
            import minitest

            @minitest.fixture(scope="session")
            def thing():
                return "session"
        """,
        "test_order.py": """
            import minitest

            @minitest.fixture(scope="module")
            def mod_fix(): pass

            @minitest.fixture
            def thing():
                return "function"

            def test_names(request, thing, mod_fix):
                assert thing == "function"
                assert request.fixturenames == ["mod_fix", "request", "thing"]
        """,
    })
    result = run("-p", "no:unittest")
    assert result.ret == 0, result.dump()


def test_class_scoped_parameter_groups_the_methods_of_a_class(files, run):
    files({"test_cls_param.py": """
        import minitest

        class TestGrouped:
            @minitest.fixture(scope="class", params=[1, 2])
            def per_class(self, request):
                return request.param

            def test_a(self, per_class): pass

            def test_b(self, per_class): pass
    """})
    result = run("--co", "-q")
    assert result.ret == 0, result.dump()
    assert result.lines[:4] == [f"test_cls_param.py::TestGrouped::{name}" for name in (
        "test_a[1]", "test_b[1]", "test_a[2]", "test_b[2]")]


def test_a_misplaced_fixture_warning_made_an_error_says_where_the_fixture_is(files, run):
    files({"test_w.py": """
        import minitest

        class TestX:
            @staticmethod
            @minitest.fixture
            def fx():
                return 1

            def test_it(self):
                pass
    """})
    result = run("-W", "error::minitest.python_nodes.MinitestCollectionWarning")
    assert result.ret == 2, result.dump()
    result.fnmatch_lines([
        "*ERROR collecting test_w.py::TestX*",
        "E   minitest.python_nodes.MinitestCollectionWarning: fixture 'fx' is wrapped by @staticmethod above "
        "@fixture; place @fixture above @staticmethod",
        "E    at */test_w.py:4",
    ])
    result.no_fnmatch_line("*in _warn_descriptor_over_fixture*")  # the helper's own frame is hidden
    result.assert_outcomes(errors=1)


def test_a_plugins_fixtures_are_visible_everywhere(files, run, tmp_path):
    # only a conftest's fixtures are limited to its directory; a -p plugin's are global, also when
    # minitest runs from a subdirectory of the rootdir
    files({
        "minitest.ini": "[minitest]\n",
        "plugins/myplugin.py": """
            import minitest

            @minitest.fixture
            def from_plugin():
                return "plugged"
        """,
        "tests/test_p.py": """
            def test_p(from_plugin):
                assert from_plugin == "plugged"
        """,
        "other/test_o.py": """
            def test_o(from_plugin):
                assert from_plugin == "plugged"
        """,
    })
    result = run("-p", "myplugin", "-v", "..", cwd=tmp_path / "tests", pythonpath=[tmp_path / "plugins"])
    assert result.ret == 0, result.dump()
    assert verbose_nodeids(result) == [("../other/test_o.py::test_o", "PASSED"), ("test_p.py::test_p", "PASSED")]


def test_module_scoped_parameter_groups_functions_and_methods_of_the_module(files, run):
    files({"test_mod_param.py": """
        import minitest

        @minitest.fixture(scope="module", params=[1, 2])
        def m(request):
            return request.param

        def test_f(m): pass

        class TestC:
            def test_c(self, m): pass
    """})
    result = run("--co", "-q")
    assert result.ret == 0, result.dump()
    assert result.lines[:4] == ["test_mod_param.py::test_f[1]", "test_mod_param.py::TestC::test_c[1]",
                                "test_mod_param.py::test_f[2]", "test_mod_param.py::TestC::test_c[2]"]


def test_tests_set_aside_at_one_level_are_not_grouped_again_there(tmp_path):
    # four higher-scoped parameters over four modules (a case found by a random search against a
    # surviving mutant): the order must be pytest's, node id for node id
    from conftest import run_minitest, run_pytest_process
    from dual_suite import write_dual

    conftest = """
        import minitest

        @minitest.fixture(scope="session", params=[1, 2])
        def s(request): return request.param

        @minitest.fixture(scope="session", params=["p", "q"])
        def t(request): return request.param

        @minitest.fixture(scope="module", params=["a", "b"])
        def m(request): return request.param

        @minitest.fixture(scope="module", params=["x", "y"])
        def n(request): return request.param
    """
    mine_dir, ref_dir = write_dual(tmp_path, {
        "conftest.py": conftest,
        "test_0.py": 'def test_0_0(m, s, n): pass\ndef test_0_1(n): pass\ndef test_0_2(t, m): pass\n',
        "test_1.py": 'def test_1_0(s, n): pass\n',
        "test_2.py": 'def test_2_0(m, n): pass\n',
        "test_3.py": 'def test_3_0(t, n, s): pass\ndef test_3_1(n): pass\ndef test_3_2(n, s, t): pass\n',
    })
    mine = run_minitest("--co", "-q", cwd=mine_dir)
    ref = run_pytest_process("--co", "-q", cwd=ref_dir)
    assert mine.ret == ref.ret == 0, mine.dump() + ref.dump()
    ids = [line for line in mine.lines if "::" in line]
    assert len(ids) == 40
    assert ids == [line for line in ref.lines if "::" in line], mine.dump() + ref.dump()


def test_a_package_scoped_fixture_lives_as_long_as_the_package_that_defines_it(files, run):
    files({
        "pkg/__init__.py": "",
        "pkg/conftest.py": """
            import minitest

            SETUPS = []

            @minitest.fixture(scope="package")
            def per_pkg():
                SETUPS.append("setup")
                yield
                SETUPS.append("teardown")
        """,
        "pkg/sub1/__init__.py": "",
        "pkg/sub1/test_a.py": "def test_a(per_pkg):\n    pass\n",
        "pkg/sub2/__init__.py": "",
        "pkg/sub2/test_b.py": """
            from pkg.conftest import SETUPS

            def test_b(per_pkg):
                assert SETUPS == ["setup"]  # not torn down at the end of sub1
        """,
    })
    result = run("-v")
    assert result.ret == 0, result.dump()
    result.assert_outcomes(passed=2)


def test_a_parametrized_fixture_asked_for_dynamically_is_an_error_without_traceback(files, run):
    files({"test_dyn.py": """
        import minitest

        @minitest.fixture(params=[1, 2])
        def p(request):
            return request.param

        def test_dyn(request):
            request.getfixturevalue("p")
    """})
    result = run()
    assert result.ret == 1, result.dump()
    result.fnmatch_lines([
        "*_ test_dyn _*",
        "The requested fixture has no parameter defined for test:",
        "    test_dyn.py::test_dyn",
        "",
        "Requested fixture 'p' defined in:",
        "test_dyn.py:3:  def p(request)",
        "*short test summary info*",
    ], consecutive=True)


# ---------------------------------------------------------------------------------------------
# _static_namespace: one pass over the MRO standing in for getattr_static per name (a speed-up)
# ---------------------------------------------------------------------------------------------


class _Base:
    shadowed = "class value"
    kept = "class only"

    @property
    def prop(self) -> str:
        return "property"

    def method(self) -> None:
        pass


class _Plain(_Base):
    def __init__(self) -> None:
        self.shadowed = "instance value"  # a plain class attribute is shadowed by the instance
        self.__dict__["prop"] = "instance"  # a data descriptor (property) wins over the instance
        self.own = 1
        self.method = "instance attribute"  # a function (non-data descriptor) is shadowed too


class _SetOnly:
    """A data descriptor with __set__ but no __delete__."""

    def __get__(self, obj: object, owner: type | None = None) -> str:
        return "descriptor"

    def __set__(self, obj: object, value: object) -> None:
        obj.__dict__["guarded"] = value  # type: ignore[attr-defined]


class _Guarded:
    guarded = _SetOnly()

    def __init__(self) -> None:
        self.guarded = "stored in the instance"  # goes through __set__ into __dict__


class _Slotted:
    __slots__ = ("a",)
    b = 2


def _expected(holder: object) -> dict[str, object]:
    return {name: inspect.getattr_static(holder, name) for name in dir(holder)}


def test_static_namespace_matches_getattr_static_for_a_plain_instance() -> None:
    holder = _Plain()
    found = _static_namespace(holder)
    assert found is not None  # the fast path applies to a plain instance
    assert {name: found[name] for name in dir(holder)} == _expected(holder)
    assert found["shadowed"] == "instance value"
    assert found["prop"] is _Base.__dict__["prop"]
    assert found["own"] == 1
    assert found["method"] == "instance attribute"


def test_static_namespace_lets_a_set_only_data_descriptor_win() -> None:
    holder = _Guarded()
    found = _static_namespace(holder)
    assert found is not None
    assert found["guarded"] is _Guarded.__dict__["guarded"]
    assert found["guarded"] is inspect.getattr_static(holder, "guarded")


def test_static_namespace_for_a_class_and_a_slotted_instance() -> None:
    found = _static_namespace(_Plain)
    assert found is not None
    assert {name: found[name] for name in dir(_Plain)} == _expected(_Plain)
    slotted = _Slotted()
    found = _static_namespace(slotted)
    assert found is not None
    assert found["b"] == 2
    assert {name: found[name] for name in dir(slotted)} == _expected(slotted)


def test_static_namespace_gives_up_on_unusual_holders() -> None:
    class Meta(type):
        pass

    class WithMeta(metaclass=Meta):
        pass

    class FakeDict:
        __dict__ = {"x": 1}  # a class faking its __dict__

    assert _static_namespace(WithMeta()) is None
    assert _static_namespace(FakeDict()) is None


def test_a_real_pytest_fixture_object_is_recognised() -> None:
    # pytest >= 8.4 wraps a fixture function in an object of its own (_pytest.fixtures): such
    # objects from a real pytest (a plugin importing it) are read through their marker
    from _pytest import fixtures as real_pytest_fixtures

    from builtin_plugins.fixtures.defs import fixture_marker_of

    def pf() -> int:
        return 1

    obj = real_pytest_fixtures.fixture(scope="module", name="renamed")(pf)
    found = fixture_marker_of(obj)
    assert found is not None
    marker, func = found
    assert func is pf
    assert (marker.scope, marker.name, marker.autouse) == ("module", "renamed", False)
    assert fixture_marker_of(pf) is None
    # another object of pytest's (a mark): looked at, not a fixture
    from _pytest.mark.structures import Mark

    assert fixture_marker_of(Mark("skip", (), {}, _ispytest=True)) is None


def test_value_keys_say_what_they_compare() -> None:
    from builtin_plugins.fixtures.ordering import ValueKey

    assert repr(ValueKey("x", 3)) == "ValueKey(value='x')"
    assert repr(ValueKey([1], 3)) == "ValueKey(index=3)"
