"""Laws of brand buying (issue #22): the checks pass on the published toothpaste category and fail on broken tables.

The toothpaste fixture is the NBD-Dirichlet example of Goodhardt, Ehrenberg and Chatfield (1984)
as EVIDENCE §6 lists it (shares and penetrations of eight brands; category penetration 0.56,
2.6 purchases per buyer); its duplication is the fitted Dirichlet's.
"""

from __future__ import annotations

import math
from dataclasses import replace

import matplotlib
import numpy as np
import pytest

from journeysim.experiments.validation import brand_laws, dirichlet
from journeysim.experiments.validation.brand_laws import BrandTable, brand_table

matplotlib.use("Agg")

EXPERIMENT = "test"


@pytest.fixture(scope="module")
def toothpaste() -> BrandTable:
    return dirichlet.toothpaste()


def statuses(checks) -> list[bool | None]:
    return [check.passed for check in checks]


# ---------------------------------------------------------------- counting b, w and duplication
def test_brand_table_counts_penetration_frequency_share_and_duplication_by_hand() -> None:
    # 5 customers x 3 brands; customer 4 buys nothing (still counts in penetration)
    purchases = np.array([[2, 1, 0],
                          [1, 0, 0],
                          [0, 3, 1],
                          [4, 0, 1],
                          [0, 0, 0]])
    table = brand_table(purchases, ["A", "B", "C"])
    # A: 3 buyers of 5, 7 purchases; B: 2 buyers, 4 purchases; C: 2 buyers, 2 purchases; 13 in all
    np.testing.assert_allclose(table.penetration, [3 / 5, 2 / 5, 2 / 5])
    np.testing.assert_allclose(table.frequency, [7 / 3, 4 / 2, 2 / 2])
    np.testing.assert_allclose(table.share, [7 / 13, 4 / 13, 2 / 13])
    # A's buyers (0, 1, 3): one buys B (0), one buys C (3); B's buyers (0, 2): one buys A, one C; ...
    expected = np.array([[np.nan, 1 / 3, 1 / 3],
                         [1 / 2, np.nan, 1 / 2],
                         [1 / 2, 1 / 2, np.nan]])
    np.testing.assert_allclose(table.duplication, expected)
    np.testing.assert_allclose(table.loyalty, [7 / 3 * 2 / 5, 2 * 3 / 5, 1 * 3 / 5])
    assert list(table.frame()["brand"]) == ["A", "B", "C"]
    assert "dup_B" in table.frame()


def test_buyers_and_purchase_totals_give_the_same_table_as_per_customer_counts() -> None:
    purchases = np.array([[2, 1, 0], [1, 0, 0], [0, 3, 1], [4, 0, 1], [0, 0, 0]])
    by_counts = brand_table(purchases)
    mask = np.array([0b011, 0b001, 0b110, 0b101, 0])  # bit b set: bought brand b
    bought = brand_laws.bought_from_mask(mask, 3)
    np.testing.assert_array_equal(bought, purchases > 0)
    by_buyers = brand_laws.brand_table_from_buyers(bought, purchases.sum(axis=0))
    for name in ("share", "penetration", "frequency", "duplication"):
        np.testing.assert_array_equal(getattr(by_buyers, name), getattr(by_counts, name))


def test_a_brand_nobody_buys_has_no_frequency_or_duplication_and_is_left_out_of_the_laws() -> None:
    purchases = np.array([[1, 0, 0], [2, 1, 0], [0, 1, 0], [1, 0, 0]])
    table = brand_table(purchases)
    assert table.brands == ("B1", "B2", "B3")
    assert table.penetration[2] == 0 and math.isnan(table.frequency[2])
    assert np.isnan(table.duplication[2]).all()
    assert len(brand_laws.duplication_pairs(table)) == 4  # B1->B2, B1->B3, B2->B1, B2->B3


