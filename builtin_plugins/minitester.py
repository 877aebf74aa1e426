"""The ``minitester`` fixture: test a plugin (or minitest itself) by running minitest on files made
for the test, in a temporary directory.

    def test_my_plugin(minitester):
        minitester.makeconftest("def minitest_report_header(): return 'hello'")
        minitester.makepyfile("def test_ok(): pass")
        result = minitester.runminitest("-v")          # in this process (fast)
        result.assert_outcomes(passed=1)
        result.stdout.fnmatch_lines(["hello", "*::test_ok PASSED*"])
        result = minitester.runminitest_subprocess()   # in a new interpreter (isolated)
        assert result.ret == 0

It is a builtin (always available, like ``tmp_path``): the module only defines a fixture and two
small classes, and imports what a run needs (``subprocess``, ``io``) when the fixture is used.
"""

from __future__ import annotations

import fnmatch
import os
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, cast

from minitest import clock, fixture

__all__ = ["Minitester", "RunResult", "LineMatcher"]

# the final line: "=== 1 failed, 2 passed in 0.12s ===" (or without the "=" fill, with -q)
# (a pattern: ``re`` compiles it when a test first parses an outcome, not at every start-up: 0.2 ms)
_FINAL_LINE = r"^(?:=+ )?(?P<body>.*?) in \d+(?:\.\d+)?s(?: \([0-9:]+\))?(?: =+)?$"
_PLURAL = {"error": "errors", "warning": "warnings"}


@fixture
def minitester(request: Any, tmp_path: Path) -> Iterator[Minitester]:
    """A :class:`Minitester` working in this test's ``tmp_path`` (the current directory meanwhile)."""
    tester = Minitester(tmp_path, name=request.node.name)
    old = os.getcwd()
    # the outer run's extra arguments are not the inner runs' (pytester clears PYTEST_ADDOPTS
    # too): a --basetemp there would have every inner run empty the outer run's directory
    saved_env = {name: os.environ.pop(name) for name in _OUTER_ENV if name in os.environ}
    os.chdir(tmp_path)
    try:
        yield tester
    finally:
        os.chdir(old)
        os.environ.update(saved_env)


#: environment variables of the outer run that must not reach the runs a minitester starts
_OUTER_ENV = ("MINITEST_ADDOPTS", "PYTEST_ADDOPTS")


