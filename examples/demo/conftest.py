"""A conftest.py is a local plugin: any minitest_* function here is a hook implementation."""

import minitest


def minitest_report_header(config):
    return "demo: conftest.py plugin loaded"


def minitest_collection_modifyitems(config, items):
    # run the fast tests first: a conftest may reorder (or filter) the collected items
    items.sort(key=lambda item: item.get_closest_marker("slow") is not None)


@minitest.fixture
def inventory():
    stock = {"apples": 3, "pears": 0}
    yield stock
    stock.clear()