def test_brand_table_refuses_negative_counts_and_a_wrong_number_of_names() -> None:
    with pytest.raises(ValueError, match="counts >= 0"):
        brand_table(np.array([[1, -1]]))
    with pytest.raises(ValueError, match="2 brand names for 3 brands"):
        brand_table(np.ones((2, 3), int), ["a", "b"])


# ---------------------------------------------------------------- the published category
def test_toothpaste_dirichlet_fit_reproduces_the_published_parameters() -> None:
    model = dirichlet.toothpaste_model()
    # NBDdirichlet's documented fit of this example: M = 1.46, K = 0.78, S = 1.55
    assert model.mean == pytest.approx(1.456)
    assert model.k == pytest.approx(0.78, abs=0.005)
    assert model.s == pytest.approx(1.55, abs=0.005)
    np.testing.assert_allclose(model.penetration(), dirichlet.TOOTHPASTE_PENETRATIONS, atol=0.012)


def test_toothpaste_buying_rates_follow_from_shares_and_penetrations(toothpaste: BrandTable) -> None:
    # EVIDENCE §6: w(1 - b) ranges 1.35-1.67 across the eight brands, mean about 1.48
    assert toothpaste.loyalty.min() == pytest.approx(1.35, abs=0.005)
    assert toothpaste.loyalty.max() == pytest.approx(1.67, abs=0.005)
    assert toothpaste.loyalty.mean() == pytest.approx(1.48, abs=0.005)


def test_double_jeopardy_holds_in_the_published_toothpaste_category(toothpaste: BrandTable) -> None:
    dj = brand_laws.double_jeopardy(toothpaste)
    assert dj.penetration_rho == pytest.approx(0.982, abs=0.001)
    assert dj.frequency_rho == pytest.approx(0.602, abs=0.001)
    assert dj.loyalty_spread == pytest.approx(0.218, abs=0.001)
    assert statuses(brand_laws.double_jeopardy_checks(toothpaste, EXPERIMENT)) == [True, True, True]


def test_duplication_of_purchase_holds_in_the_toothpaste_dirichlet(toothpaste: BrandTable) -> None:
    dup = brand_laws.duplication_of_purchase(toothpaste)
    assert dup.pairs == 56
    assert dup.r_squared > 0.99
    assert dup.coefficient == pytest.approx(1.25, abs=0.02)  # the category's duplication coefficient D
    assert statuses(brand_laws.duplication_checks(toothpaste, EXPERIMENT)) == [True]


# ---------------------------------------------------------------- broken tables fail
def test_double_jeopardy_fails_when_small_brands_have_the_most_buyers(toothpaste: BrandTable) -> None:
    broken = replace(toothpaste, penetration=toothpaste.penetration[::-1].copy())
    assert statuses(brand_laws.double_jeopardy_checks(broken, EXPERIMENT))[0] is False


def test_double_jeopardy_fails_when_small_brands_are_bought_most_often(toothpaste: BrandTable) -> None:
    broken = replace(toothpaste, frequency=np.linspace(1.2, 3.0, 8))  # shares fall down the table, w rises
    passed = statuses(brand_laws.double_jeopardy_checks(broken, EXPERIMENT))
    assert passed[0] is True and passed[1] is False


def test_double_jeopardy_fails_when_w_one_minus_b_varies_by_a_quarter_of_its_mean(toothpaste: BrandTable) -> None:
    frequency = toothpaste.frequency.copy()
    frequency[0] *= 1.3  # the leader bought 30% more often: w(1 - b) spread above 25%
    broken = replace(toothpaste, frequency=frequency)
    passed = statuses(brand_laws.double_jeopardy_checks(broken, EXPERIMENT))
    assert passed == [True, True, False]
    assert brand_laws.double_jeopardy(broken).loyalty_spread > brand_laws.LOYALTY_SPREAD


def test_duplication_fails_in_a_partitioned_market(toothpaste: BrandTable) -> None:
    # two submarkets of four brands: a brand's buyers buy within their half, rarely across it
    half = np.arange(8) < 4
    same = half[:, None] == half[None, :]
    duplication = np.where(same, 0.6, 0.01)
    np.fill_diagonal(duplication, np.nan)
    broken = replace(toothpaste, duplication=duplication)
    assert brand_laws.duplication_of_purchase(broken).r_squared < brand_laws.DUPLICATION_R2
    assert statuses(brand_laws.duplication_checks(broken, EXPERIMENT)) == [False]


