"""Parametrization: :class:`Metafunc`, :class:`CallSpec` and test ids (public: ``minitest.Metafunc``).

``minitest_generate_tests(metafunc)`` implementations call ``metafunc.parametrize(...)``; each call
multiplies the planned calls (a cartesian product, the first call varying slowest). The python
plugin then makes one ``Function`` item per :class:`CallSpec`, named ``test_x[<id>]``.

Ids follow pytest's rules so node ids are the same under both runners:

* ``param(..., id=...)`` wins, then the ``ids=`` list entry, else one id per value joined by ``-``;
* a value's id: the ``ids=`` callable's answer (if not None), else strings / bytes (ASCII-escaped),
  numbers, bools and None as ``str()``, regex patterns by pattern, enums by ``str()``, anything
  with a ``__name__`` (classes, functions, modules) by that name, else ``<argname><index>``;
* duplicates get a counter suffix (``a0``, ``a1``; ``1_0`` after a digit), skipping suffixes that
  would collide with another id.

Mistakes in a ``parametrize`` call raise ``Failed`` / ``CollectError`` while the module is being
collected, so (as in pytest) that test file is reported as a collection error.
"""

from __future__ import annotations

import enum
import hashlib
import inspect
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import ModuleType
from typing import Any

from minitest.config import Config
from minitest.errors import UsageError
from minitest.fixture_contract import FuncFixtureInfo
from minitest.marks import Mark, ParameterSet, normalize_mark, parse_argnames
from minitest.nodes import CollectError, Node
from minitest.outcomes import fail
from minitest.saferepr import saferepr
from minitest.scope import SCOPES

__all__ = ["CallSpec", "Metafunc", "make_ids", "ascii_escaped", "NOTSET", "iter_parametrize_marks"]


class _NotSet(enum.Enum):
    """The value of each argument of the single call made for an empty parameter set."""

    token = 0

    def __repr__(self) -> str:
        return "NOTSET"


NOTSET = _NotSet.token


class CallSpec:
    """One planned call of a parametrized test: its parameter values, their indices and its id.

    ``params`` holds both direct values (passed as arguments) and indirect ones (given to the
    fixture of that name as ``request.param``); ``indirect`` says which are which.
    """

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}
        self.indices: dict[str, int] = {}
        self.indirect: set[str] = set()
        self.arg2scope: dict[str, str] = {}
        self._idlist: list[str] = []
        self.marks: list[Mark] = []

    @classmethod
    def from_foreign(cls, other: Any, info: FuncFixtureInfo | None = None) -> CallSpec:
        """A copy of pytest's ``CallSpec`` (``CallSpec2`` before 9.2), which plugins build for
        items they make (anyio clones a test per backend): its ``_arg2scope`` holds pytest's
        ``Scope`` members, and it does not say which parameters go to fixtures (``indirect``):
        those with a fixture of their name in ``info``, or that are no argument of the test."""
        new = cls()
        new.params = dict(getattr(other, "params", {}))
        new.indices = dict(getattr(other, "indices", {}))
        scopes = getattr(other, "_arg2scope", None) or getattr(other, "arg2scope", None) or {}
        new.arg2scope = {name: str(getattr(scope, "value", scope)) for name, scope in scopes.items()}
        fixtures = info.name2fixturedefs if info is not None else {}
        arguments = set(info.argnames) if info is not None else set()
        new.indirect = {name for name in new.params if name in fixtures or name not in arguments}
        new._idlist = [str(part) for part in getattr(other, "_idlist", [])]
        new.marks = [m for m in (normalize_mark(raw) for raw in getattr(other, "marks", [])) if m is not None]
        return new

    def extended(self, names: Sequence[str], values: Sequence[Any], id_: str, marks: Iterable[Mark],
                 scope: str, index: int, indirect: set[str], nodeid: str = "") -> CallSpec:
        """A copy with ``names`` set to ``values`` (index ``index`` of their parametrize call)."""
        new = CallSpec()
        new.params = dict(self.params)
        new.indices = dict(self.indices)
        new.indirect = set(self.indirect) | indirect
        new.arg2scope = dict(self.arg2scope)
        for name, value in zip(names, values, strict=True):
            if name in new.params:
                raise CollectError(f"{nodeid}: duplicate parametrization of {name!r}")
            new.params[name] = value
            new.indices[name] = index
            new.arg2scope[name] = scope
        new._idlist = [*self._idlist, id_]
        new.marks = [*self.marks, *marks]
        return new

    @property
    def id(self) -> str:
        return "-".join(self._idlist)

    def getparam(self, name: str) -> Any:
        try:
            return self.params[name]
        except KeyError as exc:
            raise ValueError(name) from exc

    def __repr__(self) -> str:
        return f"<CallSpec id={self.id!r} params={self.params!r}>"


