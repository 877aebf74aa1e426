"""Issue 3 — plugins: conftest.py hooks and their scope, -p / MINITEST_PLUGINS / ini plugins,
blocking, bad plugins, historic / firstresult / wrapper hooks, --trace-hooks."""

from __future__ import annotations

import pytest
from conftest import dual_conftest, verbose_nodeids

SIMPLE = {
    "test_a.py": """
        def test_a1():
            pass

        def test_a2():
            raise ValueError("a2")
    """,
    "test_b.py": "def test_b1():\n    pass\n",
}

# a conftest logging the life of a run, for minitest and for pytest (to <prefix>.log)
LIFECYCLE_CONFTEST = dual_conftest("""
    LOG = Path(__file__).with_name(PREFIX + ".log")

    def log(*parts):
        with LOG.open("a") as f:
            f.write(" ".join(str(p) for p in parts) + "\\n")

    def configure(config):
        log("configure")

    def sessionstart(session):
        log("sessionstart")

    def collection_modifyitems(session, config, items):
        log("modifyitems", [item.nodeid for item in items])

    def collection_finish(session):
        log("collection_finish", len(session.items))

    def runtest_logstart(nodeid, location):
        log("logstart", nodeid, location[0], location[2])

    def runtest_setup(item):
        log("setup", item.nodeid)

    def runtest_call(item):
        log("call", item.nodeid)

    def runtest_teardown(item, nextitem):
        log("teardown", item.nodeid, nextitem.nodeid if nextitem else None)

    def runtest_logreport(report):
        log("logreport", report.nodeid, report.when, report.outcome)

    def runtest_logfinish(nodeid, location):
        log("logfinish", nodeid)

    def sessionfinish(session, exitstatus):
        log("sessionfinish", int(exitstatus))

    def unconfigure(config):
        log("unconfigure")

    for _name in list(globals()):
        if _name in ("configure", "sessionstart", "collection_modifyitems", "collection_finish", "runtest_logstart",
                     "runtest_setup", "runtest_call", "runtest_teardown", "runtest_logreport",
                     "runtest_logfinish", "sessionfinish", "unconfigure"):
            globals()[PREFIX + "_" + _name] = globals()[_name]
""")


def test_hook_sequence_of_a_run_matches_pytest(files, compare, tmp_path):
    """The life of a run as seen by a conftest: the same hook calls, in the same order, with the
    same arguments as pytest makes them."""
    files(SIMPLE | {"conftest.py": LIFECYCLE_CONFTEST})
    compare()
    mine = (tmp_path / "minitest.log").read_text().splitlines()
    ref = (tmp_path / "pytest.log").read_text().splitlines()
    assert mine == ref
    assert mine[:4] == ["configure", "sessionstart",
                        "modifyitems ['test_a.py::test_a1', 'test_a.py::test_a2', 'test_b.py::test_b1']",
                        "collection_finish 3"]
    assert mine[-2:] == ["sessionfinish 1", "unconfigure"]


def test_collection_modifyitems_reorders(files, compare):
    files(SIMPLE | {"conftest.py": dual_conftest("""
        def collection_modifyitems(session, config, items):
            items.reverse()

        globals()[PREFIX + "_collection_modifyitems"] = collection_modifyitems
    """)})
    mine, _ = compare()
    assert [n for n, _ in verbose_nodeids(mine)] == ["test_b.py::test_b1", "test_a.py::test_a2",
                                                     "test_a.py::test_a1"]


OPTION_CONFTEST = dual_conftest("""
    def addoption(parser, pluginmanager):
        group = parser.getgroup("custom", "custom options of this project")
        group.addoption("--greeting", action="store", default="hello", help="the greeting of this project")
        parser.addini("farewell", help="said at the end", default="bye")

    def configure(config):
        with Path(__file__).with_name(PREFIX + ".log").open("a") as f:
            f.write(f"configure greeting={config.getoption('greeting')} farewell={config.getini('farewell')}\\n")

    def report_header(config, start_path):
        return [f"greeting: {config.getoption('greeting')}", f"start_path: {start_path}"]

    globals()[PREFIX + "_addoption"] = addoption
    globals()[PREFIX + "_configure"] = configure
    globals()[PREFIX + "_report_header"] = report_header
""")


