"""Money as exact integers of micro-units (millionths), shown as decimal strings."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

MICROS = 1_000_000


def to_micros(amount: str | Decimal) -> int:
    value = Decimal(amount) * MICROS
    if value != value.to_integral_value():
        raise ValueError(f"{amount} has more than 6 decimal places")
    return int(value)


def to_text(micros: int) -> str:
    """``1234500`` → ``"1.2345"``; whole amounts keep two places (``"3.00"``)."""
    text = format(Decimal(micros) / MICROS, "f")
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    return f"{whole}.{frac.ljust(2, '0')}"


def check_amount(value: str, *, positive: bool) -> str:
    """Validate a money string (at most 6 decimal places; > 0 or >= 0); returns it."""
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError('must be a decimal string such as "0.05"') from exc
    too_low = amount <= 0 if positive else amount < 0
    if not amount.is_finite() or too_low or amount.as_tuple().exponent < -6:  # type: ignore[operator]
        sign = "positive" if positive else "non-negative"
        raise ValueError(f"must be a {sign} decimal with at most 6 decimal places")
    return value
