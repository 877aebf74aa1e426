"""What one hook call costs through pluggy, next to a plain function call.

    python bench/hook_cost.py

Every test goes through ~22 hook calls (see PROFILE.md); this measures the dispatch those calls
pay whatever the implementations do, to show what is left for the rest of a run against the floor.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pluggy

hookspec = pluggy.HookspecMarker("bench")
hookimpl = pluggy.HookimplMarker("bench")
CALLS = 200_000


class Specs:
    @hookspec
    def bench_hook(self, item: object) -> None:
        """A hook with one argument, like most per-test hooks."""


class Impl:
    @hookimpl
    def bench_hook(self, item: object) -> None:
        return None


class Wrapper:
    @hookimpl(wrapper=True)
    def bench_hook(self, item: object):  # type: ignore[no-untyped-def]
        return (yield)


def per_call_us(call: Callable[..., object]) -> float:
    """Best of three rounds of CALLS calls, in microseconds per call."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(CALLS):
            call(item=1)
        best = min(best, time.perf_counter() - start)
    return best / CALLS * 1e6


def main() -> None:
    def plain(item: object) -> None:
        return None

    pm = pluggy.PluginManager("bench")
    pm.add_hookspecs(Specs)
    print(f"{'plain function call':36}{per_call_us(plain):6.2f} µs")
    pm.register(Impl())
    print(f"{'hook, 1 implementation':36}{per_call_us(pm.hook.bench_hook):6.2f} µs")
    pm.register(Impl())
    pm.register(Impl())
    print(f"{'hook, 3 implementations':36}{per_call_us(pm.hook.bench_hook):6.2f} µs")
    pm.register(Wrapper())
    print(f"{'hook, 3 implementations + wrapper':36}{per_call_us(pm.hook.bench_hook):6.2f} µs")


if __name__ == "__main__":
    main()