def test_conftest_adds_option_used_on_command_line(files, run, run_pytest, tmp_path):
    files(SIMPLE | {"conftest.py": OPTION_CONFTEST})
    result = run("--greeting=hi", "-o", "farewell=ciao")
    assert result.ret == 1, result.dump()
    # the header lines come before "collected"; pytest puts plugin lines before "rootdir:", minitest's
    # hookspec after it: either is fine here
    result.fnmatch_lines(["=* test session starts *=", "greeting: hi", f"start_path: {tmp_path}",
                          "collected 3 items"])
    result.fnmatch_lines([f"rootdir: {tmp_path}", "collected 3 items"])
    assert (tmp_path / "minitest.log").read_text() == "configure greeting=hi farewell=ciao\n"
    ref = run_pytest("--greeting=hi", "-o", "farewell=ciao")
    assert ref.ret == 1
    assert (tmp_path / "pytest.log").read_text() == (tmp_path / "minitest.log").read_text()


def test_conftest_option_default_and_help(files, run, tmp_path):
    files(SIMPLE | {"conftest.py": OPTION_CONFTEST, "minitest.ini": "[minitest]\nfarewell = adieu\n"})
    result = run()
    result.fnmatch_lines(["greeting: hello"])
    assert (tmp_path / "minitest.log").read_text() == "configure greeting=hello farewell=adieu\n"
    help_ = run("--help")
    assert help_.ret == 0
    help_.fnmatch_lines(["custom options of this project:", "*--greeting=GREETING*the greeting of this project*"])
    help_.fnmatch_lines(["*farewell*said at the end*"])


def test_conftest_unknown_option_without_conftest_is_usage_error(files, run):
    files(SIMPLE)
    result = run("--greeting=hi")
    assert result.ret == 4
    result.fnmatch_lines(["*unrecognized arguments: --greeting=hi*"], stream="stderr")


def test_conftest_hooks_apply_to_their_own_directory_only(files, compare, tmp_path):
    """a/conftest.py's runtest_setup fires for a/ tests only; an exception there is an ERROR."""
    files({
        "a/conftest.py": dual_conftest("""
            def runtest_setup(item):
                with Path(__file__).with_name(PREFIX + ".log").open("a") as f:
                    f.write(item.nodeid + "\\n")
                if "refuse" in item.name:
                    raise RuntimeError("setup refused")

            globals()[PREFIX + "_runtest_setup"] = runtest_setup
        """),
        "a/test_a.py": "def test_ok():\n    pass\n\ndef test_refuse():\n    pass\n",
        "b/test_b.py": "def test_ok():\n    pass\n\ndef test_refuse():\n    pass\n",
    })
    mine, _ = compare()
    assert verbose_nodeids(mine) == [
        ("a/test_a.py::test_ok", "PASSED"),
        ("a/test_a.py::test_refuse", "ERROR"),
        ("b/test_b.py::test_ok", "PASSED"),
        ("b/test_b.py::test_refuse", "PASSED"),
    ]
    assert mine.ret == 1
    mine.assert_outcomes(passed=3, errors=1)
    mine.fnmatch_lines(["*_ ERROR at setup of test_refuse _*", "*RuntimeError: setup refused",
                        "ERROR a/test_a.py::test_refuse - RuntimeError: setup refused"])
    assert (tmp_path / "a" / "minitest.log").read_text().splitlines() == ["a/test_a.py::test_ok",
                                                                          "a/test_a.py::test_refuse"]


