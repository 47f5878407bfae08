import unittest


def double(n):
    return n * 2


class Doubling(unittest.TestCase):
    def test_doubles(self):
        self.assertEqual(double(2), 4)

    def test_fails(self):
        self.assertEqual(double(3), 7)
