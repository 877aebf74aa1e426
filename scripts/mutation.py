"""Mutation-test one module of minitest with cosmic-ray, against the tests that cover it.

    pip install -e ".[mutation]"                      # cosmic-ray (see pyproject.toml)
    python scripts/mutation.py minitest/config.py     # default test selection for that module
    python scripts/mutation.py builtin_plugins/skipping.py --tests tests/test_skipping.py
    python scripts/mutation.py minitest/config.py --resume   # go on after an interruption
    python scripts/mutation.py minitest/config.py --report   # print the last session's result again
    python scripts/mutation.py minitest/config.py --retest-survivors --tests tests/test_new.py
                                                      # after adding tests: are the survivors killed now?

Why cosmic-ray: it applies each mutant to the source file *in place* and runs the test command,
then restores the file. minitest's tests mostly run the ``minitest`` console script in a
subprocess from the editable install, so the subprocess imports the mutated file just as the test
process does. (mutmut 3 instead runs the tests from a copied ``mutants/`` tree through
trampolines, which such a subprocess never imports: every mutant would "survive".)

What makes it fit on a shared 2-core machine (minutes per module, not hours):

* the tests are only those that cover the module (``DEFAULT_TESTS`` below, or ``--tests``), run by
  pytest with ``-x`` so a killed mutant costs one failing test, not the whole selection; and in
  stages: quick tests for every mutant, the bigger files only for the survivors of the stage before;
* each mutant gets a timeout derived from a measured baseline run (a mutant that loops forever
  counts as killed, as in cosmic-ray);
* a reduced operator set: for each mutated site the mutant that flips its meaning (``==``/``!=``,
  ``<``/``<=``, ``and``/``or``, ``+``/``-``, ``|``/``&``, ...) instead of every operator of the same
  arity, most of which only raise ``TypeError`` on the same line (``--all-operators`` keeps them);
* no mutants inside type annotations: the modules use ``from __future__ import annotations``, so an
  annotation is never evaluated and a mutant there cannot change behaviour;
* everything runs under ``nice -n 10``.

The session (a cosmic-ray SQLite file) is kept in ``.mutation/`` so ``--resume`` and ``--report``
work on it. The module file is checked against a backup afterwards: if an interrupted run left a
mutant in place, the original is put back. docs/mutation-testing.md is the how-to;
tests/MUTATION.md records each module's result and what was done about each survivor.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

REPO = Path(__file__).resolve().parents[1]
SESSIONS = REPO / ".mutation"

# Per module (path relative to the repository): the tests that exercise it, in stages. Every mutant
# runs the first stage, a few quick tests through the module's main paths; only the survivors run
# the next stage, and so on (with pytest -x, a killed mutant costs little; a survivor costs the
# whole selection, so the big files only run for the few mutants that need them). A stage is a
# list of test files or node ids.
KP, KC, KR = "tests/test_kernel_plugins.py", "tests/test_kernel_config.py", "tests/test_kernel_running.py"
TD, TF, TS, TR = ("tests/test_dist.py", "tests/test_dist_fork.py", "tests/test_parallel_like_serial.py",
                  "tests/test_remote_workers.py")
TO = "tests/test_terminal_output.py"
DEFAULT_TESTS: dict[str, list[list[str]]] = {
    "minitest/pluginmanager.py": [
        ["tests/test_kernel_plugin_manager.py", "tests/test_kernel_plugin_registration.py",  # in process: a second per mutant
         f"{KP}::test_hook_sequence_of_a_run_matches_pytest", f"{KP}::test_specname_and_tryfirst",
         f"{KP}::test_conftest_hooks_apply_to_their_own_directory_only",
         f"{KP}::test_dash_p_loads_module_from_sys_path", f"{KP}::test_historic_hooks_reach_a_late_conftest",
         f"{KP}::test_misspelled_hook_is_usage_error_naming_plugin_and_hook",
         f"{KP}::test_minitest_plugins_env", f"{KP}::test_plugins_ini_key",
         f"{KP}::test_minitest_plugins_variable_in_conftest", f"{KP}::test_dash_p_unknown_module_is_usage_error",
         f"{KP}::test_blocking_a_plugin_given_with_p", "tests/test_entrypoint_scan.py",
         "tests/test_kernel_plugin_loading.py"],
        [KP],
        ["tests/test_pluggy_public.py", "tests/test_kernel_entrypoints.py", "tests/test_hook_deprecation.py",
         "tests/test_pytest_plugin_loading.py", "tests/test_plugins_listing.py"],
    ],
    "minitest/config.py": [
        ["tests/test_kernel_config_values.py", "tests/test_kernel_option_parsing.py",  # in process: seconds
         "tests/test_kernel_config_object.py", "tests/test_kernel_bootstrap.py",
         "tests/test_records.py::test_records_behave_as_the_dataclasses_they_replaced"],
        [f"{KC}::test_minitest_ini", f"{KC}::test_addopts_are_applied_before_command_line",
         f"{KC}::test_ini_values_reach_plugins_through_getini", f"{KC}::test_override_ini_option",
         f"{KC}::test_config_file_precedence_in_one_directory",
         f"{KC}::test_unknown_config_keys_warn_and_strict_config_refuses_them", f"{KC}::test_tox_ini_testpaths",
         f"{KC}::test_lines_added_early_outlive_the_final_parse"],
        [KC, f"{KP}::test_conftest_adds_option_used_on_command_line", f"{KP}::test_conftest_option_default_and_help",
         f"{KP}::test_dash_p_loads_module_from_sys_path", f"{KP}::test_blocking_a_plugin_given_with_p"],
        ["tests/test_pytest_config_gaps.py", "tests/test_show_config.py"],
    ],
    "builtin_plugins/runner.py": [
        # in process first (a second for all of it), the skip locations, then quick runs through the loop
        ["tests/test_runner_setup_state.py", "tests/test_runner_reports.py", f"{KR}::test_failures_exit_1", f"{KR}::test_maxfail",
         f"{KR}::test_collection_errors_interrupt_the_session", f"{KR}::test_exitfirst",
         f"{KR}::test_one_collection_error_is_said_in_the_singular"],
        # where the runner's parts show: set-up errors of a module / class, scoped fixtures across
        # tests, reruns of one item, skip locations, groups of skips
        ["tests/test_unittest_plugin.py::test_module_setup_error_errors_every_test_of_the_module",
         "tests/test_unittest_plugin.py::test_class_setup_and_teardown_errors_match_pytest",
         "tests/test_unittest_plugin.py::test_outcomes_and_skip_locations_match_pytest",
         "tests/test_skipping.py::test_short_summary_skip_xfail_xpass_lines_match_pytest",
         "tests/test_pytest_compat.py::test_outcomes_are_pytests_outcome_classes",
         "tests/test_fixtures.py::test_suite_matches_pytest",
         "tests/test_reruns.py::test_junit_keeps_every_attempt_in_one_testcase"],
        [KR, "tests/test_skipping.py"],
    ],
    "builtin_plugins/skipping.py": [
        ["tests/test_skipping.py"],
    ],
    # the fixtures plugin: the edge cases first (they kill most mutants in seconds), then the dual
    # suite and the contract, then the staticmethod/classmethod warning of pytest 9.2
    **{f"builtin_plugins/fixtures{part}": [
        ["tests/test_fixture_edges.py"],
        ["tests/test_fixtures.py", "tests/test_fixture_contract.py", "tests/test_builtin_fixtures.py",
         "tests/test_parametrize.py::test_indirect_parametrization",
         "tests/test_parametrize.py::test_higher_scoped_params_grouped_by_value",
         "tests/test_parametrize.py::test_metafunc_parametrize_from_conftest_hook"],
        ["tests/test_pytest92_parity.py::test_staticmethod_or_classmethod_above_fixture_warns",
         "tests/test_fixture_show.py"],
    ] for part in ("", "/registry.py", "/request.py", "/ordering.py", "/defs.py")},
    # directly parametrized arguments set up as fixtures: the --setup-* lines and scopes compared
    # with pytest, then the fixtures' own tests
    "builtin_plugins/fixtures/direct.py": [
        ["tests/test_fixture_show.py::test_setup_lines_of_direct_parameters_match_pytest",
         "tests/test_fixture_show.py::test_a_module_scoped_direct_parameter_is_one_setup_per_value",
         "tests/test_fixture_show.py::test_a_wider_fixture_asking_for_a_function_scoped_direct_parameter",
         "tests/test_fixtures.py::test_a_cached_fixture_is_set_up_again_when_what_it_uses_changes_parameter"],
        ["tests/test_fixtures.py", "tests/test_parametrize.py"],
    ],
    # per-run fixtures: runs with forked workers, set up once in the controller
    "builtin_plugins/fixtures/per_run.py": [["tests/test_per_run_fixture.py"]],
    # xunit setup/teardown functions: the dual suite (setup_module ... teardown_method, compared with
    # pytest), unittest's setUpModule, a failing setup_function; then the whole files
    "builtin_plugins/fixtures/xunit.py": [
        ["tests/test_xunit_setup.py", "tests/test_fixture_show.py", "tests/test_fixtures.py::test_suite_matches_pytest",
         "tests/test_unittest_plugin.py::test_module_and_class_hooks_run_in_pytest_order",
         "tests/test_unittest_plugin.py::test_module_setup_error_errors_every_test_of_the_module",
         "tests/test_kernel_terminal.py::test_final_line_words_warnings_and_errors_by_their_count"],
        ["tests/test_fixtures.py", "tests/test_unittest_plugin.py", "tests/test_fixture_edges.py"],
    ],
    # what the fixtures plugin prints: --setup-show / --setup-only / --fixtures / --fixtures-per-test
    "builtin_plugins/fixtures/show.py": [
        ["tests/test_fixture_show.py", "tests/test_fixtures.py::test_setup_show_hooks_dynamic_scope_and_name",
         "tests/test_fixtures.py::test_fixtures_listing",
         "tests/test_pytest92_parity.py::test_setup_show_lines_match_pytest",
         "tests/test_fixture_contract.py::test_a_plugins_own_items_get_fixtures_through_the_manager"],
        ["tests/test_terminal_contracts.py::test_callers_behave_without_the_terminal",
         "tests/test_parallel_plugin_hooks.py::test_listing_fixtures_with_workers_lists_them",
         "tests/test_pytest_config_gaps.py::test_setup_plan", f"{TO}::test_whole_output_matches_pytest[mixed-setup-show]",
         f"{TO}::test_whole_output_matches_pytest[mixed-setup-show-v]", "tests/test_fixtures.py"],
    ],
    # the plugin's hooks: the options, the listings and --setup-* first, then the edge cases and the rest
    "builtin_plugins/fixtures/__init__.py": [
        ["tests/test_fixture_plugin_hooks.py", "tests/test_fixture_show.py", "tests/test_fixtures.py::test_setup_show_hooks_dynamic_scope_and_name",
         "tests/test_fixtures.py::test_fixtures_listing", "tests/test_pytest_config_gaps.py::test_setup_plan",
         "tests/test_fixtures.py::test_suite_matches_pytest"],
        ["tests/test_fixture_edges.py", "tests/test_per_run_fixture.py", "tests/test_fixture_contract.py"],
        ["tests/test_fixtures.py", "tests/test_pytest92_parity.py::test_setup_show_lines_match_pytest",
         "tests/test_parallel_plugin_hooks.py::test_listing_fixtures_with_workers_lists_them",
         "tests/test_terminal_contracts.py::test_callers_behave_without_the_terminal",
         "tests/test_parametrize.py::test_indirect_parametrization",
         "tests/test_parametrize.py::test_metafunc_parametrize_from_conftest_hook",
         # the reordering hook is index-safe: --lf imports only the failing file
         "tests/test_collection_index.py::test_lf_on_an_unchanged_tree_imports_only_the_failing_file"],
    ],
    "builtin_plugins/cache.py": [
        ["tests/test_cache_edges.py", "tests/test_cache_options.py"],
        ["tests/test_cache.py", "tests/test_collection_index.py::test_lf_on_an_unchanged_tree_imports_only_the_failing_file"],
    ],
    # the final line and short summary are compared with pytest byte for byte (test_terminal_lines)
    **{f"builtin_plugins/terminal{part}": [
        ["tests/test_terminal_lines.py"],
        ["tests/test_kernel_terminal.py", "tests/test_terminal_parts.py", "tests/test_terminal_contracts.py"],
    ] for part in ("", "/final_line.py", "/short_summary.py", "/statistics.py")},
    # the other parts: whole runs compared with pytest 9.2 line for line (tests/test_terminal_output.py;
    # MUTATION_REFERENCE_CACHE=DIR keeps pytest's answers between mutants): first the cases where
    # the part shows most, then the whole file and the tests that killed the first runs' survivors
    **{f"builtin_plugins/terminal/{part}.py": [
        [f"{TO}::test_whole_output_matches_pytest[{case}]" for case in cases] + extra,
        [TO, "tests/test_terminal_parts.py", "tests/test_kernel_terminal.py", "tests/test_terminal_lines.py"],
    ] for part, cases, extra in (
        ("reporter", ["mixed", "mixed-q", "plugin", "relog", "nested", "max-warnings-exceeded-color", "nothing-q"],
         ["tests/test_terminal_parts.py", "tests/test_slow.py::test_progress_line_goes_on_below_the_slow_line"]),
        ("progress", ["mixed", "mixed-v", "mixed-q", "mixed-s-v", "mixed-setup-show-v", "reasons-v", "reasons-vv",
                      "files", "many", "many-color", "mixed-x", "files-qq"], []),
        ("failures", ["mixed", "mixed-rA", "mixed-tb-short", "mixed-tb-no", "mixed-setup-show", "broken"],
         [f"{TO}::test_the_error_lines_of_tracebacks_are_coloured_as_pytest",
          f"{TO}::test_tb_line_output_matches_pytest"]),
        ("collected", ["mixed", "mixed-q", "files-k", "broken", "broken-continue", "broken-q", "nothing", "testpaths",
                       "relog", "header"],
         [f"{TO}::test_collect_only_output_matches_pytest", f"{TO}::test_collection_on_a_terminal_is_said_as_pytest_says_it"]),
        ("header", ["mixed", "mixed-v", "mixed-q", "mixed-no-header-no-summary", "mixed-color", "testpaths",
                    "config-outside-rootdir", "header", "header-v"],
         ["tests/test_show_config.py::test_competing_config_files_are_both_named"]),
        ("stop_reasons", ["mixed-x", "mixed-maxfail-q", "interrupted", "interrupted-q", "exited", "exited-3",
                          "broken", "stopped", "late-stop-color", "stopped-color", "mixed-x-color", "interrupted-color", "exited-color",
                          "broken-color"],
         [f"{TO}::test_what_plugins_say_about_a_stop_follows_the_stop_line_in_red",
          f"{TO}::test_an_internal_error_is_written_on_the_report_stream_only",
          "tests/test_repeat.py::test_exitfirst_stops_at_the_failing_attempt_and_names_it"]),
        ("text", ["mixed", "mixed-v", "files", "mixed-rA"], []),
        ("__init__", ["mixed", "mixed-v", "mixed-q", "mixed-color", "files-qq", "plugin-q"],
         ["tests/test_kernel_terminal.py::test_terminal_plugin_can_be_blocked",
          "tests/test_kernel_terminal.py::test_help_lists_groups_and_options",
          f"{TO}::test_output_of_a_dying_run_and_in_another_encoding_matches_pytest",
          "tests/test_terminal_parts.py::test_a_conftest_replaces_the_short_summary",
          "tests/test_slow.py::test_progress_line_goes_on_below_the_slow_line", "tests/test_durations.py"]),
    )},
    # the writer: in process first (flush timing on a fake clock, failing streams: a second per
    # mutant), then whole runs compared with pytest where its colour, width and wrapping show
    "builtin_plugins/terminal/writer.py": [
        ["tests/test_terminal_writer.py"],
        [f"{TO}::test_whole_output_matches_pytest[{case}]" for case in ("mixed", "mixed-color", "files-v-color", "many-color")]
        + [f"{TO}::test_wide_characters_take_two_columns_as_in_pytest",
           f"{TO}::test_whole_output_at_other_widths_matches_pytest", f"{TO}::test_colour_asked_by_the_environment_matches_pytest",
           f"{TO}::test_output_of_a_dying_run_and_in_another_encoding_matches_pytest",
           "tests/test_kernel_terminal.py::test_color", "tests/test_slow.py::test_progress_line_goes_on_below_the_slow_line"],
        [TO, "tests/test_terminal_parts.py", "tests/test_kernel_terminal.py", "tests/test_terminal_lines.py"],
    ],
    # the work queue is unit-tested in process; the end-to-end runs only for what survives that
    "builtin_plugins/parallel/scheduling.py": [["tests/test_scheduling.py"], ["tests/test_dist.py", "tests/test_dist_fork.py"]],
    "builtin_plugins/parallel": [["tests/test_scheduling.py"], ["tests/test_dist.py", "tests/test_dist_fork.py"]],
    # the rest of the parallel plugin (issue 23, branch mutP): in-process unit tests of each module's
    # functions first (seconds per mutant), then the end-to-end runs that start workers, the quickest
    # of them first (popen / forked workers; the loopback sshd of tests/sshd.py last)
    "builtin_plugins/parallel/options.py": [
        ["tests/test_parallel_options.py"],
        [f"{TD}::test_max_worker_restart_counts_replacements_exactly", f"{TD}::test_no_distribution_cases",
         "tests/test_dist_fork.py::test_auto_runs_a_small_suite_in_this_process"],
    ],
    "builtin_plugins/parallel/output.py": [
        ["tests/test_parallel_output.py"],
        [f"{TS}::test_print_output_of_workers_reaches_the_terminal",
         f"{TF}::test_each_forked_worker_captures_its_own_output"],
    ],
    "builtin_plugins/parallel/starting.py": [["tests/test_parallel_starting.py"], [TR]],
    "builtin_plugins/parallel/shipping.py": [
        ["tests/test_parallel_shipping.py"],
        [f"{TR}::test_rsyncdir_into_the_projects_own_parent_runs_the_project",
         f"{TD}::test_rsyncdir_ships_the_tests_to_the_worker_directory",
         f"{TR}::test_ssh_worker_gets_the_sources_only_and_reports_like_a_local_run"],
    ],
    **{f"builtin_plugins/parallel/{name}.py": [
        ["tests/test_parallel_handles.py"],
        [f"{TD}::test_worker_crash_is_reported_and_the_run_completes",
         f"{TR}::test_ssh_worker_gets_the_sources_only_and_reports_like_a_local_run",
         f"{TR}::test_a_worker_that_cannot_start_says_why"],
    ] for name in ("handles", "pathmap")},
    "builtin_plugins/parallel/workers.py": [
        ["tests/test_parallel_workers.py"],
        [f"{TR}::test_rsyncdir_into_the_projects_own_parent_runs_the_project",
         f"{TD}::test_rsyncdir_ships_the_tests_to_the_worker_directory", f"{TD}::test_bad_worker_specs_and_collections"],
    ],
    "builtin_plugins/parallel/forking.py": [
        ["tests/test_parallel_forking.py", f"{TF}::test_scheduler_longest_first_and_batch_sizes"],
        [TF],
    ],
    "builtin_plugins/parallel/forkguard.py": [
        ["tests/test_parallel_forkguard.py"],
        [f"{TS}::test_a_forked_child_that_falls_through_ends_and_fails_its_test"],
    ],
    "builtin_plugins/parallel/forked_run.py": [
        ["tests/test_parallel_forked_run.py", f"{TF}::test_auto_runs_a_small_suite_in_this_process",
         f"{TF}::test_plugins_that_need_spawned_workers_keep_them",
         f"{TF}::test_same_outcomes_serial_forked_spawned_and_auto"],
        [TF, TD],
    ],
    "builtin_plugins/parallel/remote.py": [
        ["tests/test_parallel_remote.py"],
        [f"{TD}::test_same_outcomes_with_and_without_workers",
         f"{TR}::test_rsyncdir_into_the_projects_own_parent_runs_the_project"],
    ],
    "builtin_plugins/parallel/__init__.py": [
        ["tests/test_parallel_plugin_hooks.py"],
        [f"{TD}::test_no_distribution_cases", f"{TS}::test_verbose_names_the_worker_and_the_header_the_distribution",
         "tests/test_debugging.py::test_debugging_with_workers_that_are_not_forked_is_a_usage_error",
         f"{TD}::test_xdist_hooks_for_other_plugins"],
    ],
    # the execnet controller: only runs with --tx or spawned -n workers (the quickest of those first;
    # test_parallel_spawned.py was written for this module's survivors)
    "builtin_plugins/parallel/controller.py": [
        [f"{TR}::test_rsyncdir_into_the_projects_own_parent_runs_the_project",
         f"{TR}::test_a_replacement_that_cannot_start_leaves_the_rest_to_the_other_worker",
         f"{TD}::test_rsyncdir_ships_the_tests_to_the_worker_directory",
         f"{TR}::test_with_no_worker_left_the_tests_not_run_are_counted",
         f"{TD}::test_exitfirst_stops_all_workers[spawned]", "tests/test_parallel_spawned.py"],
        [f"{TD}::test_bad_worker_specs_and_collections", f"{TD}::test_xdist_hooks_for_other_plugins",
         f"{TF}::test_plugins_that_need_spawned_workers_keep_them"],
        [TR, TS, TD],
    ],
    # what a forked worker sends and how: in process first, then forked runs
    **{f"builtin_plugins/parallel/{name}": [
        ["tests/test_parallel_transport.py"],
        ["tests/test_dist_fork.py", "tests/test_parallel_like_serial.py"],
    ] for name in ("serialize.py", "frames.py", "runuid.py")},
    # the worker's plugin and the controller's shared part (issue 23, branch mutK): their in-process
    # unit tests and quick runs on forked workers (the run loop, -x / crash / fixture death) and on
    # spawned ones (run_worker, collection) first; then the test files that start workers
    "builtin_plugins/parallel/worker.py": [
        ["tests/test_parallel_worker.py", f"{TD}::test_exitfirst_stops_all_workers[forked]", f"{TF}::test_a_worker_dying_in_a_fixture_is_blamed_on_its_test",
         f"{TS}::test_exitfirst_interrupts_the_test_running_on_the_other_worker",
         f"{TD}::test_exitfirst_stops_all_workers[spawned]",
         "tests/test_parallel_spawned.py::test_the_lines_of_one_spawned_worker_and_of_two",
         f"{TS}::test_verbose_names_the_worker_and_the_header_the_distribution"],
        [f"{TD}::test_xdist_hooks_for_other_plugins", "tests/test_parallel_spawned.py", TD],
        [TF, TS],
    ],
    "builtin_plugins/parallel/controller_core.py": [
        ["tests/test_parallel_controller_core.py", f"{TD}::test_worker_crash_is_reported_and_the_run_completes",
         f"{TD}::test_max_worker_restart_counts_replacements_exactly", f"{TD}::test_exitfirst_stops_all_workers[forked]",
         f"{TF}::test_a_worker_dying_in_a_fixture_is_blamed_on_its_test",
         f"{TS}::test_verbose_names_the_worker_and_the_header_the_distribution",
         f"{TS}::test_exitfirst_interrupts_the_test_running_on_the_other_worker"],
        ["tests/test_parallel_worker.py::test_a_workers_session_is_told_it_is_a_worker",  # --basetemp
         TD, "tests/test_parallel_spawned.py",
         f"{TR}::test_with_no_worker_left_the_tests_not_run_are_counted",
         f"{TR}::test_a_replacement_that_cannot_start_leaves_the_rest_to_the_other_worker"],
        [TF, TS],
    ],
    # the forked workers' controller and child: in process (their parts; the child's private
    # temporary files), then quick forked runs, then the forked files, the debugger's terminal lease and per-run fixtures
    "builtin_plugins/parallel/forked.py": [
        ["tests/test_parallel_forked.py",
         "tests/test_parallel_transport.py::test_a_worker_leaves_inherited_files_it_may_not_replace",
         f"{TF}::test_a_worker_dying_in_a_fixture_is_blamed_on_its_test", f"{TD}::test_exitfirst_stops_all_workers[forked]",
         f"{TD}::test_worker_crash_is_reported_and_the_run_completes",
         f"{TS}::test_verbose_names_the_worker_and_the_header_the_distribution",
         f"{TS}::test_exitfirst_interrupts_the_test_running_on_the_other_worker",
         f"{TF}::test_each_forked_worker_captures_its_own_output"],
        ["tests/test_parallel_worker.py::test_a_workers_session_is_told_it_is_a_worker[forked]", TF, TS, TD],
        ["tests/test_debugging.py::test_pdb_from_a_worker_post_mortem_then_continue",
         "tests/test_debugging.py::test_pdb_quit_in_a_worker_stops_the_whole_run",
         "tests/test_debugging.py::test_breakpoints_in_two_workers_take_turns_at_the_terminal",
         "tests/test_per_run_fixture.py"],
    ],
}

# Modules too big to mutate whole on two shared cores within minutes: by default only these
# functions / methods / classes (the logic the module exists for) are mutated; --whole-module or
# --only NAME... to choose otherwise. tests/MUTATION.md says which part each result covers.
DEFAULT_ONLY: dict[str, list[str]] = {
    # hook implementations, registration, blocking; loading plugins (-p, MINITEST_PLUGINS /
    # pytest_plugins, installed entry points) and conftest.py files (the rest of the module was run
    # with --only its other definitions: tests/MUTATION.md names them)
    "minitest/pluginmanager.py": [
        "MinitestPluginManager.parse_hookimpl_opts", "MinitestPluginManager.register", "_plainly_not_a_hook",
        "MinitestPluginManager.block", "MinitestPluginManager.is_blocked",
        "MinitestPluginManager.import_plugin", "MinitestPluginManager._load_named_entry_point",
        "MinitestPluginManager.load_entrypoint_plugins", "MinitestPluginManager.consider_module",
        "MinitestPluginManager._skip_pytest_builtin", "MinitestPluginManager.load_conftests_up_to",
        "MinitestPluginManager.load_conftest", "MinitestPluginManager._import_conftest",
        "plugins_from_env", "autoload_disabled",
    ],
    # (minitest/config.py is no longer limited: its first stage runs in process, a few seconds a
    # mutant; its parts, run one by one, took 3 to 5 minutes each)
}

PYTEST_ARGS = ["-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"]

# The reduced operator set (cosmic-ray operator names without the "core/" prefix): each one turns
# the site into code that means something else, rather than into a TypeError on the same line.
KEPT_BINARY = {
    "Add_Sub", "Sub_Add", "Mul_Div", "Div_Mul", "FloorDiv_Div", "Mod_FloorDiv", "Pow_Mul",
    "BitOr_BitAnd", "BitAnd_BitOr", "BitXor_BitOr", "LShift_RShift", "RShift_LShift",
}
KEPT_COMPARISON = {
    "Eq_NotEq", "NotEq_Eq", "Is_IsNot", "IsNot_Is",
    # boundaries: the neighbour and the opposite
    "Lt_LtE", "Lt_GtE", "LtE_Lt", "LtE_Gt", "Gt_GtE", "Gt_LtE", "GtE_Gt", "GtE_Lt",
}


def operator_kept(name: str) -> bool:
    """True when the operator belongs to the reduced set (see the module docstring)."""
    short = name.rsplit("/", 1)[-1]
    if short.startswith("ReplaceBinaryOperator_"):
        return short.removeprefix("ReplaceBinaryOperator_") in KEPT_BINARY
    if short.startswith("ReplaceComparisonOperator_"):
        return short.removeprefix("ReplaceComparisonOperator_") in KEPT_COMPARISON
    return True


Span = tuple[tuple[int, int], tuple[int, int]]


def annotation_spans(source: str) -> list[Span]:
    """The (start, end) positions, as (line, column), of every annotation in the source."""
    spans: list[Span] = []

    def add(node: ast.expr | None) -> None:
        if node is not None and node.end_lineno is not None and node.end_col_offset is not None:
            spans.append(((node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset)))

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            add(node.returns)
            args = node.args
            for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
                if arg is not None:
                    add(arg.annotation)
        elif isinstance(node, ast.AnnAssign):
            add(node.annotation)
    return spans


def definition_spans(source: str) -> dict[str, tuple[int, int]]:
    """{"Class.method" / "function" / "Class": (first line with decorators, last line)}."""
    spans: dict[str, tuple[int, int]] = {}

    def walk(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                spans[prefix + node.name] = (first, node.end_lineno or node.lineno)
                if isinstance(node, ast.ClassDef):
                    walk(node.body, prefix + node.name + ".")

    walk(ast.parse(source).body, "")
    return spans


def inside(span: Span, spans: list[Span]) -> bool:
    start, end = span
    return any(s <= start and end <= e for s, e in spans)


@dataclass
class Outcome:
    job_id: str
    path: str
    line: int
    operator: str
    status: str  # killed, survived, incompetent, skipped, pending
    diff: str


def session_file(module: str) -> Path:
    return SESSIONS / (re.sub(r"[^A-Za-z0-9]+", "_", module.strip("/")) + ".sqlite")


def config_file(module: str) -> Path:
    return session_file(module).with_suffix(".toml")


def module_files(module: Path) -> list[Path]:
    return sorted(module.rglob("*.py")) if module.is_dir() else [module]


def fingerprint(paths: list[Path]) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def write_config(module: str, test_command: str, timeout: float) -> Path:
    path = config_file(module)
    path.write_text(
        "[cosmic-ray]\n"
        f"module-path = {module!r}\n"
        f"timeout = {timeout:.1f}\n"
        "excluded-modules = []\n"
        f"test-command = {test_command!r}\n"
        "\n[cosmic-ray.distributor]\n"
        'name = "local"\n'
    )
    return path


def run_cosmic_ray(*args: str) -> None:
    """Run a cosmic-ray subcommand from the repository root; fail loudly if it fails."""
    exe = Path(sys.executable).with_name("cosmic-ray")
    cmd = [str(exe) if exe.exists() else "cosmic-ray", *args]
    proc = subprocess.run(cmd, cwd=REPO)
    if proc.returncode != 0:
        sys.exit(f"mutation: {' '.join(cmd)} failed with exit code {proc.returncode}")


def skip_out_of_scope(session: Path, all_operators: bool, only: list[str] | None) -> dict[str, int]:
    """Mark as skipped the mutants outside the reduced operator set, those in annotations and,
    with ``only``, those outside the named definitions.

    This is what cosmic-ray's own cr-filter-* tools do: a skipped work item is never executed.
    Returns how many were skipped for each reason.
    """
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    annotations: dict[str, list[Span]] = {}
    chosen: dict[str, list[tuple[int, int]]] = {}
    skipped = {"operator outside the reduced set": 0, "inside a type annotation": 0,
               "outside the chosen definitions": 0}
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item in list(db.pending_work_items):
            reason = None
            for mutation in item.mutations:
                key = str(mutation.module_path)
                if key not in annotations:
                    source = (REPO / key).read_text()
                    annotations[key] = annotation_spans(source)
                    definitions = definition_spans(source)
                    unknown = sorted(set(only or ()) - set(definitions))
                    if unknown:
                        sys.exit(f"mutation: no such definition in {key}: {', '.join(unknown)}")
                    chosen[key] = [definitions[name] for name in only or ()]
                line = mutation.start_pos[0]
                if not all_operators and not operator_kept(mutation.operator_name):
                    reason = "operator outside the reduced set"
                elif inside((tuple(mutation.start_pos), tuple(mutation.end_pos)), annotations[key]):
                    reason = "inside a type annotation"
                elif only and not any(first <= line <= last for first, last in chosen[key]):
                    reason = "outside the chosen definitions"
            if reason:
                skipped[reason] += 1
                db.set_result(item.job_id, WorkResult(output=reason, worker_outcome=WorkerOutcome.SKIPPED))
    return skipped


def retest_file(session: Path) -> Path:
    """The session of ``--retest-survivors``: its results override the main session's."""
    return session.with_suffix(".retest.sqlite")


