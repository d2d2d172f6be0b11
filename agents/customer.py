"""The customer as a Mesa agent: a view onto one row of the model's customer arrays.

``Stage`` and ``STAGE_NAMES`` live in :mod:`journeysim.sim.stages`; they are re-exported here
so older imports keep working.
"""

from __future__ import annotations

import itertools
import weakref
from typing import TYPE_CHECKING

import mesa

from journeysim.sim.satisfaction import set_satisfaction
from journeysim.sim.stages import STAGE_NAMES, Stage, set_stage

__all__ = ["STAGE_NAMES", "Customer", "Stage"]

if TYPE_CHECKING:
    import pandas as pd

    from journeysim.sim.model import JourneyModel


class ModelCounters(weakref.WeakKeyDictionary):
    """Each model's next ``unique_id``, held without keeping the model alive.

    Mesa 3.3.1 counts agents' ids in ``mesa.Agent._ids``, a class-level ``defaultdict`` keyed by
    model: every model that ever created an agent stays in memory for the life of the process (Mesa
    issue #3179, fixed in PR #3180 for releases that need Python 3.12). ``Customer._ids`` is this
    weak dictionary instead, so a finished model is freed once nothing else refers to it; ids still
    count 1, 2, ... per model, as in Mesa.
    """

    def __getitem__(self, model: object) -> itertools.count:
        """The model's id counter, created at 1 on first use (as Mesa's ``defaultdict`` does)."""
        try:
            return super().__getitem__(model)
        except KeyError:
            counter = itertools.count(1)
            self[model] = counter
            return counter


class Customer(mesa.Agent):
    """One synthetic customer.

    The agent holds only its row index; every attribute reads and writes the
    model's arrays, so the vectorised step and Mesa tools see the same state.

    Parameters
    ----------
    model : JourneyModel
        The model whose arrays hold this customer's state.
    row : int
        Row of this customer in the state arrays.
    """

    _ids = ModelCounters()  # not Mesa's class-level dict, which keeps every model alive (see ModelCounters)

    def __init__(self, model: JourneyModel, row: int) -> None:
        super().__init__(model)
        self.row = int(row)

    @property
    def stage(self) -> Stage:
        """Current journey stage."""
        return Stage(int(self.model.state.stage[self.row]))

    @stage.setter
    def stage(self, value: Stage | int | str) -> None:
        if isinstance(value, str):
            value = Stage[value.upper()]
        set_stage(self.model.state, self.row, value)

    @property
    def persona(self) -> str:
        """Name of the customer's persona."""
        return self.model.population.names[int(self.model.state.persona[self.row])]

    @property
    def interest(self) -> float:
        """Purchase interest: accumulated, decaying touchpoint and word-of-mouth effect."""
        return float(self.model.state.interest[self.row])

    @interest.setter
    def interest(self, value: float) -> None:
        self.model.state.interest[self.row] = value

    @property
    def satisfaction(self) -> float:
        """Satisfaction with the product and service, from -1 (angry) to 1 (delighted)."""
        return float(self.model.state.satisfaction[self.row])

    @satisfaction.setter
    def satisfaction(self, value: float) -> None:
        set_satisfaction(self.model.state, self.row, value)

    @property
    def traits(self) -> dict[str, float]:
        """The customer's persona traits, drawn at creation."""
        return {name: float(values[self.row]) for name, values in self.model.state.traits.items()}

    @property
    def purchases(self) -> int:
        """Number of orders placed so far."""
        return int(self.model.state.purchases[self.row])

    @property
    def account(self) -> int | None:
        """The B2B account the customer decides for (an index into ``model.accounts``; None: B2C,
        a single decision maker; see :mod:`journeysim.sim.accounts`)."""
        accounts = self.model.accounts
        code = -1 if accounts is None else int(accounts.account[self.row])
        return None if code < 0 else code

    @property
    def role(self) -> str | None:
        """The customer's role in their account's buying committee (champion, user, technical,
        finance, procurement; None: B2C)."""
        from journeysim.sim.schema.accounts import ROLES

        account = self.account
        return None if account is None else ROLES[int(self.model.accounts.role[self.row])]

    @property
    def history(self) -> pd.DataFrame:
        """This customer's journey from the event log (empty if the customer is not sampled)."""
        return self.model.journey_log.history(self.row)

    def __repr__(self) -> str:
        return f"Customer(row={self.row}, stage={self.stage.label}, persona={self.persona})"