class LineMatcher:
    """Lines of output with glob / regex matching in order (other lines may come between)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def __str__(self) -> str:
        return "\n".join(self.lines)

    def fnmatch_lines(self, patterns: Sequence[str] | str, *, consecutive: bool = False) -> None:
        """Every glob pattern matches a line, in this order; fails with a log of the search."""
        self._match(patterns, fnmatch.fnmatchcase, "fnmatch", consecutive)

    def re_match_lines(self, patterns: Sequence[str] | str, *, consecutive: bool = False) -> None:
        """Like :meth:`fnmatch_lines` with regular expressions (``re.match``)."""
        self._match(patterns, lambda line, pat: re.match(pat, line) is not None, "re.match", consecutive)

    def no_fnmatch_line(self, pattern: str) -> None:
        """No line matches the glob ``pattern``."""
        for line in self.lines:
            if fnmatch.fnmatchcase(line, pattern):
                raise AssertionError(f"line {line!r} matches {pattern!r}\n\n{self}")

    def _match(self, patterns: Sequence[str] | str, match: Any, how: str, consecutive: bool) -> None:
        __tracebackhide__ = True
        if isinstance(patterns, str):
            patterns = patterns.splitlines()
        log: list[str] = []
        pos = 0
        for index, pattern in enumerate(patterns):
            while pos < len(self.lines):
                line = self.lines[pos]
                pos += 1
                if match(line, pattern):
                    log.append(f"{how}: {pattern!r}\n   with: {line!r}")
                    break
                if consecutive and index > 0:
                    log.append(f"no consecutive match for {pattern!r}, got {line!r}")
                    raise AssertionError("\n".join(log) + f"\n\n{self}")
            else:
                log.append(f"no match for: {pattern!r}")
                raise AssertionError("\n".join(log) + f"\n\noutput was:\n{self}")


    # last in the class: a method named ``str`` would shadow the type in the annotations after it
    def str(self) -> str:  # noqa: A003 - pytest's LineMatcher.str
        return "\n".join(self.lines)

class RunResult:
    """What one run of minitest gave: ``ret``, ``stdout`` / ``stderr`` (LineMatchers), ``outcomes``."""

    def __init__(self, ret: int, outlines: list[str], errlines: list[str], duration: float) -> None:
        self.ret = int(ret)
        self.outlines = outlines
        self.errlines = errlines
        self.stdout = LineMatcher(outlines)
        self.stderr = LineMatcher(errlines)
        self.duration = duration

    def __repr__(self) -> str:
        return f"<RunResult ret={self.ret} len(stdout.lines)={len(self.outlines)} duration={self.duration:.2f}s>"

    @property
    def outcomes(self) -> dict[str, int]:
        """The counts of the final line, e.g. ``{"passed": 2, "failed": 1, "errors": 1}``."""
        return self.parseoutcomes()

    def parseoutcomes(self) -> dict[str, int]:
        for line in reversed(self.outlines):
            match = re.match(_FINAL_LINE, line.strip())
            if match:
                body = match.group("body")
                if body == "no tests ran":
                    return {}
                return {_PLURAL.get(word, word): int(count) for count, word in re.findall(r"(\d+) (\w+)", body)}
        raise ValueError("minitest's final line (\"... in 0.01s\") not found in the output:\n" + str(self.stdout))

    def assert_outcomes(self, passed: int = 0, skipped: int = 0, failed: int = 0, errors: int = 0,
                        xpassed: int = 0, xfailed: int = 0, warnings: int | None = None,
                        deselected: int | None = None) -> None:
        """The final line's counts are these (``warnings`` / ``deselected`` only if given)."""
        __tracebackhide__ = True
        got = self.outcomes
        expected = {"passed": passed, "skipped": skipped, "failed": failed, "errors": errors,
                    "xpassed": xpassed, "xfailed": xfailed}
        actual = {key: got.get(key, 0) for key in expected}
        for key, value in (("warnings", warnings), ("deselected", deselected)):
            if value is not None:
                expected[key] = value
                actual[key] = got.get(key, 0)
        assert actual == expected, f"outcomes {actual} != {expected}\n\n{self.stdout}\n{self.stderr}"