class Metafunc:
    """What ``minitest_generate_tests`` receives: the test function, the fixtures it needs and
    ``parametrize()`` to multiply it.

    ``fixtureinfo`` is the test's fixture closure (from the fixture manager); ``fixturenames`` is
    its ``names_closure``. The plugin that made the metafunc turns ``_calls`` into items.
    """

    def __init__(self, definition: Node, function: Any, fixtureinfo: FuncFixtureInfo, config: Config,
                 cls: type | None, module: ModuleType | None) -> None:
        self.definition = definition
        self.function = function
        self.fixtureinfo = fixtureinfo
        #: every fixture the test uses; a generate_tests hook may add names
        self.fixturenames: list[str] = fixtureinfo.names_closure
        self.config = config
        self.cls = cls
        self.module = module
        self._calls: list[CallSpec] = []
        # argname → whether it was parametrized directly ("direct") or through a fixture
        self._params_directness: dict[str, str] = {}

    def parametrize(self, argnames: str | Sequence[str], argvalues: Iterable[Any],
                    indirect: bool | Sequence[str] = False,
                    ids: Iterable[object | None] | Callable[[Any], object | None] | None = None,
                    scope: str | None = None, *, _param_mark: Mark | None = None) -> None:
        """Multiply the planned calls by ``argvalues`` for ``argnames``.

        ``indirect`` (True or a list of names) hands values to the fixtures of those names as
        ``request.param`` instead of passing them directly; ``scope`` groups the parameters
        (default: the narrowest scope of the fixtures when all are indirect, else "function").
        """
        __tracebackhide__ = True
        nodeid = self.definition.nodeid
        func_name = self.function.__name__
        names, sets = self._parameter_sets(argnames, argvalues, nodeid)
        if "request" in names:
            fail(f"{nodeid}: 'request' is a reserved name and cannot be used in @minitest.mark.parametrize",
                 pytrace=False)
        if scope is not None:
            if scope not in SCOPES:
                fail(f"parametrize() call in {func_name} got an unexpected scope value '{scope}'", pytrace=False)
            scope_: str = scope
        else:
            scope_ = self._find_scope(names, indirect)
        self._check_names_used(names, indirect)
        id_list = self._resolve_ids(names, sets, ids, _param_mark)
        directness = self._directness(names, indirect)
        self._params_directness.update(directness)
        direct = {name for name, kind in directness.items() if kind == "direct"}
        if direct:
            self.fixtureinfo.direct_names = self.fixtureinfo.direct_names | direct
        indirect_names = {name for name, kind in directness.items() if kind == "indirect"}
        newcalls = []
        for call in self._calls or [CallSpec()]:
            for index, (id_, pset) in enumerate(zip(id_list, sets, strict=True)):
                newcalls.append(call.extended(names, pset.values, id_, pset.marks, scope_, index, indirect_names,
                                              nodeid))
        self._calls = newcalls

    # -- the steps of parametrize() --------------------------------------------------------------
    def _parameter_sets(self, argnames: str | Sequence[str], argvalues: Iterable[Any],
                        nodeid: str) -> tuple[list[str], list[ParameterSet]]:
        __tracebackhide__ = True
        names, force_tuple = parse_argnames(argnames)
        sets = [ParameterSet.extract_from(value, force_tuple) for value in argvalues]
        for pset in sets:
            if len(pset.values) != len(names):
                fail(
                    f'{nodeid}: in "parametrize" the number of names ({len(names)}):\n  {names!r}\n'
                    f"must be equal to the number of values ({len(pset.values)}):\n  {pset.values!r}",
                    pytrace=False,
                )
        if not sets:
            # nothing to run: one call that is skipped (or xfailed, or an error: empty_parameter_set_mark)
            sets = [ParameterSet((NOTSET,) * len(names), (self._empty_parameter_set_mark(names),), "NOTSET")]
        return names, sets

    def _empty_parameter_set_mark(self, names: Sequence[str]) -> Mark:
        reason = f"got empty parameter set for ({', '.join(names)})"
        wanted = _getini_or(self.config, "empty_parameter_set_mark", "") or "skip"
        if wanted == "skip":
            return Mark("skip", (), {"reason": reason})
        if wanted == "xfail":
            return Mark("xfail", (), {"reason": reason, "run": False})
        if wanted == "fail_at_collect":
            raise CollectError(f"Empty parameter set in '{self.function.__name__}' at line "
                               f"{_first_line(self.function) + 1}")
        raise LookupError(wanted)

    def _find_scope(self, names: Sequence[str], indirect: bool | Sequence[str]) -> str:
        all_fixtures = len(indirect) == len(names) if isinstance(indirect, Sequence) \
            and not isinstance(indirect, str) else bool(indirect)
        if not all_fixtures:
            return "function"
        scopes = []
        for name in names:
            defs = self.fixtureinfo.name2fixturedefs.get(name)
            if defs:
                scope = defs[-1].scope
                scopes.append(scope if scope in SCOPES else "function")
        # the narrowest scope of the fixtures involved
        return max(scopes, key=SCOPES.index, default="function")

    def _check_names_used(self, names: Sequence[str], indirect: bool | Sequence[str]) -> None:
        __tracebackhide__ = True
        nodeid = self.definition.nodeid  # pytest 9.2 names the test by its node id here
        for name in names:
            if name in self.fixturenames:
                continue
            # only on the way to an error: inspect.signature per parametrize call is costly
            if name in _default_arg_names(self.function):
                fail(f"In {nodeid}: function already takes an argument '{name}' with a default value",
                     pytrace=False)
            if isinstance(indirect, bool):
                kind = "fixture" if indirect else "argument"
            else:
                kind = "fixture" if name in indirect else "argument"
            fail(f"In {nodeid}: function uses no {kind} '{name}'", pytrace=False)

    def _directness(self, names: Sequence[str], indirect: bool | Sequence[str]) -> dict[str, str]:
        __tracebackhide__ = True
        if isinstance(indirect, bool):
            return dict.fromkeys(names, "indirect" if indirect else "direct")
        if not isinstance(indirect, Sequence):
            fail(f"In {self.definition.nodeid}: expected Sequence or boolean for indirect, got "
                 f"{type(indirect).__name__}", pytrace=False)
        result = dict.fromkeys(names, "direct")
        for name in indirect:
            if name not in names:
                fail(f"In {self.definition.nodeid}: indirect fixture '{name}' doesn't exist", pytrace=False)
            result[name] = "indirect"
        return result

    def _resolve_ids(self, names: Sequence[str], sets: Sequence[ParameterSet], ids: Any,
                     param_mark: Mark | None) -> list[str]:
        __tracebackhide__ = True
        if ids is not None and not callable(ids) and not isinstance(ids, Sequence):
            # an iterator of ids is used up by the first test: class-level marks reuse its ids
            cache: dict[int, list[object | None]] = self.config.__dict__.setdefault("_param_ids_cache", {})
            if param_mark is not None:
                key = id(param_mark)
                if key not in cache:
                    cache[key] = self._validated_ids(ids, sets)
                ids = cache[key]
        if ids is None or callable(ids):
            return make_ids(names, sets, ids, None, self.config, self.definition.nodeid)
        return make_ids(names, sets, None, self._validated_ids(ids, sets), self.config, self.definition.nodeid)

    def _validated_ids(self, ids: Iterable[object | None], sets: Sequence[ParameterSet]) -> list[object | None]:
        __tracebackhide__ = True
        try:
            count = len(ids)  # type: ignore[arg-type]
        except TypeError:
            try:
                iter(ids)
            except TypeError as exc:
                raise TypeError("ids must be a callable or an iterable") from exc
            count = len(sets)
        # an empty ids list is allowed and means "generate them all"
        if count not in (len(sets), 0):
            fail(f"In {self.definition.nodeid}: {len(sets)} parameter sets specified, with different number "
                 f"of ids: {count}", pytrace=False)
        return list(itertools.islice(ids, count))

    def _recompute_direct_params_indices(self) -> None:
        """Direct parameters get one index per call, so each call is its own fixture instance."""
        for argname, kind in self._params_directness.items():
            if kind == "direct":
                for index, callspec in enumerate(self._calls):
                    callspec.indices[argname] = index