def test_conftest_of_a_later_sibling_directory_leaves_the_earlier_one_alone(files, compare, tmp_path):
    """The layout the test above does not cover: the conftest's directory (b_sub/) sorts after the
    other one (a_other/), so a_other's nodes have read their hooks before b_sub/conftest.py is
    loaded. Loading it must make those answers stale, or b_sub's hook reaches a_other's tests."""
    files({
        "a_other/test_a.py": "def test_ok():\n    pass\n\ndef test_refuse():\n    pass\n",
        "b_sub/conftest.py": dual_conftest("""
            def runtest_setup(item):
                with Path(__file__).with_name(PREFIX + ".log").open("a") as f:
                    f.write(item.nodeid + "\\n")
                if "refuse" in item.name:
                    raise RuntimeError("setup refused")

            globals()[PREFIX + "_runtest_setup"] = runtest_setup
        """),
        "b_sub/test_b.py": "def test_ok():\n    pass\n\ndef test_refuse():\n    pass\n",
    })
    mine, _ = compare()
    assert mine.ret == 1, mine.dump()
    assert verbose_nodeids(mine) == [
        ("a_other/test_a.py::test_ok", "PASSED"),
        ("a_other/test_a.py::test_refuse", "PASSED"),
        ("b_sub/test_b.py::test_ok", "PASSED"),
        ("b_sub/test_b.py::test_refuse", "ERROR"),
    ], mine.dump()
    mine.assert_outcomes(passed=3, errors=1)
    assert (tmp_path / "b_sub" / "minitest.log").read_text().splitlines() == ["b_sub/test_b.py::test_ok",
                                                                              "b_sub/test_b.py::test_refuse"]
    assert (tmp_path / "b_sub" / "pytest.log").read_text().splitlines() == ["b_sub/test_b.py::test_ok",
                                                                            "b_sub/test_b.py::test_refuse"]


@pytest.mark.parametrize(
    ("source", "error_line"),
    [
        ("import nonexistent_mod_qq\n", "*ModuleNotFoundError: No module named 'nonexistent_mod_qq'"),
        ("def broken(:\n    pass\n", "*SyntaxError: *"),
    ],
)
def test_conftest_that_fails_to_import_is_usage_error(files, run, run_pytest, tmp_path, source, error_line):
    files({"conftest.py": source, "test_x.py": "def test_x():\n    pass\n"})
    result = run()
    assert result.ret == 4 == run_pytest().ret, result.dump()
    # pytest: "ImportError while loading conftest '/path/conftest.py'." then the traceback
    result.fnmatch_lines([f"*ImportError while loading conftest '{tmp_path / 'conftest.py'}'*", error_line],
                         stream="stderr")
    assert "passed" not in result.stdout


PLUGIN_MODULE = """
    from pathlib import Path

    NAME = Path(__file__).stem

    def minitest_report_header(config):
        return f"{NAME} loaded"

    def minitest_configure(config):
        with (config.rootpath / "plugins.log").open("a") as f:
            f.write(f"configure {NAME}\\n")
"""


def test_dash_p_loads_module_from_sys_path(files, run, tmp_path):
    files(SIMPLE | {"plugdir/myplugin.py": PLUGIN_MODULE})
    result = run("-p", "myplugin", pythonpath=[tmp_path / "plugdir"])
    assert result.ret == 1, result.dump()
    result.fnmatch_lines(["=* test session starts *=", "myplugin loaded", "collected 3 items"])
    assert (tmp_path / "plugins.log").read_text() == "configure myplugin\n"


def test_minitest_plugins_env(files, run, tmp_path):
    files(SIMPLE | {"plugdir/plug_one.py": PLUGIN_MODULE, "plugdir/plug_two.py": PLUGIN_MODULE})
    result = run(env={"MINITEST_PLUGINS": "plug_one,plug_two"}, pythonpath=[tmp_path / "plugdir"])
    assert result.ret == 1, result.dump()
    result.fnmatch_lines(["plug_one loaded", "plug_two loaded"])
    assert sorted((tmp_path / "plugins.log").read_text().splitlines()) == ["configure plug_one",
                                                                          "configure plug_two"]


def test_plugins_ini_key(files, run, tmp_path):
    files(SIMPLE | {"plugdir/ini_plug.py": PLUGIN_MODULE, "minitest.ini": "[minitest]\nplugins = ini_plug\n"})
    result = run(pythonpath=[tmp_path / "plugdir"])
    assert result.ret == 1, result.dump()
    result.fnmatch_lines(["ini_plug loaded"])


