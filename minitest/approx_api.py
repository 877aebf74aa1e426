"""``approx``: compare numbers (and containers of numbers) within a tolerance.

    assert 0.1 + 0.2 == approx(0.3)
    assert [0.1 + 0.2, 1.0] == approx([0.3, 1.0], rel=1e-3)

The tolerance is ``max(rel * |expected|, abs)`` with defaults ``rel=1e-6`` and ``abs=1e-12``; giving
only ``abs`` uses exactly that. Non-numeric values compare with plain ``==``. numpy arrays are
supported when numpy is installed (numpy is only imported for values that already are numpy objects).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Iterator, Mapping, Sized
from decimal import Decimal
from numbers import Complex
from typing import Any

__all__ = ["approx", "ApproxBase", "ApproxScalar", "ApproxDecimal", "ApproxMapping", "ApproxSequence",
           "ApproxNumpy"]

DEFAULT_REL = 1e-6
DEFAULT_ABS = 1e-12


def _numpy_module(obj: object) -> Any | None:
    """numpy, if ``obj`` is a numpy object (never imports numpy for anything else)."""
    module = type(obj).__module__ or ""
    if module.split(".", 1)[0] != "numpy":
        return None
    return sys.modules.get("numpy")


def _as_numpy_array(obj: object) -> Any | None:
    """``obj`` when it is a numpy array, else None (numpy scalars are plain numbers here)."""
    np = _numpy_module(obj)
    if np is not None and isinstance(obj, np.ndarray):
        return obj
    return None


def _is_number(value: object) -> bool:
    return isinstance(value, (Complex, Decimal)) and not isinstance(value, bool)


class ApproxBase:
    """What every approx object shares: the tolerances and the ``==`` protocol."""

    # numpy must ask us (not broadcast its own ==) when an array is compared with approx
    __array_ufunc__ = None
    __array_priority__ = 100
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, expected: Any, rel: float | None = None, abs: float | None = None,  # noqa: A002
                 nan_ok: bool = False) -> None:
        __tracebackhide__ = True
        self.expected = expected
        self.rel = rel
        self.abs = abs
        self.nan_ok = nan_ok
        self._check_type()

    def _check_type(self) -> None:
        """Reject expected values approx cannot handle (nested containers)."""

    def _scalar(self, value: Any) -> ApproxScalar:
        cls = ApproxDecimal if isinstance(value, Decimal) else ApproxScalar
        return cls(value, rel=self.rel, abs=self.abs, nan_ok=self.nan_ok)

    def _pairs(self, actual: Any) -> Iterator[tuple[Any, Any]]:
        """(actual value, expected value) pairs to compare one by one."""
        raise NotImplementedError

    def __eq__(self, actual: object) -> bool:
        return all(value == self._scalar(expected) for value, expected in self._pairs(actual))

    def __ne__(self, actual: object) -> bool:
        return not self == actual

    def __bool__(self) -> bool:
        __tracebackhide__ = True
        raise AssertionError("approx() is not supported in a boolean context.\n"
                             "Did you mean: `assert a == approx(b)`?")

    def _repr_compare(self, other: Any) -> list[str]:
        """Lines explaining why ``other`` is not equal to this (used by the assertion plugin)."""
        return ["comparison failed", f"Obtained: {other}", f"Expected: {self}"]


class ApproxScalar(ApproxBase):
    """One number (anything else compares with ``==``)."""

    default_rel: Any = DEFAULT_REL
    default_abs: Any = DEFAULT_ABS

    @property
    def tolerance(self) -> Any:
        """The largest difference still considered equal."""
        absolute = self.default_abs if self.abs is None else self.abs
        if absolute < 0:
            raise ValueError(f"absolute tolerance can't be negative: {absolute}")
        if math.isnan(absolute):
            raise ValueError("absolute tolerance can't be NaN.")
        if self.rel is None and self.abs is not None:
            return absolute  # only abs given: exactly that
        relative = (self.default_rel if self.rel is None else self.rel) * abs(self.expected)
        if relative < 0:
            raise ValueError(f"relative tolerance can't be negative: {relative}")
        if math.isnan(relative):
            raise ValueError("relative tolerance can't be NaN.")
        return max(relative, absolute)

    def __repr__(self) -> str:
        expected = self.expected
        if not _is_number(expected) or math.isinf(abs(expected)):
            return str(expected)  # compared exactly: no tolerance to show
        try:
            tol = self.tolerance
            # tolerances of everyday size read better as plain numbers ("± 0.02")
            tolerance = f"{tol:n}" if 1e-3 <= tol < 1e3 else f"{tol:.1e}"
            if isinstance(expected, Complex) and expected.imag and not math.isinf(self.tolerance):
                tolerance += " \u2220 \u00b1180\u00b0"  # the tolerance is a radius around a point of the plane
        except (ValueError, TypeError, ArithmeticError):
            tolerance = "???"
        return f"{expected} ± {tolerance}"

    def __eq__(self, actual: object) -> bool:
        array = _as_numpy_array(actual)
        if array is not None:
            return all(self == item for item in array.flat)
        if isinstance(actual, bool) or isinstance(self.expected, bool):
            return type(actual) is type(self.expected) and actual == self.expected
        if actual == self.expected:
            return True
        if not (_is_number(self.expected) and _is_number(actual)):
            return False
        if math.isnan(abs(self.expected)):
            return self.nan_ok and math.isnan(abs(actual))  # type: ignore[arg-type]
        if math.isinf(abs(self.expected)):
            return False  # equal infinities were caught above
        try:
            return bool(abs(self.expected - actual) <= self.tolerance)
        except TypeError:
            return False  # e.g. Decimal against complex


class ApproxDecimal(ApproxScalar):
    """A Decimal, with Decimal default tolerances so no float arithmetic creeps in."""

    default_rel = Decimal("1e-6")
    default_abs = Decimal("1e-12")

    def __eq__(self, actual: object) -> bool:
        if isinstance(actual, float) and not isinstance(self.expected, float):
            actual = Decimal(str(actual))
        return super().__eq__(actual)


def _mismatch_table(rows: list[tuple[str, str, str]], mismatched: int, total: int,
                    max_abs: float, max_rel: float) -> list[str]:
    header = [("Index", "Obtained", "Expected"), *rows]
    widths = [max(len(row[column]) for row in header) for column in range(3)]
    return [
        f"comparison failed. Mismatched elements: {mismatched} / {total}:",
        f"Max absolute difference: {max_abs}",
        f"Max relative difference: {max_rel}",
        *(f"{a:<{widths[0]}} | {b:<{widths[1]}} | {c:<{widths[2]}}" for a, b, c in header),
    ]


def _explain_mismatches(items: Iterable[tuple[str, Any, ApproxScalar]], total: int,
                        relative_to_expected: bool = False) -> list[str]:
    """Rows for the values that are not within tolerance, with the largest differences.

    The relative difference is measured against the obtained value (against the expected one for
    mappings, as pytest does).
    """
    rows: list[tuple[str, str, str]] = []
    max_abs = -math.inf
    max_rel = -math.inf
    for label, obtained, expected in items:
        if expected == obtained:
            continue
        try:
            difference = abs(expected.expected - obtained)
            max_abs = max(max_abs, difference)
            base = expected.expected if relative_to_expected else obtained
            max_rel = math.inf if base == 0 else max(max_rel, difference / abs(base))
        except Exception:
            pass  # non-numeric: listed, but no difference to measure
        rows.append((label, str(obtained), str(expected)))
    return _mismatch_table(rows, len(rows), total, max_abs, max_rel)


class ApproxMapping(ApproxBase):
    """A dict of numbers: equal keys, values within tolerance."""

    def __repr__(self) -> str:
        return f"approx({ {key: self._scalar(value) for key, value in self.expected.items()}!r})"

    def _check_type(self) -> None:
        for key, value in self.expected.items():
            if isinstance(value, type(self.expected)):
                raise TypeError(f"approx() does not support nested dictionaries: key={key!r} value={value!r}\n"
                                f"  full mapping={self.expected!r}")

    def __eq__(self, actual: object) -> bool:
        try:
            if set(actual.keys()) != set(self.expected.keys()):  # type: ignore[attr-defined]
                return False
        except AttributeError:
            return False
        return super().__eq__(actual)

    def _pairs(self, actual: Any) -> Iterator[tuple[Any, Any]]:
        for key, value in self.expected.items():
            yield actual[key], value

    def _repr_compare(self, other: Any) -> list[str]:
        try:
            keys_match = set(other.keys()) == set(self.expected.keys())
        except Exception:
            return super()._repr_compare(other)
        if not keys_match:
            return ["comparison failed.",
                    f"Mappings has different keys: expected {self.expected.keys()} but got {other.keys()}"]
        items = ((str(key), other[key], self._scalar(value)) for key, value in self.expected.items())
        return _explain_mismatches(items, len(self.expected), relative_to_expected=True)


class ApproxSequence(ApproxBase):
    """A list, tuple or other sized iterable of numbers: same length, items within tolerance."""

    def __repr__(self) -> str:
        kind = type(self.expected)
        if kind not in (tuple, list):
            kind = list
        return f"approx({kind(self._scalar(value) for value in self.expected)!r})"

    def _check_type(self) -> None:
        for index, value in enumerate(self.expected):
            if isinstance(value, type(self.expected)) and not isinstance(value, str):
                raise TypeError(f"approx() does not support nested data structures: {value!r} at index {index}\n"
                                f"  full sequence: {self.expected!r}")

    def __eq__(self, actual: object) -> bool:
        try:
            if len(actual) != len(self.expected):  # type: ignore[arg-type]
                return False
        except TypeError:
            return False
        return super().__eq__(actual)

    def _pairs(self, actual: Any) -> Iterator[tuple[Any, Any]]:
        return zip(actual, self.expected, strict=True)

    def _repr_compare(self, other: Any) -> list[str]:
        try:
            other_items = list(other)
        except TypeError:
            return super()._repr_compare(other)
        expected = list(self.expected)
        if len(other_items) != len(expected):
            return ["Impossible to compare lists with different sizes.",
                    f"Lengths: {len(expected)} and {len(other_items)}"]
        items = ((str(index), obtained, self._scalar(value))
                 for index, (obtained, value) in enumerate(zip(other_items, expected, strict=True)))
        return _explain_mismatches(items, len(expected))


class ApproxNumpy(ApproxBase):
    """A numpy array: same shape, every element within tolerance."""

    def __repr__(self) -> str:
        def nested(values: Any) -> Any:
            if isinstance(values, list):
                return [nested(value) for value in values]
            return self._scalar(values)

        return f"approx({nested(self.expected.tolist())!r})"

    def _as_array(self, actual: Any) -> Any:
        np = sys.modules["numpy"]
        return actual if np.isscalar(actual) else np.asarray(actual)

    def __eq__(self, actual: object) -> bool:
        np = sys.modules["numpy"]
        try:
            actual = self._as_array(actual)
        except Exception:
            return False
        if not np.isscalar(actual) and getattr(actual, "shape", None) != self.expected.shape:
            return False
        return super().__eq__(actual)

    def _pairs(self, actual: Any) -> Iterator[tuple[Any, Any]]:
        np = sys.modules["numpy"]
        if np.isscalar(actual):
            for index in np.ndindex(self.expected.shape):
                yield actual, self.expected[index].item()
        else:
            for index in np.ndindex(self.expected.shape):
                yield actual[index].item(), self.expected[index].item()

    def _repr_compare(self, other: Any) -> list[str]:
        np = sys.modules["numpy"]
        other = self._as_array(other)
        if np.isscalar(other):
            return super()._repr_compare(other)
        if other.shape != self.expected.shape:
            return ["Impossible to compare arrays with different shapes.",
                    f"Shapes: {self.expected.shape} and {other.shape}"]
        items = ((str(index), other[index].item(), self._scalar(self.expected[index].item()))
                 for index in np.ndindex(self.expected.shape))
        return _explain_mismatches(items, self.expected.size)


def approx(expected: Any, rel: float | None = None, abs: float | None = None,  # noqa: A002
           nan_ok: bool = False) -> ApproxBase:
    """Assert that two numbers (or containers of numbers) are equal within a tolerance.

    ``rel`` is relative to the expected value (default 1e-6), ``abs`` absolute (default 1e-12);
    NaN equals NaN only with ``nan_ok=True``. Supports numbers, Decimal, complex, mappings and
    sequences of them, and numpy arrays.
    """
    __tracebackhide__ = True
    if isinstance(expected, Decimal):
        return ApproxDecimal(expected, rel, abs, nan_ok)
    if isinstance(expected, Mapping):
        return ApproxMapping(expected, rel, abs, nan_ok)
    array = _as_numpy_array(expected)
    if array is not None:
        if array.ndim == 0:
            return ApproxScalar(array.item(), rel, abs, nan_ok)
        return ApproxNumpy(array, rel, abs, nan_ok)
    if isinstance(expected, Iterable) and isinstance(expected, Sized) \
            and not isinstance(expected, (str, bytes, bytearray)):
        return ApproxSequence(expected, rel, abs, nan_ok)
    if _is_number(expected) or isinstance(expected, bool) or expected is None:
        return ApproxScalar(expected, rel, abs, nan_ok)
    if isinstance(expected, ApproxBase):
        raise TypeError(f"approx() does not support nested approx objects: {expected!r}")
    return ApproxScalar(expected, rel, abs, nan_ok)