def scope_file(session: Path) -> Path:
    """The definitions a session is limited to (--only), as JSON: read by --report and --retest."""
    return session.with_suffix(".only.json")


def in_scope(session: Path) -> Callable[[str, int], bool]:
    """(path, line) → whether a mutant there is within the session's --only definitions."""
    names = json.loads(scope_file(session).read_text()) if scope_file(session).exists() else None
    if not names:
        return lambda path, line: True
    spans: dict[str, list[tuple[int, int]]] = {}

    def check(path: str, line: int) -> bool:
        if path not in spans:
            definitions = definition_spans((REPO / path).read_text())
            spans[path] = [definitions[name] for name in names if name in definitions]
        return any(first <= line <= last for first, last in spans[path])

    return check


def outcomes(session: Path) -> Iterator[Outcome]:
    from cosmic_ray.work_db import WorkDB, use_db

    chosen = in_scope(session)

    with use_db(str(session), WorkDB.Mode.open) as db:
        results = dict(db.results)
        items = list(db.work_items)
    if retest_file(session).exists():
        with use_db(str(retest_file(session)), WorkDB.Mode.open) as db:
            results.update(db.results)
    for item in items:
        mutation = item.mutations[0]
        result = results.get(item.job_id)
        if result is None:
            status = "pending"
        elif result.worker_outcome == "skipped" or not chosen(str(mutation.module_path), mutation.start_pos[0]):
            status = "skipped"
        else:
            status = str(result.test_outcome.value if result.test_outcome else "incompetent")
        yield Outcome(item.job_id, str(mutation.module_path), mutation.start_pos[0],
                      mutation.operator_name.rsplit("/", 1)[-1], status,
                      (result.diff or "") if result else "")


