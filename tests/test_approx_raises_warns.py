"""``approx``, ``raises`` / ``ExceptionInfo`` / ``RaisesGroup``, ``warns`` / ``deprecated_call`` /
``WarningsRecorder``: behaviour and messages as pytest 9's."""

from __future__ import annotations

import re
import warnings
from decimal import Decimal

import pytest

from minitest.approx_api import approx
from minitest.outcomes import Failed
from minitest.raises_api import ExceptionInfo, RaisesGroup, raises
from minitest.recwarn import WarningsRecorder, deprecated_call, warns

# ------------------------------------------------------------------------------------------
# approx
# ------------------------------------------------------------------------------------------


def test_approx_scalars():
    assert 0.1 + 0.2 == approx(0.3)
    assert 0.3 == approx(0.1 + 0.2)
    assert 1.1 != approx(1.0)
    assert 1.1 == approx(1.0, rel=0.2)
    assert 1.1 == approx(1.0, abs=0.2)
    assert 1.1 != approx(1.0, abs=0.05)
    assert float("inf") == approx(float("inf"))
    assert float("nan") != approx(float("nan"))
    assert float("nan") == approx(float("nan"), nan_ok=True)
    assert 1 + 1e-9j == approx(1)
    assert Decimal("1.0000001") == approx(Decimal("1"))
    assert "abc" == approx("abc") and "abc" != approx("abd")
    assert approx(True) != 1 and approx(True) == True  # noqa: E712 - bools compare strictly


def test_approx_containers():
    assert [0.1 + 0.2, 1.0] == approx([0.3, 1.0])
    assert (0.1 + 0.2, 1.0) == approx((0.3, 1.0))
    assert [1.0, 2.0] != approx([1.0, 2.0, 3.0])
    assert {"a": 0.1 + 0.2} == approx({"a": 0.3})
    assert {"a": 0.3} != approx({"b": 0.3})
    with pytest.raises(TypeError, match="nested dictionaries"):
        approx({"a": {"b": 1.0}})


def test_approx_repr():
    assert repr(approx(1.0)) == "1.0 ± 1.0e-06"
    assert repr(approx(1, abs=0.5)) == "1 ± 0.5"
    assert repr(approx(1 + 2j)) == "(1+2j) ± 2.2e-06 ∠ ±180°"
    assert repr(approx(float("nan"))) == "nan ± ???"
    assert repr(approx(float("inf"))) == "inf"
    assert repr(approx([1.0, "a", None])) == "approx([1.0 ± 1.0e-06, a, None])"
    assert repr(approx({"a": 2.0})) == "approx({'a': 2.0 ± 2.0e-06})"


def test_approx_in_boolean_context():
    with pytest.raises(AssertionError, match="not supported in a boolean context"):
        bool(approx(1.0))


def test_approx_repr_compare():
    assert approx([1.0, 2.5, 3.0])._repr_compare([1.0, 2.0, 3.0]) == [
        "comparison failed. Mismatched elements: 1 / 3:", "Max absolute difference: 0.5",
        "Max relative difference: 0.25", "Index | Obtained | Expected     ", "1     | 2.0      | 2.5 ± 2.5e-06"]
    assert approx([1.0, 2.0, 3.0])._repr_compare([1.0, 2.0]) == [
        "Impossible to compare lists with different sizes.", "Lengths: 3 and 2"]
    assert approx({"a": 1.0, "b": 2.1})._repr_compare({"a": 1.0, "b": 2.0})[-1] == "b     | 2.0      | 2.1 ± 2.1e-06"
    assert approx({"b": 1.0})._repr_compare({"a": 1.0}) == [
        "comparison failed.", "Mappings has different keys: expected dict_keys(['b']) but got dict_keys(['a'])"]


def test_approx_numpy():
    # numpy is in the test extra: a missing numpy is a failure here, not a skip CI would not notice
    import numpy as np

    assert np.array([0.1 + 0.2, 1.0]) == approx(np.array([0.3, 1.0]))
    assert np.array([1.0, 2.0]) != approx(np.array([1.0, 2.2]))
    assert np.array([1.0, 1.0]) == approx(1.0)
    assert np.float64(0.1 + 0.2) == approx(0.3)
    assert repr(approx(np.array([[1.0, 2.0]]))) == "approx([[1.0 ± 1.0e-06, 2.0 ± 2.0e-06]])"
    assert approx(np.array([1.0, 2.2]))._repr_compare(np.array([1.0, 2.0]))[-1] == "(1,)  | 2.0      | 2.2 ± 2.2e-06"
    assert approx(np.array([1.0, 2.0]))._repr_compare(np.array([1.0])) == [
        "Impossible to compare arrays with different shapes.", "Shapes: (2,) and (1,)"]


# ------------------------------------------------------------------------------------------
# raises
# ------------------------------------------------------------------------------------------


def test_raises_context_and_excinfo():
    with raises(ValueError, match=r"invalid literal") as excinfo:
        int("x")
    assert excinfo.type is ValueError
    assert isinstance(excinfo.value, ValueError)
    assert excinfo.typename == "ValueError"
    assert excinfo.tb is not None and len(excinfo.traceback) >= 1
    assert excinfo.errisinstance(ValueError) and excinfo.errisinstance((TypeError, ValueError))
    assert excinfo.exconly().startswith("ValueError: invalid literal")
    assert excinfo.match("base 10") is True
    assert re.match(r"<ExceptionInfo ValueError\(.*\) tblen=\d+>", repr(excinfo))
    assert repr(raises(ValueError).__enter__()) == "<ExceptionInfo for raises contextmanager>"


