"""``--show-config``: every setting in effect, the layer that set it and the plugin that declared it.

The data is the kernel's (:mod:`minitest.settings_api`); this plugin only renders it, as text or
(``--show-config=json``) as JSON, and ends the run before anything is collected, like ``--markers``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from minitest import hookimpl
from minitest.config import Config, Parser
from minitest.layers import display_path

if TYPE_CHECKING:
    # only --show-config needs them (json and the report's dataclasses cost ~3 ms to import)
    from minitest.settings_api import ConfigReport, JsonValue, Setting


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("debugconfig", "debugging and configuration info")
    group.addoption("--show-config", action="store", nargs="?", const="text", default=None,
                    choices=("text", "json"), dest="show_config", metavar="FORMAT",
                    help="show every option and ini key set (with -v: all of them), with the layer that set "
                         "it and the plugin that declared it, and exit; --show-config=json for tools")


@hookimpl(tryfirst=True)
def minitest_cmdline_main(config: Config) -> int | None:
    form = config.getoption("show_config", None)
    if not form:
        return None
    from minitest.settings_api import build_report

    report = build_report(config)
    if form == "json":
        import json

        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        sys.stdout.write(render_text(report, verbose=config.get_verbosity() > 0))
    return 0


def _value(value: JsonValue) -> str:
    return value if isinstance(value, str) else repr(value)


def render_text(report: ConfigReport, verbose: bool = False) -> str:
    """The ``--show-config`` listing of ``report`` (every setting with ``verbose``)."""
    base = Path(report.invocation_dir)
    lines = []
    if report.config_file is None:
        lines.append(f"config file: none (rootdir: {report.rootdir})")
    else:
        flavour = " (a pytest config)" if report.flavour != "minitest" else ""
        lines.append(f"config file: {display_path(report.config_file, base)}{flavour} (rootdir: {report.rootdir})")
    for ignored in report.ignored_config_files:
        lines.append(f"  ignored: {display_path(ignored, base)} (also holds {report.flavour} config; "
                     "the file above wins)")
    order = ["default", *(layer.describe(base) for layer in report.layers)]
    lines.append("layers, a later one wins: " + ", ".join(order))
    lines.append("  (ini keys: -o NAME=VALUE, from any layer, wins over the config file)")
    for kind, title in (("option", "options"), ("ini", "ini keys")):
        chosen = [s for s in report.settings if s.kind == kind and (verbose or s.is_set)]
        lines += ["", f"{title} {'(all)' if verbose else 'set (-v: all)'}:"]
        if not chosen:
            lines.append("  (none)")
        for setting in chosen:
            lines += _setting_lines(setting, base)
    return "\n".join(lines) + "\n"


def _setting_lines(setting: Setting, base: Path) -> list[str]:
    joiner = " = " if setting.kind == "ini" else "=" if setting.name.startswith("--") else " "
    head = f"  {setting.name}{joiner}{_value(setting.value)}"
    declared = setting.declared_by
    by = declared.plugin if declared.plugin == "kernel" else f"{declared.plugin}, from {declared.origin}"
    if not setting.is_set:
        return [f"{head}    (default; declared by {declared.plugin})"]
    lines = [head]
    if setting.accumulates:
        parts = [f"{step.layer.describe(base)} ({_value(step.value)})" for step in setting.steps]
        lines.append(f"      from: {', '.join(parts)}")
    else:
        lines.append(f"      from: {setting.layer.describe(base)}")
        for step in setting.overridden:
            lines.append(f"      overrode: {_value(step.value)} from {step.layer.describe(base)}")
        lines.append(f"      default: {_value(setting.default)}")
    lines.append(f"      declared by: {by}")
    return lines
