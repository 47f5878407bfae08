"""The shop's tests: `smiley pytest demo/test_shop.py` records each as a run of its own.

One of them finds a bug: an item the shop never stocked has no price either.
"""

import pytest

from shop import Inventory, OutOfStock


@pytest.fixture
def inventory():
    return Inventory({"apple": 5, "pear": 2}, prices={"apple": 0.5, "pear": 0.75})


def test_take_some(inventory):
    price = inventory.take("apple", 2)
    assert price == 1.0
    assert inventory.stock["apple"] == 3


@pytest.mark.parametrize("quantity", [1, 2])
def test_take_pears(inventory, quantity):
    inventory.take("pear", quantity)
    assert inventory.stock["pear"] == 2 - quantity


def test_too_many(inventory):
    with pytest.raises(OutOfStock):
        inventory.take("pear", 3)


def test_nothing_of_an_unknown_item(inventory):
    price = inventory.take("kiwi", 0)
    assert price == 0