def prepare_retest(session: Path) -> int:
    """A session holding only the survivors, to run again against the current tests (after tests
    were added: a mutant they killed stays killed). Returns how many there are."""
    from cosmic_ray.work_db import WorkDB, use_db

    survivors = {o.job_id for o in outcomes(session) if o.status == "survived"}
    with use_db(str(session), WorkDB.Mode.open) as db:
        items = [item for item in db.work_items if item.job_id in survivors]
    retest = retest_file(session)
    previous = retest.with_suffix(".previous")
    if retest.exists():  # its kills must survive this retest's new session: fold them into one file
        retest.replace(previous)
    with use_db(str(retest), WorkDB.Mode.create) as db:
        db.add_work_items(items)
        if previous.exists():
            with use_db(str(previous), WorkDB.Mode.open) as old:
                for job_id, result in old.results:
                    if job_id not in survivors:
                        db.add_work_item(next(i for i in old.work_items if i.job_id == job_id))
                        db.set_result(job_id, result)
    previous.unlink(missing_ok=True)
    return len(items)


def changed_lines(diff: str, default_line: int) -> tuple[int, str]:
    """(first changed line in the original, '- old / + new') of a mutant's unified diff.

    Blank lines are left out: a removed decorator's mutation starts at the blank lines above it.
    """
    first, old_line, parts = None, default_line, []
    for line in diff.splitlines():
        hunk = re.match(r"@@ -(\d+)", line)
        if hunk:
            old_line = int(hunk.group(1))
        elif line.startswith(("+++", "---")):
            continue
        elif line[:1] in "+-":
            if line[1:].strip():
                first = old_line if first is None else first
                parts.append(f"{line[0]} {line[1:].strip()}")
            if line[0] == "-":
                old_line += 1
        else:
            old_line += 1
    return (default_line if first is None else first), " / ".join(parts)