def test_laws_are_undefined_with_fewer_than_three_brands() -> None:
    table = brand_table(np.array([[1, 0], [0, 2], [1, 1]]))
    assert statuses(brand_laws.double_jeopardy_checks(table, EXPERIMENT))[:2] == [False, False]
    assert math.isnan(brand_laws.duplication_of_purchase(table).r_squared)


# ---------------------------------------------------------------- counts simulated from the Dirichlet
def test_purchases_drawn_from_the_toothpaste_dirichlet_obey_both_laws() -> None:
    rng = np.random.default_rng(7)
    model = dirichlet.toothpaste_model()
    n = 40_000
    category = rng.poisson(rng.gamma(model.k, model.mean / model.k, n))
    shares = np.append(model.shares, 1 - model.shares.sum())  # the eight brands hold 86%; the rest are others
    choice = rng.dirichlet(model.s * shares, n)
    purchases = np.array([rng.multinomial(c, p) for c, p in zip(category, choice, strict=True)])
    table = brand_table(purchases[:, :8], dirichlet.TOOTHPASTE_BRANDS)
    np.testing.assert_allclose(table.penetration, model.penetration(), atol=0.01)
    np.testing.assert_allclose(table.duplication, model.duplication(), atol=0.05)
    assert all(statuses(brand_laws.double_jeopardy_checks(table, EXPERIMENT) +
                        brand_laws.duplication_checks(table, EXPERIMENT)))


# ---------------------------------------------------------------- cross-price elasticity
def test_cross_price_elasticity_is_positive_when_a_rivals_cut_takes_our_orders() -> None:
    # rival cuts 20%; we lose 5% of orders: ln(0.95) / ln(0.8) = 0.230
    e = brand_laws.cross_price_elasticity(1000, 950, -0.2)
    assert e == pytest.approx(math.log(0.95) / math.log(0.8))
    assert statuses(brand_laws.cross_price_checks(e, EXPERIMENT)) == [True]


# a 20% rival cut and our orders after it: e = ln(orders / 1000) / ln(0.8)
@pytest.mark.parametrize(("orders_changed", "passed"), [(1000, False), (1060, False), (990, False),  # 0, < 0, 0.045
                                                        (980, True), (810, True), (700, False)])  # 0.091, 0.944, 1.60
def test_cross_price_check_accepts_005_to_1_only(orders_changed: float, passed: bool) -> None:
    e = brand_laws.cross_price_elasticity(1000, orders_changed, -0.2)
    assert statuses(brand_laws.cross_price_checks(e, EXPERIMENT)) == [passed]


def test_cross_price_elasticity_refuses_no_change_and_is_nan_without_orders() -> None:
    with pytest.raises(ValueError, match="price_change"):
        brand_laws.cross_price_elasticity(10, 9, 0.0)
    assert math.isnan(brand_laws.cross_price_elasticity(0, 9, 0.1))


# ---------------------------------------------------------------- figures
def test_figures_draw_every_brand_and_every_pair(toothpaste: BrandTable) -> None:
    ax = brand_laws.plot_double_jeopardy(toothpaste)
    assert len(ax.texts) == 8
    ax = brand_laws.plot_duplication(toothpaste)
    assert len(ax.collections[0].get_offsets()) == 56
    assert "R²" in ax.get_title()


def test_toothpaste_experiment_passes_and_writes_its_table_and_figure(tmp_path) -> None:
    outcome = dirichlet.run(tmp_path)
    assert outcome.passed and len(outcome.checks) == 4
    assert sorted(path.name for path in outcome.files) == ["brand_laws_toothpaste.csv", "brand_laws_toothpaste.png"]
    assert all(path.is_file() for path in outcome.files)