def test_minitest_plugins_variable_in_conftest(files, run, tmp_path):
    files(SIMPLE | {"plugdir/var_plug.py": PLUGIN_MODULE, "conftest.py": 'minitest_plugins = ["var_plug"]\n'})
    result = run(pythonpath=[tmp_path / "plugdir"])
    assert result.ret == 1, result.dump()
    assert (tmp_path / "plugins.log").read_text() == "configure var_plug\n"


def test_dash_p_unknown_module_is_usage_error(files, run):
    files(SIMPLE)
    result = run("-p", "nonexistent_plugin_xyz")
    assert result.ret == 4, result.dump()
    assert "nonexistent_plugin_xyz" in result.stderr
    assert "passed" not in result.stdout


def test_blocking_unknown_or_pytest_plugin_names_is_silent(files, run):
    files(SIMPLE)
    result = run("-p", "no:cacheprovider", "-p", "no:some_plugin_that_does_not_exist")
    assert result.ret == 1, result.dump()
    result.assert_outcomes(failed=1, passed=2)
    assert result.stderr.strip() == ""


def test_blocking_a_plugin_given_with_p(files, run, tmp_path):
    files(SIMPLE | {"plugdir/myplugin.py": PLUGIN_MODULE})
    result = run("-p", "no:myplugin", env={"MINITEST_PLUGINS": "myplugin"}, pythonpath=[tmp_path / "plugdir"])
    assert result.ret == 1, result.dump()
    assert "myplugin loaded" not in result.stdout
    assert not (tmp_path / "plugins.log").exists()


@pytest.mark.parametrize("where", ["conftest", "plugin"])
def test_misspelled_hook_is_usage_error_naming_plugin_and_hook(files, run, tmp_path, where):
    bad = "def minitest_colection_modifyitems(session, config, items):\n    pass\n"
    if where == "conftest":
        files(SIMPLE | {"conftest.py": bad})
        result = run()
        plugin_name = "conftest.py"
    else:
        files(SIMPLE | {"plugdir/badplug.py": bad})
        result = run("-p", "badplug", pythonpath=[tmp_path / "plugdir"])
        plugin_name = "badplug"
    assert result.ret == 4, result.dump()
    assert "minitest_colection_modifyitems" in result.output
    assert plugin_name in result.output
    assert "passed" not in result.stdout


def test_historic_hooks_reach_a_late_conftest(files, run, tmp_path):
    """sub/conftest.py is registered during collection, after configure ran for everyone else: it
    still gets minitest_addoption (its option defaults are set), minitest_configure and the
    minitest_plugin_registered calls made before it came."""
    files({
        "conftest.py": """
            from pathlib import Path

            def minitest_collection_modifyitems(items):
                with Path(__file__).with_name("hooks.log").open("a") as f:
                    f.write("root modifyitems\\n")
        """,
        "test_top.py": "def test_top():\n    pass\n",
        "sub/conftest.py": """
            from pathlib import Path

            LOG = Path(__file__).parent.parent / "hooks.log"

            def minitest_addoption(parser):
                parser.addoption("--late-option", default="late-default")

            def minitest_plugin_registered(plugin, manager):
                if getattr(plugin, "__file__", None) == str(LOG.with_name("conftest.py")):
                    with LOG.open("a") as f:
                        f.write("sub heard of root conftest\\n")

            def minitest_configure(config):
                with LOG.open("a") as f:
                    f.write(f"sub configure {config.getoption('late_option')}\\n")

            def minitest_runtest_setup(item):
                if item.config.getoption("late_option") != "late-default":
                    raise RuntimeError("option default missing")
        """,
        "sub/test_sub.py": "def test_sub():\n    pass\n",
    })
    result = run("-v")
    assert result.ret == 0, result.dump()
    assert verbose_nodeids(result) == [("sub/test_sub.py::test_sub", "PASSED"), ("test_top.py::test_top", "PASSED")]
    log = (tmp_path / "hooks.log").read_text().splitlines()
    assert "sub configure late-default" in log
    assert "sub heard of root conftest" in log
    assert "root modifyitems" in log


