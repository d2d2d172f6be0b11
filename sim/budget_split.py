"""Budget-split experiments: two groups of customers, each with its share of every budget.

A holdout experiment in one market lets its groups interfere: a channel with a fixed budget and
target stages spreads its impressions over everyone in those stages, so customers one group's
treatment moves into them take impressions the other group's customers would have had. Splitting
each channel's budget between the groups in proportion to their size, each part drawn from its
own group's members, makes them two markets at the scale of their share (Liu, Mao and Kang 2021,
"Trustworthy online marketplace experimentation with budget-split design", KDD).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class BudgetSplit:
    """A budget-split experiment: from day ``first`` to day ``last`` (day indexes, 0 = day 1) every
    impressions channel marked in ``channels`` (None: every one) spends the ``share`` of its
    budget on the ``held`` customers and the rest on the others, each part drawn from its own
    group's members of the channel's audience."""

    held: np.ndarray  # bool, one per row
    share: float  # 0..1, the held-out group's share of customers and of every budget
    first: int
    last: int
    channels: np.ndarray | None = None  # bool, one per channel: the channels split (None: every one)

    def splits(self, channel: int, day: int) -> bool:
        """Whether ``channel``'s budget is split on ``day`` (a day index)."""
        return self.first <= day <= self.last and (self.channels is None or bool(self.channels[channel]))

    def sample(self, draw: Callable[[np.ndarray, int], np.ndarray], n: int, attended: int,
               audience: np.ndarray) -> np.ndarray:
        """Recipients of ``n`` impressions in two markets: the held-out group's share of them drawn
        among its own members of the audience, then the rest among the others.

        Parameters
        ----------
        draw : callable
            ``draw(rows, k)``: ``k`` recipients drawn from ``rows`` (the channel's sampler).
        n, attended : int
            Impressions bought, and how many of them are attended.
        audience : ndarray of int
            The rows the channel can reach today (an audience rule's rows may repeat, to weigh them).

        Returns
        -------
        ndarray of int64
            The recipients, the ``attended`` first (each group's attended share of them). A group
            without anyone in the audience today leaves its share to the other.
        """
        in_held = self.held[audience]
        held, rest = audience[in_held], audience[~in_held]
        if held.size and rest.size:
            n_held, attended_held = round(n * self.share), round(attended * self.share)
        else:
            n_held, attended_held = (n, attended) if held.size else (0, 0)
        first = draw(held, n_held) if n_held else np.empty(0, np.int64)
        second = draw(rest, n - n_held) if n > n_held else np.empty(0, np.int64)
        attended_rest = attended - attended_held
        return np.concatenate([first[:attended_held], second[:attended_rest],
                               first[attended_held:], second[attended_rest:]])