def _default_arg_names(function: Any) -> set[str]:
    try:
        params = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return set()
    return {p.name for p in params
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.default is not p.empty}


def _first_line(function: Any) -> int:
    code = getattr(inspect.unwrap(function), "__code__", None)
    return code.co_firstlineno - 1 if code is not None else 0


# ---------------------------------------------------------------------------------------------
# ids
# ---------------------------------------------------------------------------------------------

# control characters and DEL as \xNN, except the three with a short escape
_NON_PRINTABLE = {i: f"\\x{i:02x}" for i in (*range(32), 127)}
_NON_PRINTABLE.update({ord("\t"): "\\t", ord("\r"): "\\r", ord("\n"): "\\n"})


def ascii_escaped(value: str | bytes) -> str:
    """``value`` as printable ASCII: non-ASCII as ``\\xNN`` / ``\\uNNNN``, controls escaped."""
    if isinstance(value, bytes):
        text = value.decode("ascii", "backslashreplace")
    else:
        text = value.encode("unicode_escape").decode("ascii")
    return text.translate(_NON_PRINTABLE)


def _escaped_by_config(value: str | bytes, config: Config | None) -> str:
    if isinstance(value, str) and config is not None and config.getini(
            "disable_test_id_escaping_and_forfeit_all_rights_to_community_support"):
        return value
    return ascii_escaped(value)


