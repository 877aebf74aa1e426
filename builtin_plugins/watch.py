"""``--watch [paths]``: run the affected tests again on every save.

Each round runs, in a fresh process, ``minitest --affected --ff`` with the run's other arguments:
the tests that failed last time first, then the ones whose dependencies changed (see the
``affected`` builtin). With ``--watch-all``, a round whose tests pass goes on with the rest of the
suite (every test the first part did not run). The screen is cleared between rounds; Ctrl-C stops
the watcher cleanly (exit code 0).

File events come from **watchfiles** (an optional dependency, the ``watch`` extra): the platform's
notifier (inotify, FSEvents, ReadDirectoryChangesW) through a maintained library, not a polling
loop. Version control, cache and ``__pycache__`` directories are left out.

Warm where it is safe: a round never runs in a process that imported the user's code before (a
test module, a conftest.py or the code under test may have changed, and Python cannot unload
modules), so every round is a fresh process; but the next one is started as soon as the previous
one ends, imports the interpreter's and minitest's modules (the bulk of the start-up time), and
waits for the next change before it reads anything of the project.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from minitest import hookimpl
from minitest.config import Config, Parser, UsageError
from minitest.index_api import IndexedTest, index_safe, select_from_index
from minitest.nodes import Item, Session

if TYPE_CHECKING:
    import subprocess

#: what the next round's process runs while it waits: minitest and its builtins imported, then
#: the arguments read from the pipe the watcher writes when a change comes
_WARM = """
import json, os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C while waiting is the watcher's to handle
from minitest.pluginmanager import BUILTIN_PLUGINS
import importlib
for _name in BUILTIN_PLUGINS.values():
    importlib.import_module(_name)
from minitest.cli import main
_fd = int(sys.argv[1])
_data = b""
while True:
    _chunk = os.read(_fd, 65536)
    if not _chunk:
        break
    _data += _chunk
os.close(_fd)
signal.signal(signal.SIGINT, signal.default_int_handler)
if not _data:
    sys.exit(0)
sys.exit(main(json.loads(_data)))
"""

_OWN_OPTIONS = ("--watch", "--watch-all")


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("general", "general")
    group.addoption("--watch", action="store_true", default=False, dest="watch",
                    help="run the affected tests (failed ones first) on every save of a file under the "
                         "arguments, until Ctrl-C; needs watchfiles (pip install 'minitest[watch]')")
    group.addoption("--watch-all", action="store_true", default=False, dest="watch_all",
                    help="with --watch: when the affected tests pass, run the rest of the suite too")
    group.addoption("--watch-round", action="store", default=None, dest="watch_round", metavar="FILE",
                    help="(used by --watch) write the node ids of the selected tests to FILE")
    group.addoption("--watch-skip-file", action="store", default=None, dest="watch_skip_file", metavar="FILE",
                    help="(used by --watch) deselect the node ids listed in FILE")


def minitest_configure(config: Config) -> None:
    if config.getoption("watch_round", None) or config.getoption("watch_skip_file", None):
        config.pluginmanager.register(RoundPlugin(config), "watch-round")


class RoundPlugin:
    """In a round's process: writes what it selected, or leaves out what the first part ran."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.skip: set[str] = set()
        path = config.getoption("watch_skip_file", None)
        if path:
            try:
                self.skip = set(json.loads(Path(path).read_text(encoding="utf-8")))
            except (OSError, ValueError):
                self.skip = set()
            select_from_index(config, "watch-round")

    def minitest_index_modifyitems(self, config: Config, tests: list[IndexedTest]) -> None:
        if self.skip:
            tests[:] = [test for test in tests if test.nodeid not in self.skip]

    @index_safe  # deselects exactly what minitest_index_modifyitems removes
    def minitest_collection_modifyitems(self, config: Config, items: list[Item]) -> None:
        if not self.skip:
            return
        dropped = [item for item in items if item.nodeid in self.skip]
        if dropped:
            config.hook.minitest_deselected(items=dropped)
            items[:] = [item for item in items if item.nodeid not in self.skip]

    @hookimpl(wrapper=True)
    def minitest_collection_finish(self, session: Session) -> Generator[None, None, None]:
        yield
        path = self.config.getoption("watch_round", None)
        if path:
            Path(path).write_text(json.dumps([item.nodeid for item in session.items]), encoding="utf-8")


