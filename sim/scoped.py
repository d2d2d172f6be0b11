"""A lever setting that is one value for everyone until a lever scopes it to some customers."""

from __future__ import annotations

import numpy as np


class PerCustomer:
    """One number for every customer, or one per customer once a scoped change is made.

    Parameters
    ----------
    value : float
        The value for everyone.
    size : int
        Number of customers.
    """

    def __init__(self, value: float, size: int) -> None:
        self.value = float(value)  # for everyone (outside any scoped change)
        self.values: np.ndarray | None = None  # per customer, once a change is scoped
        self.size = size

    def set(self, value: float, mask: np.ndarray | None = None) -> None:
        """``value`` for everyone (ending any scoped one), or for the customers in ``mask``."""
        if mask is None:
            self.value, self.values = float(value), None
            return
        if self.values is None:
            self.values = np.full(self.size, self.value, np.float64)
        self.values[mask] = value

    def of(self, rows: np.ndarray) -> float | np.ndarray:
        """The value of ``rows`` (a number while nothing is scoped)."""
        return self.value if self.values is None else self.values[rows]