def _idval_from_value(value: object, config: Config | None) -> str | None:
    """The id of a value of a type that has a natural one (None: it has none)."""
    if isinstance(value, (str, bytes)):
        return _escaped_by_config(value, config)
    if value is None or isinstance(value, (float, int, bool, complex)):
        return str(value)
    if isinstance(value, re.Pattern):
        return ascii_escaped(value.pattern)
    if value is NOTSET:
        return None
    if isinstance(value, enum.Enum):
        return str(value)
    name = getattr(value, "__name__", None)
    if isinstance(name, str):
        return name
    return None


def _idval(value: object, argname: str, index: int, idfn: Callable[[Any], object | None] | None,
           config: Config | None, nodeid: str) -> str:
    if idfn is not None:
        try:
            generated = idfn(value)
        except Exception as exc:
            raise ValueError(f"{nodeid}: error raised while trying to determine id of parameter '{argname}' "
                             f"at position {index}") from exc
        if generated is not None:
            text = _idval_from_value(generated, config)
            if text is not None:
                return text
    if config is not None:
        hook = config.hook.minitest_make_parametrize_id
        if hook.get_hookimpls():  # one call per value: skipped when no plugin implements it
            hooked = hook(config=config, val=value, argname=argname)
            if hooked is not None:
                return str(hooked)
    if isinstance(value, (str, bytes)):
        text = _long_str_id(value, argname, index, config, nodeid)
    else:
        text = _idval_from_value(value, config)
    return text if text is not None else f"{argname}{index}"


#: how an auto-generated id treats a str/bytes value longer than this (pytest >= 9.2, #6881)
LONG_STR_ID_LIMIT = 100
LONG_STR_STRATEGIES = ("short", "sha256", "legacy", "disallow")


