"""The start-up records that replaced dataclasses (:mod:`minitest.records`) behave as the
dataclasses did: each is checked, in a planted test module run by minitest, against a dataclass
declared the way the class used to be (fields, defaults, frozen or not)."""

from __future__ import annotations

RECORD_TESTS = {"test_rec.py": '''
    import copy
    import dataclasses
    import pickle
    from pathlib import Path

    import minitest

    from builtin_plugins.reruns import RerunPolicy, RerunSettings
    from builtin_plugins.skipping import XfailSpec
    from minitest.config import IniSpec, _Option
    from minitest.inifile import IniFile
    from minitest.pluginmanager import PluginOrigin
    from minitest.reportlog_api import ReplayedRun
    from minitest.shard_api import ShardSpec

    @dataclasses.dataclass(frozen=True)
    class PluginOriginDC:
        kind: str
        detail: str = ""
        dist: object = None
        version: object = None

    @dataclasses.dataclass(frozen=True)
    class ShardSpecDC:
        index: int
        count: int

    @dataclasses.dataclass
    class IniFileDC:
        path: object
        values: dict = dataclasses.field(default_factory=dict)
        flavour: str = "minitest"
        ignored: tuple = ()

    @dataclasses.dataclass
    class IniSpecDC:
        name: str
        help: str
        type: object
        default: object
        declared_in: str = ""

    FROZEN = [
        (PluginOrigin("builtin", "builtin_plugins.runner"), PluginOriginDC("builtin", "builtin_plugins.runner")),
        (PluginOrigin("entrypoint", "x = y", "dist", "1.0"), PluginOriginDC("entrypoint", "x = y", "dist", "1.0")),
        (ShardSpec(2, 3), ShardSpecDC(2, 3)),
    ]

    def same_repr(record, reference):
        return repr(record) == repr(reference).replace(type(reference).__qualname__, type(record).__qualname__)

    @minitest.mark.parametrize("record, reference", FROZEN)
    def test_frozen_record_acts_as_its_frozen_dataclass(record, reference):
        assert same_repr(record, reference)
        fields = type(record).__match_args__
        assert fields == type(reference).__match_args__
        twin = type(record)(*[getattr(record, name) for name in fields])
        assert record == twin and hash(record) == hash(twin) and not (record != twin)
        assert record != reference  # another class: NotImplemented both ways, as for two dataclasses
        with minitest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'kind'|cannot assign to field 'index'"):
            setattr(record, fields[0], "changed")
        with minitest.raises(dataclasses.FrozenInstanceError):
            delattr(record, fields[0])
        with minitest.raises(dataclasses.FrozenInstanceError):
            record.not_a_field = 1
        assert pickle.loads(pickle.dumps(record)) == record
        assert copy.copy(record) == record and copy.deepcopy(record) == record
        assert {record: 1}[twin] == 1

    def test_positional_patterns():
        match ShardSpec(2, 3):
            case ShardSpec(index, count):
                assert (index, count) == (2, 3)
            case _:
                raise AssertionError("no match")
        match IniFile(Path("m.ini")):
            case IniFile(path, values):
                assert path == Path("m.ini") and values == {}
            case _:
                raise AssertionError("no match")

    def test_keyword_arguments_and_defaults():
        assert PluginOrigin(kind="ini", detail="plugins") == PluginOrigin("ini", "plugins", None, None)
        assert PluginOrigin("object").describe() == "object"
        assert str(ShardSpec(index=1, count=4)) == "1/4"
        settings = RerunSettings(reruns=1, force=None, append=False, delay=0.0, backoff=1.0, only_rerun=(),
                                 rerun_except=(), excluded=(), max_suite_reruns=None, usepdb=False)
        assert settings.reruns == 1 and settings.usepdb is False
        assert repr(settings).startswith("RerunSettings(reruns=1, force=None, append=False, delay=0.0")
        assert RerunPolicy(2, 0.5, 2.0, (), (), None).delay_before(3) == 1.0
        assert XfailSpec("why", True, False, None).reason == "why"
        assert ReplayedRun((Path("a.jsonl"),), 1.5, False).paths == (Path("a.jsonl"),)

    def test_record_acts_as_its_dataclass():
        pairs = [(IniFile(None), IniFileDC(None)),
                 (IniFile(Path("m.ini"), {"a": "1"}, "pytest", (Path("x"),)),
                  IniFileDC(Path("m.ini"), {"a": "1"}, "pytest", (Path("x"),))),
                 (IniSpec("k", "help", None, 1), IniSpecDC("k", "help", None, 1))]
        for record, reference in pairs:
            assert same_repr(record, reference)
            assert type(record).__match_args__ == type(reference).__match_args__
            with minitest.raises(TypeError, match="unhashable"):
                hash(record)
            twin = copy.copy(record)
            assert twin == record and twin is not record
            twin.extra = "kept"  # a dict, as a dataclass without slots has
            assert twin.extra == "kept" and twin == record
        assert IniFile(None).values == {} and IniFile(None).values is not IniFile(None).values
        ini = IniFile(None)
        ini.flavour = "pytest"
        assert ini != IniFile(None)
        option = _Option(("-x", "--exitfirst"), {"dest": "exitfirst"})
        assert option.declared_in == "" and option.gives_way is False
        assert option.names() == ["-x", "--exitfirst"] and option.dest == "exitfirst"
        assert option == _Option(("-x", "--exitfirst"), {"dest": "exitfirst"}, "", False)
'''}


def test_records_behave_as_the_dataclasses_they_replaced(files, run):
    files(RECORD_TESTS)
    result = run("-p", "no:cache")
    result.assert_outcomes(passed=6)
    assert result.ret == 0
