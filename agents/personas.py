"""Personas: named segments with shares and trait distributions, sampled into arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from journeysim.sim.config import TRAITS, UNIT_TRAITS, PopulationSpec


def largest_remainder(shares: np.ndarray, total: int) -> np.ndarray:
    """Split ``total`` into integer counts proportional to ``shares`` (sums exactly to total)."""
    raw = shares * total
    counts = np.floor(raw).astype(np.int64)
    short = total - counts.sum()
    counts[np.argsort(-(raw - counts), kind="stable")[:short]] += 1
    return counts


@dataclass
class Population:
    """The personas of a run and where their customers sit in the state arrays.

    Customers are stored sorted by persona, so persona ``k`` owns the contiguous rows
    ``starts[k]:starts[k + 1]``; sampling a customer of a persona is one uniform draw.
    """

    names: tuple[str, ...]
    counts: np.ndarray
    starts: np.ndarray
    affinity: np.ndarray  # (personas, channels)
    trait_means: dict[str, np.ndarray]  # trait -> (personas,)
    heterogeneity: float
    repurchase_heterogeneity: float | None = None  # cv of the repurchase rate (None: heterogeneity)

    @classmethod
    def from_spec(cls, spec: PopulationSpec, channel_names: tuple[str, ...]) -> Population:
        """Persona counts and affinity matrix for ``spec`` (channels missing from a
        persona's affinity get 1)."""
        shares = np.array([p.share for p in spec.personas])
        counts = largest_remainder(shares / shares.sum(), spec.size)
        starts = np.concatenate([[0], np.cumsum(counts)])
        affinity = np.array([[p.affinity.get(c, 1.0) for c in channel_names] for p in spec.personas])
        means = {t: np.array([p.traits[t] for p in spec.personas]) for t in TRAITS}
        return cls(tuple(p.name for p in spec.personas), counts, starts, affinity.reshape(
            len(spec.personas), len(channel_names)), means, spec.heterogeneity,
            spec.repurchase_heterogeneity)

    @property
    def size(self) -> int:
        """Number of customers."""
        return int(self.counts.sum())

    def persona_codes(self) -> np.ndarray:
        """Persona code of each row (int16, sorted)."""
        return np.repeat(np.arange(len(self.names), dtype=np.int16), self.counts)

    def entrant_codes(self, n: int, shares: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Persona codes of ``n`` entrants, drawn by the personas' ``shares`` (int16, in entry order)."""
        return rng.choice(len(self.names), size=n, p=shares / shares.sum()).astype(np.int16)

    def sample_traits(self, rng: np.random.Generator, codes: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Draw every trait per customer: gamma around the persona mean with the
        population's coefficient of variation (shares are clipped to [0, 1]). ``codes``: the
        personas of the customers to draw (default: the initial population, persona-sorted)."""
        codes = self.persona_codes() if codes is None else codes
        traits = {}
        for trait in TRAITS:
            mean = self.trait_means[trait][codes]
            cv = self.heterogeneity
            if trait == "repurchase_rate" and self.repurchase_heterogeneity is not None:
                cv = self.repurchase_heterogeneity
            if cv > 0:
                shape = 1.0 / cv**2
                values = rng.gamma(shape, 1.0 / shape, size=codes.size) * mean
            else:
                values = mean.copy()
            if trait in UNIT_TRAITS:
                np.clip(values, 0.0, 1.0, out=values)
            traits[trait] = values.astype(np.float32)
        return traits
