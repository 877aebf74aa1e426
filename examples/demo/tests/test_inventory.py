import minitest


def test_in_stock(inventory):
    assert inventory["apples"] == 3


@minitest.mark.parametrize("fruit, expected", [("apples", True), ("pears", False)])
def test_available(inventory, fruit, expected):
    assert (inventory[fruit] > 0) is expected


@minitest.mark.slow
def test_restock(inventory):
    inventory["pears"] += 5
    assert inventory == {"apples": 3, "pears": 5}


class TestErrors:
    def test_unknown_fruit_raises(self, inventory):
        with minitest.raises(KeyError, match="kiwi"):
            inventory["kiwi"]

    @minitest.mark.skip(reason="shows how a skip is reported")
    def test_not_ready(self):
        raise NotImplementedError