class Minitester:
    """Makes files in ``path`` and runs minitest on them (in-process or in a subprocess)."""

    def __init__(self, path: Path, name: str = "test_file") -> None:
        self.path = Path(path)
        base = re.sub(r"\W", "_", name.split("[", 1)[0]) or "test_file"
        self._basename = base if base.startswith("test") else f"test_{base}"
        #: extra arguments put before every run's own
        self.default_args: list[str] = []

    def __repr__(self) -> str:
        return f"<Minitester {self.path}>"

    # -- making files ----------------------------------------------------------------------------
    def makefile(self, ext: str, *sources: str, **named: str) -> Path:
        """Write files with suffix ``ext``: a positional source is named after the test,
        ``name=source`` makes ``name + ext``. Sources are dedented. Returns the first path."""
        import textwrap

        ext = ext if not ext or ext.startswith(".") else "." + ext
        items = [(self._basename, src) for src in sources] + list(named.items())
        if not items:
            raise ValueError("makefile() needs at least one source")
        paths = []
        for name, source in items:
            path = self.path / f"{name}{ext}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(str(source)).lstrip("\n"), encoding="utf-8")
            paths.append(path)
        return paths[0]

    def makepyfile(self, *sources: str, **named: str) -> Path:
        return self.makefile(".py", *sources, **named)

    def maketxtfile(self, *sources: str, **named: str) -> Path:
        return self.makefile(".txt", *sources, **named)

    def makeconftest(self, source: str) -> Path:
        return self.makefile(".py", conftest=source)

    def makeini(self, source: str) -> Path:
        """Write ``minitest.ini`` (``source`` should start with ``[minitest]``)."""
        return self.makefile(".ini", minitest=source)

    def makepyprojecttoml(self, source: str) -> Path:
        return self.makefile(".toml", pyproject=source)

    def mkdir(self, name: str | os.PathLike[str]) -> Path:
        path = self.path / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def mkpydir(self, name: str | os.PathLike[str]) -> Path:
        """A package directory (with an empty ``__init__.py``)."""
        path = self.mkdir(name)
        (path / "__init__.py").touch()
        return path

    # -- running ---------------------------------------------------------------------------------
    def _with_basetemp(self, argv: list[str], kind: str) -> list[str]:
        """``argv`` with a ``--basetemp`` of the inner runs' own, beside :attr:`path` (as pytester):
        the inner runs neither count as runs in the user's temp root (whose last three are kept)
        nor touch the outer run's directories."""
        if any(a == "--basetemp" or a.startswith("--basetemp=") for a in argv):
            return argv
        return [f"--basetemp={self.path.parent / f'{self.path.name}-{kind}'}", *argv]

    def runminitest(self, *args: str | os.PathLike[str], plugins: Sequence[object] = ()) -> RunResult:
        """Run ``minitest.main(args, plugins)`` in this process, in :attr:`path`, capturing output.

        What the run changes in the interpreter is undone afterwards: the current directory,
        ``sys.path``, import hooks and the modules imported from :attr:`path` (test modules of
        different tests may share names).
        """
        import io

        from minitest.cli import main

        argv = self._with_basetemp([str(a) for a in (*self.default_args, *args)], "basetemp")
        out, err = io.StringIO(), io.StringIO()
        snapshot = _InterpreterState()
        start = clock.perf()
        old_out, old_err = sys.stdout, sys.stderr
        try:
            os.chdir(self.path)
            sys.stdout, sys.stderr = out, err
            try:
                ret = main(argv, plugins=list(plugins))
            except SystemExit as exc:
                ret = exc.code if isinstance(exc.code, int) else 1
        finally:
            sys.stdout, sys.stderr = old_out, old_err
            snapshot.restore(under=self.path)
        return RunResult(ret, out.getvalue().splitlines(), err.getvalue().splitlines(),
                         clock.perf() - start)

    def runminitest_subprocess(self, *args: str | os.PathLike[str], timeout: float | None = None) -> RunResult:
        """Run ``python -m minitest ARGS`` in a new interpreter in :attr:`path`."""
        import subprocess

        argv = [sys.executable, "-m", "minitest",
                *self._with_basetemp([str(a) for a in (*self.default_args, *args)], "subprocess")]
        env = dict(os.environ)
        for name in ("PY_COLORS", "FORCE_COLOR"):  # plain text to match against
            env.pop(name, None)
        # the test's directory first, as if minitest had been started there by hand
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(self.path), env.get("PYTHONPATH", "")) if p)
        start = clock.perf()
        proc = subprocess.run(argv, cwd=self.path, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout)
        return RunResult(proc.returncode, proc.stdout.decode("utf-8", "replace").splitlines(),
                         proc.stderr.decode("utf-8", "replace").splitlines(), clock.perf() - start)


class _InterpreterState:
    """What an in-process run may change, to put back afterwards."""

    def __init__(self) -> None:
        self.cwd = os.getcwd()
        self.path = list(sys.path)
        self.meta_path = list(sys.meta_path)
        self.modules = set(sys.modules)
        import warnings

        self.filters: list[Any] = list(warnings.filters)

    def restore(self, under: Path) -> None:
        import warnings

        os.chdir(self.cwd)
        sys.path[:] = self.path
        sys.meta_path[:] = self.meta_path
        # typeshed types the list as a Sequence; it is a list, put back in place (not rebound)
        cast("list[Any]", warnings.filters)[:] = self.filters
        getattr(warnings, "_filters_mutated", lambda: None)()  # drop the "already warned" caches
        root = str(under)
        for name in list(sys.modules):
            if name in self.modules:
                continue
            module = sys.modules.get(name)
            origin = getattr(module, "__file__", None) or ""
            if origin.startswith(root):
                del sys.modules[name]
