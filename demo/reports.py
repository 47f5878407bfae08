"""Reports over the orders that were filled."""


def running_totals(amounts):
    """Yield the sum so far after each amount."""
    total = 0.0
    for amount in amounts:
        total += amount
        yield total