def test_firstresult_report_teststatus_from_conftest(files, run, run_pytest):
    """minitest_report_teststatus is firstresult: a conftest's answer wins over the terminal's."""
    files(SIMPLE | {"conftest.py": dual_conftest("""
        def report_teststatus(report, config):
            if report.when == "call" and report.passed:
                return "passed", "P", "NICE"

        globals()[PREFIX + "_report_teststatus"] = report_teststatus
    """)})
    for runner in (run, run_pytest):
        quiet = runner("-q", "--tb=no")
        quiet.re_match_lines([r"^PFP +\[100%\]$"])
        assert quiet.ret == 1
        verbose = runner("-v", "--tb=no")
        verbose.re_match_lines([r"^test_a\.py::test_a1 NICE +\[ 33%\]$", r"^test_a\.py::test_a2 FAILED +\[ 66%\]$",
                                r"^test_b\.py::test_b1 NICE +\[100%\]$"], consecutive=True)


def test_firstresult_ignore_collect_from_conftest(files, compare):
    files(SIMPLE | {"conftest.py": dual_conftest("""
        def ignore_collect(collection_path, config):
            if collection_path.name == "test_b.py":
                return True

        globals()[PREFIX + "_ignore_collect"] = ignore_collect
    """)})
    mine, _ = compare()
    assert [n for n, _ in verbose_nodeids(mine)] == ["test_a.py::test_a1", "test_a.py::test_a2"]


def test_wrapper_around_makereport(files, compare):
    """A wrapper=True hookimpl sees the report made by the others and may change it."""
    files(SIMPLE | {"conftest.py": dual_conftest("""
        import importlib

        hookimpl = importlib.import_module(PREFIX).hookimpl

        def makereport(item, call):
            report = yield
            if call.when == "call" and item.name == "test_a2" and report.failed:
                report.outcome = "passed"
                report.longrepr = None
            return report

        globals()[PREFIX + "_runtest_makereport"] = hookimpl(wrapper=True)(makereport)
        del makereport  # only the prefixed name is a hook
    """)})
    mine, _ = compare()
    assert mine.ret == 0
    assert verbose_nodeids(mine)[1] == ("test_a.py::test_a2", "PASSED")
    mine.assert_outcomes(passed=3)


def test_wrapper_with_minitest_hookimpl_import(files, run):
    """The documented spelling: ``from minitest import hookimpl``."""
    files(SIMPLE | {"conftest.py": """
        from minitest import hookimpl

        @hookimpl(wrapper=True)
        def minitest_runtest_makereport(item, call):
            report = yield
            if report.when == "call":
                report.user_properties.append(("wrapped", True))
                if report.failed:
                    report.longrepr = "replaced by the wrapper"
            return report

        @hookimpl(tryfirst=True)
        def minitest_runtest_logreport(report):
            if report.when == "call" and ("wrapped", True) not in report.user_properties:
                raise RuntimeError("wrapper did not run")
    """})
    result = run()
    assert result.ret == 1, result.dump()
    result.fnmatch_lines(["*_ test_a2 _*", "replaced by the wrapper"])
    result.assert_outcomes(failed=1, passed=2)


def test_trace_hooks(files, run):
    files(SIMPLE)
    result = run("--trace-hooks")
    assert result.ret == 1, result.dump()
    assert "minitest_" not in result.stdout
    err = result.errlines
    names = ["minitest_configure", "minitest_sessionstart", "minitest_collection", "minitest_runtestloop",
             "minitest_runtest_protocol", "minitest_runtest_setup", "minitest_runtest_makereport",
             "minitest_runtest_logreport", "minitest_runtest_call", "minitest_sessionfinish"]

    def first(name):
        for i, line in enumerate(err):
            if line.strip().startswith(name) and not line.strip().startswith(name + "_"):
                return i
        raise AssertionError(f"{name} not traced\n{result.stderr[:5000]}")

    positions = [first(name) for name in names]
    assert positions == sorted(positions), list(zip(names, positions, strict=True))
    # nesting: runtest_setup is called inside runtest_protocol, so it is indented further
    protocol_line = err[first("minitest_runtest_protocol")]
    setup_line = err[first("minitest_runtest_setup")]
    indent = lambda s: len(s) - len(s.lstrip())  # noqa: E731
    assert indent(setup_line) > indent(protocol_line)
    assert sum("minitest_runtest_protocol" in line for line in err if "finish" not in line) == 3


