"""Smiley's demo program: a tiny shop that fills orders.

It has a little of everything Smiley records: a class with methods, a loop, a generator,
an exception that is caught, and a worker thread.
"""

import threading

from reports import running_totals
from shop import Inventory, OutOfStock


def audit(inventory, findings):
    """Runs in its own thread: note every item that ran out."""
    for name, count in sorted(inventory.stock.items()):
        if count == 0:
            findings.append(name)


def fill(orders, inventory):
    filled = []
    refused = []
    for item, quantity in orders:
        try:
            price = inventory.take(item, quantity)
        except OutOfStock as problem:
            refused.append(str(problem))
            continue
        filled.append(price)
    return filled, refused


def main():
    inventory = Inventory({"apple": 5, "pear": 2, "plum": 1}, prices={"apple": 0.5, "pear": 0.75, "plum": 1.25})
    orders = [("apple", 2), ("pear", 3), ("plum", 1), ("apple", 1)]
    filled, refused = fill(orders, inventory)
    for total in running_totals(filled):
        print("running total: %.2f" % total)
    findings = []
    auditor = threading.Thread(target=audit, args=(inventory, findings), name="auditor")
    auditor.start()
    auditor.join()
    print("refused:", "; ".join(refused))
    print("sold out:", ", ".join(findings))


if __name__ == "__main__":
    main()
