"""``--dist loadgroup``: the tests marked ``xdist_group(name)`` with one name run on one worker (a
test without the mark is given out alone, as with ``--dist load``; several marks on one test:
their names sorted and joined with ``_``, pytest-xdist's rule).

pytest-xdist carries the group in the node id (``test_db.py::test_insert@db``), which broke tools
that read node ids (editors' test explorers, report plugins); with pytest 9.2 the renaming no longer
takes effect and its tests are not grouped at all (pytest-xdist issue #1386). Here node ids stay as
collected, as pytest 9.2 shows them; the groups go to the scheduler beside them (:mod:`.scheduling`):
from the controller's own items when it collected, from a spawned worker's "collected" message
otherwise."""

from __future__ import annotations

from collections.abc import Sequence

from minitest.nodes import Item


def group_of(item: Item) -> str | None:
    """The ``xdist_group`` an item belongs to, or None."""
    names = {str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
             for mark in item.iter_markers("xdist_group")}
    return "_".join(sorted(names)) if names else None


def groups_of(items: Sequence[Item]) -> list[str | None]:
    return [group_of(item) for item in items]