@hookimpl(tryfirst=True)
def minitest_cmdline_main(config: Config) -> int | None:
    if not config.getoption("watch", False):
        return None
    try:
        import watchfiles  # noqa: F401 - fail early, naming the extra
    except ImportError:
        raise UsageError("--watch takes its file events from watchfiles, which is not installed: "
                         "pip install 'minitest[watch]'") from None
    return Watcher(config).run()


class Watcher:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.cwd = config.invocation_params.dir
        self.args = [a for a in map(str, config.invocation_params.args) if a not in _OWN_OPTIONS]
        self.paths = [self.cwd / a.split("::")[0] for a in config.args] or [self.cwd]
        self.paths = [p if p.is_dir() else p.parent for p in self.paths]
        if config.rootpath not in self.paths:
            self.paths.append(config.rootpath)  # source files outside the test folders count too
        self.tty = sys.stdout.isatty()
        self.warm: subprocess.Popen[bytes] | None = None
        self.warm_fd: int | None = None
        self.round = 0

    def _spawn(self) -> None:
        # imported here, not with the module: subprocess (with signal, selectors, locale) is 2.2 ms
        # of CPU at every start-up (measured on top of bench/selection.py's test modules' imports)
        import subprocess

        read, write = os.pipe()
        env = dict(os.environ)
        self.warm = subprocess.Popen([sys.executable, "-c", _WARM, str(read)], cwd=self.cwd, env=env,
                                     pass_fds=(read,))
        os.close(read)
        self.warm_fd = write

    def _run(self, args: list[str]) -> int:
        if self.warm is None:
            self._spawn()
        proc, fd = self.warm, self.warm_fd
        assert proc is not None and fd is not None
        self.warm = self.warm_fd = None
        os.write(fd, json.dumps(args).encode())
        os.close(fd)
        try:
            return proc.wait()
        finally:
            self._spawn()  # the next round's process warms up while this one's output is read

    def _round(self, changes: Any) -> None:
        self.round += 1
        if self.tty:
            sys.stdout.write("\x1b[2J\x1b[H")
        changed = sorted({os.path.relpath(path, self.cwd) for _, path in changes})
        line = f"watch: round {self.round}"
        if changed:
            shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
            line += f", changed: {shown}"
        print(line, flush=True)
        import tempfile

        with tempfile.TemporaryDirectory(prefix="minitest-watch-") as tmp:
            ran = os.path.join(tmp, "ran.json")
            code = self._run(["--affected", "--ff", "--watch-round", ran, *self.args])
            if self.config.getoption("watch_all", False) and code in (0, 5):
                print("watch: the affected tests pass; running the rest", flush=True)
                code = self._run(["--watch-skip-file", ran, *self.args])

    def _shown(self, path: Path) -> str:
        rel = os.path.relpath(path, self.cwd)
        return "." if rel == "." else rel

    def run(self) -> int:
        import watchfiles

        cache_name = Path(str(self.config.getini("cache_dir"))).name
        filter_ = watchfiles.DefaultFilter(ignore_dirs=(*watchfiles.DefaultFilter.ignore_dirs, cache_name))
        try:
            self._round([])
            waiting = False
            # yield_on_timeout: an empty set once the notifier is set up and after each quiet
            # spell, so "waiting" is printed when saving a file is sure to start a round
            for changes in watchfiles.watch(*self.paths, watch_filter=filter_, debounce=300, step=50,
                                            rust_timeout=300, yield_on_timeout=True, raise_interrupt=True):
                if not changes:
                    if not waiting:
                        print(f"watch: waiting for changes in {', '.join(self._shown(p) for p in self.paths)} "
                              "(Ctrl-C to stop)", flush=True)
                        waiting = True
                    continue
                waiting = False
                self._round(changes)
        except KeyboardInterrupt:
            pass
        finally:
            self._stop()
        print("\nwatch: stopped", flush=True)
        return 0

    def _stop(self) -> None:
        if self.warm_fd is not None:
            os.close(self.warm_fd)  # the waiting process reads nothing and exits
            self.warm_fd = None
        if self.warm is not None:
            import subprocess  # imported by _spawn already

            try:
                self.warm.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.warm.kill()
            self.warm = None