def _long_str_id(value: str | bytes, argname: str, index: int, config: Config | None,
                 nodeid: str) -> str | None:
    """The id of a str/bytes value: the value escaped, or, over 100 characters, what the
    ``parametrize_long_str_id_strategy`` ini key says (None: ``argname`` + index)."""
    if len(value) <= LONG_STR_ID_LIMIT:
        return _escaped_by_config(value, config)
    strategy = config.getini("parametrize_long_str_id_strategy") if config is not None else "short"
    if strategy not in LONG_STR_STRATEGIES:
        raise UsageError(f"Unknown parametrize_long_str_id_strategy: {strategy!r}. "
                         f"Valid values: {', '.join(sorted(LONG_STR_STRATEGIES))}")
    if strategy == "legacy":
        return _escaped_by_config(value, config)
    if strategy == "sha256":
        return hashlib.sha256(value.encode("utf-8") if isinstance(value, str) else value).hexdigest()
    if strategy == "disallow":
        fail(f"In {nodeid}: parametrize value for '{argname}' at index {index} is too long for an "
             f"auto-generated ID ({len(value)} characters). Use pytest.param(..., id=...) or "
             "parametrize(..., ids=...) to set an explicit ID, or change parametrize_long_str_id_strategy.",
             pytrace=False)
    return None


def _explicit_id(value: object, index: int, config: Config | None, nodeid: str) -> str:
    __tracebackhide__ = True
    text = _idval_from_value(value, config)
    if text is None:
        fail(f"In {nodeid}: ids contains unsupported value {saferepr(value)} (type: {type(value)!r}) at "
             f"index {index}. Supported types are: str, bytes, int, float, complex, bool, enum, regex or "
             "anything with a __name__.", pytrace=False)
    return text


def make_ids(names: Sequence[str], sets: Sequence[ParameterSet], idfn: Callable[[Any], object | None] | None,
             ids: Sequence[object | None] | None, config: Config | None, nodeid: str) -> list[str]:
    """The unique id of each parameter set of one ``parametrize`` call."""
    __tracebackhide__ = True
    resolved: list[str] = []
    for index, pset in enumerate(sets):
        if pset.id is not None:
            resolved.append(_escaped_by_config(pset.id, config))
        elif ids and index < len(ids) and ids[index] is not None:
            resolved.append(_explicit_id(ids[index], index, config, nodeid))
        else:
            resolved.append("-".join(_idval(value, name, index, idfn, config, nodeid)
                                     for value, name in zip(pset.values, names, strict=True)))
    return _made_unique(resolved, names, sets, config, nodeid)


def _made_unique(resolved: list[str], names: Sequence[str], sets: Sequence[ParameterSet],
                 config: Config | None, nodeid: str) -> list[str]:
    counts = Counter(resolved)
    if len(counts) == len(resolved):
        return resolved
    if config is not None and _getini_or(config, "strict_parametrization_ids", False):
        duplicates = ", ".join(i for i, n in counts.items() if n > 1)
        raise CollectError(
            "Duplicate parametrization IDs detected, but strict_parametrization_ids is set.\n\n"
            f"Test name:      {nodeid}\nParameters:     {', '.join(names)}\n"
            f"Parameter sets: {', '.join(saferepr(list(p.values)) for p in sets)}\n"
            f"IDs:            {', '.join(resolved)}\nDuplicates:     {duplicates}\n\n"
            "Give the parameter sets distinct ids with parametrize(..., ids=...) or param(..., id=...)."
        )
    taken = set(resolved)
    next_suffix: dict[str, int] = {}
    result = list(resolved)
    for index, id_ in enumerate(resolved):
        if counts[id_] < 2:
            continue
        sep = "_" if id_ and id_[-1].isdigit() else ""
        n = next_suffix.get(id_, 0)
        while f"{id_}{sep}{n}" in taken:
            n += 1  # never collide with an id some other parameter set already has
        result[index] = f"{id_}{sep}{n}"
        taken.add(result[index])
        next_suffix[id_] = n + 1
    return result


def _getini_or(config: Config, name: str, default: Any) -> Any:
    try:
        return config.getini(name)
    except ValueError:
        return default


def iter_parametrize_marks(marks: Iterable[Mark]) -> Iterator[tuple[tuple[Any, ...], Mapping[str, Any]]]:
    """(args, kwargs) of each parametrize mark, with argnames / argvalues given by keyword moved
    to their positions."""
    for mark in marks:
        args = list(mark.args)
        kwargs = dict(mark.kwargs)
        if "argnames" in kwargs:
            args.insert(0, kwargs.pop("argnames"))
        if "argvalues" in kwargs:
            args.insert(1, kwargs.pop("argvalues"))
        yield tuple(args), kwargs