def report(module: str, session: Path) -> int:
    items = list(outcomes(session))
    count = {s: sum(o.status == s for o in items) for s in
             ("killed", "survived", "incompetent", "skipped", "pending")}
    tested = count["killed"] + count["survived"]
    rate = 100.0 * count["killed"] / tested if tested else 0.0
    print(f"\n== {module}: {len(items)} mutants generated, {count['skipped']} skipped "
          f"(operator set / annotations / outside --only), {tested} tested")
    print(f"killed {count['killed']}, survived {count['survived']}, "
          f"incompetent {count['incompetent']}, pending {count['pending']}")
    print(f"kill rate: {rate:.1f}% ({count['killed']}/{tested})")
    survivors = sorted(((*changed_lines(o.diff, o.line), o) for o in items if o.status == "survived"),
                       key=lambda t: (t[2].path, t[0], t[1]))
    if survivors:
        print("\nsurvivors:")
        for line, change, o in survivors:
            print(f"  {o.path}:{line}: {o.operator}: {change}")
    return 0


def execute(module: str, session: Path) -> None:
    """cosmic-ray exec: run the session's pending mutants with the module's current config."""
    from cosmic_ray.work_db import WorkDB, use_db

    with use_db(str(session), WorkDB.Mode.open) as db:
        pending = db.num_work_items - db.num_results
    print(f"mutation: running {pending} mutants (cosmic-ray exec; Ctrl-C then --resume to go on)", flush=True)
    start = time.monotonic()
    run_cosmic_ray("exec", str(config_file(module)), str(session))
    print(f"mutation: {time.monotonic() - start:.0f}s", flush=True)


