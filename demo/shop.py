"""The shop's stock: how much of each item is left, and what it costs."""


class OutOfStock(Exception):
    def __init__(self, item, wanted, left):
        super().__init__("%d %s wanted, %d left" % (wanted, item, left))
        self.item = item


class Inventory:
    def __init__(self, stock, prices):
        self.stock = dict(stock)
        self.prices = prices

    def take(self, item, quantity):
        left = self.stock.get(item, 0)
        if quantity > left:
            raise OutOfStock(item, quantity, left)
        self.stock[item] = left - quantity
        return quantity * self.prices[item]

    def __repr__(self):
        return "Inventory(%r)" % self.stock
