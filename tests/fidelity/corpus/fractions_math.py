"""fractions, copied into the project: arithmetic, comparisons, limit_denominator."""

from user_fractions import Fraction

total = Fraction(0)
for n in range(1, 8):
    total += Fraction(1, n * (n + 1))
print(total, float(total))
print(Fraction("3.1415926535").limit_denominator(100))
print(Fraction(7, 3) ** 2, Fraction(-5, 4) // Fraction(1, 3), Fraction(1, 3) < Fraction(1, 2))
print(sorted([Fraction(2, 3), Fraction(1, 5), Fraction(7, 8)]))