def run_tests_once(command: list[str]) -> float:
    """Run the unmutated selection once; return its duration. Exit if it does not pass."""
    start = time.monotonic()
    proc = subprocess.run(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        print(proc.stdout[-4000:])
        sys.exit(f"mutation: the tests fail without any mutant (exit {proc.returncode}); fix them first")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("module", help="file (or package directory) to mutate, relative to the repository")
    parser.add_argument("--tests", nargs="+", metavar="TEST",
                        help="test files or node ids to run against each mutant (default: the module's entry "
                             "in DEFAULT_TESTS)")
    parser.add_argument("--timeout", type=float,
                        help="seconds per mutant (default: 3 x the measured baseline + 15)")
    parser.add_argument("--all-operators", action="store_true",
                        help="every cosmic-ray operator, not the reduced set")
    scope = parser.add_mutually_exclusive_group()
    scope.add_argument("--only", nargs="+", metavar="NAME",
                       help="mutate only these functions / classes / Class.method (default: the module's "
                            "entry in DEFAULT_ONLY, if any)")
    scope.add_argument("--whole-module", action="store_true", help="mutate the whole module (ignore DEFAULT_ONLY)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--resume", action="store_true", help="run the mutants the last session did not reach")
    group.add_argument("--report", action="store_true", help="only print the last session's result")
    parser.add_argument("--from-stage", type=int, default=1, metavar="N",
                        help="with --resume / --retest-survivors: start at stage N of DEFAULT_TESTS (the stages "
                             "before were already run)")
    group.add_argument("--retest-survivors", action="store_true",
                       help="run the last session's survivors again, against the current tests (after adding "
                            "tests; the mutants they kill are then counted as killed)")
    args = parser.parse_args(argv)

    module = args.module.rstrip("/")
    target = REPO / module
    if not target.exists():
        parser.error(f"no such file or directory: {module}")
    session = session_file(module)
    if args.report or args.resume or args.retest_survivors:
        if not session.exists():
            parser.error(f"no session for {module} yet ({session.relative_to(REPO)}): run it without "
                         "--report / --resume / --retest-survivors first")
        if args.report:
            return report(module, session)

    only = None if args.whole_module else (args.only or DEFAULT_ONLY.get(module))
    stages = [args.tests] if args.tests else DEFAULT_TESTS.get(module)
    if not stages:
        parser.error(f"no default tests for {module}: pass --tests (and add it to DEFAULT_TESTS)")
    try:
        import cosmic_ray  # noqa: F401
    except ImportError:
        sys.exit('mutation: cosmic-ray is not installed: pip install -e ".[mutation]"')

    os.nice(10)  # inherited by cosmic-ray and every test process it starts
    SESSIONS.mkdir(exist_ok=True)
    (SESSIONS / ".gitignore").write_text("*\n")
    files = module_files(target)
    original = fingerprint(files)
    backup = {p: p.read_bytes() for p in files}

    def restore(signum: int | None = None, frame: FrameType | None = None) -> None:
        for path, digest in fingerprint(files).items():
            if digest != original[path]:
                path.write_bytes(backup[path])
                print(f"mutation: restored {path.relative_to(REPO)} (a mutant was left in place)", file=sys.stderr)
        if signum is not None:
            sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, restore)
    # started in the background (`... &`), a process inherits SIGINT ignored, and so would every test
    # process, which breaks the tests that interrupt minitest with a real SIGINT. A Python handler
    # here becomes the default disposition in the processes started from this one.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        if args.resume:
            # go on with the session that was interrupted: the retest one if there is one
            execute(module, retest_file(session) if retest_file(session).exists() else session)
        for number, stage in enumerate(stages):
            if number + 1 < args.from_stage:
                continue
            pytest = [sys.executable, "-m", "pytest", *PYTEST_ARGS, *stage]
            print(f"mutation: stage {number + 1} of {len(stages)}, baseline run: {shlex.join(pytest[1:])}",
                  flush=True)
            baseline = run_tests_once(pytest)
            timeout = args.timeout or 3 * baseline + 15
            print(f"mutation: baseline {baseline:.1f}s, timeout per mutant {timeout:.0f}s", flush=True)
            config = write_config(module, shlex.join(pytest), timeout)
            if only and (args.retest_survivors or args.resume):
                # narrowing an existing session to a part of the module: survivors elsewhere are left out
                scope_file(session).write_text(json.dumps(only))
            if number > 0 or args.retest_survivors or args.resume:
                print(f"mutation: {prepare_retest(session)} survivors to run again", flush=True)
                execute(module, retest_file(session))
            else:
                session.unlink(missing_ok=True)
                retest_file(session).unlink(missing_ok=True)
                scope_file(session).write_text(json.dumps(only))
                run_cosmic_ray("init", str(config), str(session))
                skipped = skip_out_of_scope(session, args.all_operators, only)
                print("mutation: skipped " + ", ".join(f"{n} {why}" for why, n in skipped.items()), flush=True)
                execute(module, session)
    except KeyboardInterrupt:
        print("\nmutation: interrupted; --resume goes on where it stopped", file=sys.stderr)
        return 130
    finally:
        restore()
    return report(module, session)


if __name__ == "__main__":
    sys.exit(main())
