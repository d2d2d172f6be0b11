"""The Mesa facade of the model: one :class:`~journeysim.agents.customer.Customer` view per row (a mixin).

Customers' state lives in arrays (:mod:`journeysim.sim.state`); ``model.agents`` holds a view per
person in the market, created up front or on first access (``outputs.mesa_agents``), extended as
people enter and shrunk as they leave.
"""

from __future__ import annotations

import mesa
import numpy as np

from journeysim.agents.customer import Customer


class AgentViews:
    """``model.agents`` and ``model.customer(row)`` over the customer arrays."""

    _agents_made: bool = False

    def _make_agents(self) -> None:
        """Create one Customer view per person in the market (bulk, in row order)."""
        if not self._agents_made:
            self._agents_made = True
            rows = np.arange(self.state.entered)
            self._customers = list(Customer.create_agents(self, rows.size, rows))
            self._remove_agents(rows[~self.state.present[rows]])

    def _add_agents(self, rows: np.ndarray) -> None:
        """Entrants ``rows`` (the next rows in order) get their Customer views."""
        if self._agents_made:
            self._customers.extend(Customer.create_agents(self, rows.size, rows))

    def _remove_agents(self, rows: np.ndarray) -> None:
        """Leavers ``rows`` leave ``model.agents``; ``model.customer(row)`` still reads their row."""
        if self._agents_made:
            for row in rows:
                self._customers[row].remove()

    @property
    def agents(self) -> mesa.agent.AgentSet:
        """All Customer agents (created on first access when the population is large)."""
        self._make_agents()
        return super().agents

    def customer(self, row: int) -> Customer:
        """The Customer agent of ``row`` (a row in use: ``row < state.entered``)."""
        self._make_agents()
        return self._customers[row]