def test_raises_failures_and_messages():
    # pytest 9.2's words: the names of the classes
    with pytest.raises(Failed, match=r"^DID NOT RAISE ValueError$"):
        with raises(ValueError):
            pass
    with pytest.raises(Failed, match=re.escape("DID NOT RAISE any of (ValueError, TypeError)")):
        with raises((ValueError, TypeError)):
            pass
    with pytest.raises(AssertionError) as outer:
        with raises(ValueError, match="abc"):
            raise ValueError("xyz")
    assert str(outer.value) == "Regex pattern did not match.\n  Expected regex: 'abc'\n  Actual message: 'xyz'"
    with pytest.raises(AssertionError, match=re.escape("Did you mean to `re.escape()` the regex?")):
        with raises(ValueError, match="a(b)"):
            raise ValueError("a(b)")
    with pytest.raises(TypeError, match="^t$"):  # other exceptions pass through unchanged
        with raises(ValueError):
            raise TypeError("t")
    with pytest.raises(TypeError, match="Expected a BaseException type, but got 'str'"):
        raises("x")  # type: ignore[arg-type]
    with pytest.raises(AssertionError, match="did not return True"):
        with raises(ValueError, check=lambda exc: False):
            raise ValueError()


def test_raises_callable_form_and_notes():
    excinfo = raises(ZeroDivisionError, divmod, 1, 0)
    assert excinfo.type is ZeroDivisionError
    with pytest.raises(Failed, match="DID NOT RAISE"):
        raises(ValueError, int, "5")
    with pytest.raises(TypeError, match="must be callable"):
        raises(ValueError, 42)
    with raises(ValueError, match="a note"):
        exc = ValueError("msg")
        exc.add_note("a note")
        raise exc


def test_group_contains_and_from_exception():
    group = ExceptionGroup("g", [ValueError("v"), ExceptionGroup("h", [TypeError("t")])])
    with raises(ExceptionGroup) as excinfo:
        raise group
    assert excinfo.group_contains(TypeError)
    assert not excinfo.group_contains(TypeError, depth=1)
    assert excinfo.group_contains(TypeError, depth=2)
    assert excinfo.group_contains(ValueError, match="^v$")
    assert not excinfo.group_contains(KeyError)
    info = ExceptionInfo.from_exception(excinfo.value)
    assert info.value is group
    with pytest.raises(AssertionError, match="non-None __traceback__"):
        ExceptionInfo.from_exception(ValueError())
    with pytest.raises(AssertionError, match="does not contain an ExceptionGroup"):
        raises(ValueError, int, "x").group_contains(ValueError)


def test_raises_group():
    with RaisesGroup(ValueError, RaisesGroup(TypeError)):
        raise ExceptionGroup("", [ExceptionGroup("", [TypeError()]), ValueError()])
    with pytest.raises(AssertionError, match="did not match"):
        with RaisesGroup(ValueError):
            raise ExceptionGroup("", [KeyError()])
    with RaisesGroup(ValueError, allow_unwrapped=True):
        raise ValueError()
    with RaisesGroup(ValueError, TypeError, flatten_subgroups=True):
        raise ExceptionGroup("", [ValueError(), ExceptionGroup("", [TypeError()])])


# ------------------------------------------------------------------------------------------
# warnings
# ------------------------------------------------------------------------------------------


def test_recorder():
    with WarningsRecorder() as rec:
        warnings.warn("a", UserWarning, stacklevel=2)
        warnings.warn("b", DeprecationWarning, stacklevel=2)
        warnings.warn("c", UserWarning, stacklevel=2)
    assert len(rec) == 3 and [str(w.message) for w in rec] == ["a", "b", "c"]
    assert str(rec.pop(DeprecationWarning).message) == "b"
    assert str(rec.pop().message) == "a"
    assert str(rec[0].message) == "c" and len(rec.list) == 1
    rec.clear()
    assert len(rec) == 0
    with pytest.raises(AssertionError, match="not found in warning list"):
        rec.pop(UserWarning)
    with pytest.raises(RuntimeError, match="twice"):
        with rec:
            rec.__enter__()


def test_warns_passes_and_returns_recorder():
    with warns(UserWarning, match="must be positive") as record:
        warnings.warn("value must be positive", UserWarning, stacklevel=2)
    assert len(record) == 1
    assert warns(UserWarning, lambda: (warnings.warn("w", stacklevel=2), 42)[1]) == 42


def test_warns_failures():
    with pytest.raises(Failed) as excinfo:
        with warns(UserWarning):
            pass
    assert str(excinfo.value) == ("DID NOT WARN. No warnings of type (<class 'UserWarning'>,) were emitted.\n"
                                  " Emitted warnings: [].")
    with pytest.raises(Failed) as excinfo, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with warns(UserWarning, match="abc"):
            warnings.warn("xyz", UserWarning, stacklevel=2)
    assert str(excinfo.value) == ("DID NOT WARN. No warnings of type (<class 'UserWarning'>,) matching the regex "
                                  "were emitted.\n Regex: abc\n Emitted warnings: [UserWarning('xyz')].")


def test_warns_reemits_unmatched_warnings():
    with warnings.catch_warnings(record=True) as outer:
        warnings.simplefilter("always")
        with warns(UserWarning):
            warnings.warn("expected", UserWarning, stacklevel=2)
            warnings.warn("other", RuntimeWarning, stacklevel=2)
    assert [str(w.message) for w in outer] == ["other"]


def test_deprecated_call():
    with deprecated_call():
        warnings.warn("old", DeprecationWarning, stacklevel=2)
    with deprecated_call():
        warnings.warn("later", PendingDeprecationWarning, stacklevel=2)
    assert deprecated_call(lambda: (warnings.warn("x", FutureWarning, stacklevel=2), 3)[1]) == 3
    with pytest.raises(Failed, match="DID NOT WARN"):
        with deprecated_call():
            pass