def test_trace_hooks_file(files, run, tmp_path):
    files(SIMPLE)
    result = run("--trace-hooks", f"--trace-hooks-file={tmp_path / 'trace.txt'}")
    assert result.ret == 1, result.dump()
    text = (tmp_path / "trace.txt").read_text()
    assert "minitest_runtest_protocol" in text and "minitest_collection" in text
    assert "minitest_runtest_protocol" not in result.stderr


def test_specname_and_tryfirst(files, run, tmp_path):
    """``specname`` lets a plugin name its function freely; ``tryfirst`` runs an implementation
    before those registered later (which pluggy would otherwise call first)."""
    files(SIMPLE | {
        "plugdir/early_plug.py": """
            from pathlib import Path

            from minitest import hookimpl

            @hookimpl(specname="minitest_report_header")
            def header_lines(config):
                return "header via specname"

            @hookimpl(tryfirst=True)
            def minitest_collection_modifyitems(config, items):
                with (config.rootpath / "order.log").open("a") as f:
                    f.write("plugin\\n")
        """,
        "conftest.py": """
            def minitest_collection_modifyitems(config, items):
                with (config.rootpath / "order.log").open("a") as f:
                    f.write("conftest\\n")
        """,
    })
    result = run("-p", "early_plug", pythonpath=[tmp_path / "plugdir"])
    assert result.ret == 1, result.dump()
    result.fnmatch_lines(["header via specname", "collected 3 items"])
    assert (tmp_path / "order.log").read_text().splitlines() == ["plugin", "conftest"]


def test_node_hooks_follow_plugins_registered_and_unregistered_mid_run(files, run, tmp_path):
    """``node.ihook`` is kept on the node (see PathHooks): a plugin registered while a test runs
    reaches that test's next hook calls, and one unregistered stops receiving them at once."""
    files({
        "conftest.py": """
            from pathlib import Path

            LOG = Path(__file__).with_name("hooks.log")

            class Late:
                def minitest_runtest_logreport(self, report):
                    with LOG.open("a") as f:
                        f.write(f"{report.nodeid} {report.when}\\n")

            def minitest_runtest_setup(item):
                item.ihook  # read (and kept) before the plugin comes
                pm = item.config.pluginmanager
                if item.name == "test_a":
                    pm.register(Late(), "late")
                elif item.name == "test_b":
                    pm.unregister(name="late")
        """,
        "test_x.py": "def test_a():\n    pass\n\ndef test_b():\n    pass\n",
    })
    result = run()
    assert result.ret == 0, result.dump()
    assert (tmp_path / "hooks.log").read_text().splitlines() == [
        "test_x.py::test_a setup", "test_x.py::test_a call", "test_x.py::test_a teardown"]


def test_a_late_conftest_reaches_nodes_whose_hooks_were_read_before(files, run, tmp_path):
    """test_top.py's items are collected (their hooks read and kept) before zsub/conftest.py is
    loaded: the conftest must see the nodes below its directory and not those items."""
    files({
        "test_top.py": "def test_top():\n    pass\n",
        "zsub/conftest.py": """
            from pathlib import Path

            def minitest_runtest_logreport(report):
                if report.when == "call":
                    with Path(__file__).with_name("seen.log").open("a") as f:
                        f.write(report.nodeid + "\\n")
        """,
        "zsub/test_sub.py": "def test_sub():\n    pass\n",
    })
    result = run()
    assert result.ret == 0, result.dump()
    assert (tmp_path / "zsub" / "seen.log").read_text().splitlines() == ["zsub/test_sub.py::test_sub"]
