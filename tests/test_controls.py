"""The lever API (``model.controls``): levers, experiments and the page change a run only
through it, and its scoped operations move the scope's customers and nobody else."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import numpy as np
import pytest

from journeysim.runner import build_model
from journeysim.sim.controls import SharedResourceError
from journeysim.sim.model import JourneyModel
from tests.conftest import make_spec

ROOT = Path(__file__).resolve().parents[1]
PAGE_CANDIDATES = ("journeysim/app.py", "journeysim/page.py", "sim/app.py")
MODEL_FACTORIES = {"build_model", "JourneyModel", "run_market", "make_model"}
"""Calls that return a model (besides functions annotated ``-> ...Model`` in the scanned code)."""


# ------------------------------------------------------------------ the scan
def lever_modules() -> list[Path]:
    """Every module of scenarios/ and experiments/, and the page."""
    files = sorted((ROOT / "scenarios").rglob("*.py")) + sorted((ROOT / "experiments").rglob("*.py"))
    pages = [ROOT / name for name in PAGE_CANDIDATES if (ROOT / name).exists()]
    assert pages, f"the page is in none of {PAGE_CANDIDATES}: update PAGE_CANDIDATES"
    return files + pages


def root_name(node: ast.AST) -> str | None:
    """``model`` for ``model.a.b[c].d``; None when the chain starts at a call or a literal."""
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Starred):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def model_returning_functions(trees: list[ast.Module]) -> set[str]:
    """Names of functions in the scanned code annotated to return a model."""
    names = set(MODEL_FACTORIES)
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.returns is not None and \
                    ast.unparse(node.returns).strip("'\"").endswith("Model"):
                names.add(node.name)
    return names


def is_model_expression(node: ast.AST, models: set[str], factories: set[str]) -> bool:
    """Whether ``node`` is a model or a part of one (an alias such as ``s = model.state``)."""
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name in factories or (name == "run" and root_name(func) in models)
    return isinstance(node, ast.Attribute | ast.Subscript | ast.Name) and root_name(node) in models


def scope_violations(scope: ast.AST, models: set[str], factories: set[str], own: set[str],
                     engine_attributes: set[str], where: str) -> list[str]:
    """Writes into the model and reads of its underscore attributes within one function (or
    module body), following aliases to parts of the model."""
    models = set(models)
    for arg in ast.walk(scope.args) if isinstance(scope, ast.FunctionDef) else ():
        if isinstance(arg, ast.arg) and arg.annotation is not None and \
                ast.unparse(arg.annotation).strip("'\"").endswith("Model"):
            models.add(arg.arg)
    assignments = [n for n in ast.walk(scope) if isinstance(n, ast.Assign | ast.AnnAssign | ast.AugAssign)]
    for _ in range(3):  # aliases of aliases
        for node in assignments:
            if isinstance(node, ast.Assign) and node.value is not None:
                pairs = [(t, node.value) for t in node.targets]
                pairs += [(t, v) for t in node.targets if isinstance(t, ast.Tuple) and isinstance(node.value, ast.Tuple)
                          for t, v in zip(t.elts, node.value.elts, strict=False)]
                for target, value in pairs:
                    if isinstance(target, ast.Name) and is_model_expression(value, models, factories):
                        models.add(target.id)
        for node in ast.walk(scope):
            if isinstance(node, ast.For) and is_model_expression(node.iter, models, factories):
                models.update(n.id for n in ast.walk(node.target) if isinstance(n, ast.Name))
    found = []
    for node in assignments:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        flat = [e for t in targets for e in (t.elts if isinstance(t, ast.Tuple) else [t])]
        for target in flat:
            if not isinstance(target, ast.Attribute | ast.Subscript) or root_name(target) not in models:
                continue
            if root_name(target) in own and isinstance(target, ast.Attribute) and \
                    isinstance(target.value, ast.Name) and target.attr not in engine_attributes:
                continue  # a page model's own new attribute (``self.sample = ...``)
            found.append(f"{where}:{node.lineno}: writes {ast.unparse(target)}")
    for node in ast.walk(scope):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__") \
                and root_name(node) in models:
            found.append(f"{where}:{node.lineno}: reads {ast.unparse(node)}")
    return found


def violations(source: str, where: str, engine_attributes: set[str], factories: set[str]) -> list[str]:
    """Every write into a model and read of a model's underscore attribute in ``source``.

    A model is any name ``model``, a parameter annotated as a ``...Model``, the result of a
    call that builds or runs one, ``self`` inside a subclass of a ``...Model`` (it may add new
    attributes of its own, not overwrite the engine's), and any alias to a part of one.
    Mutating calls (``np.add.at(model.state.interest, ...)``) are not seen: review them.
    """
    tree = ast.parse(source)
    found: list[str] = []
    subclass_methods: dict[ast.AST, bool] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(ast.unparse(b).endswith("Model") for b in node.bases):
            for item in node.body:
                subclass_methods[item] = True
    scopes = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)]
    functions = [f for n in scopes for f in ([n] if isinstance(n, ast.FunctionDef) else n.body)
                 if isinstance(f, ast.FunctionDef)]
    module_body = ast.Module(body=[n for n in tree.body if not isinstance(n, ast.FunctionDef | ast.ClassDef)],
                             type_ignores=[])
    found += scope_violations(module_body, {"model"}, factories, set(), engine_attributes, where)
    for function in functions:
        own = {"self"} if function in subclass_methods else set()
        found += scope_violations(function, {"model", *own}, factories, own, engine_attributes, where)
    return found


@functools.lru_cache
def small_model() -> JourneyModel:
    return build_model(make_spec("population.size=300", "days=5", "seed=3"))


def engine_attribute_names() -> set[str]:
    """Attributes of a built engine model (a page subclass must not overwrite these)."""
    model = small_model()
    return set(vars(model)) | {name for name in dir(JourneyModel)}


SNIPPET = '''
def before_day(self, model, day):
    model.friction = 0.1
    model.rates.discount = 0.2
    model.budgets[2] += 5.0
    s, c = model.state, model.collector
    s.traits["churn_propensity"][rows] *= 0.5
    channel = model.touchpoints.channels[3]
    channel.audience_rule = None
    for each in model.touchpoints.channels:
        each.affinity_power = 2.0
    hidden = model.touchpoints._audiences
    fine = model.controls.set_discount(0.2)
    copy = np.array(model.controls.budgets)
    copy[0] = 1.0

def experiment(spec) -> "JourneyModel":
    run = build_model(spec)
    run.levers.append(None)
    return run

class PageModel(JourneyModel):
    def __init__(self):
        self.sample = 3
        self.state = None
        self.word_of_mouth.talk_multiplier = 2.0
'''


def test_the_scan_finds_writes_aliases_and_private_reads() -> None:
    found = violations(SNIPPET, "snippet", {"state", "word_of_mouth", "controls"}, set(MODEL_FACTORIES))
    written = sorted(line.split(": ", 1)[1] for line in found)
    assert written == sorted([
        "writes model.friction", "writes model.rates.discount", "writes model.budgets[2]",
        "writes s.traits['churn_propensity'][rows]", "writes channel.audience_rule", "writes each.affinity_power",
        "reads model.touchpoints._audiences", "writes self.state", "writes self.word_of_mouth.talk_multiplier",
    ]), found  # run.levers.append is a call: reviewed by hand, not seen


def test_no_lever_experiment_or_page_writes_into_the_model() -> None:
    modules = lever_modules()
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in modules]
    factories = model_returning_functions(trees)
    engine = engine_attribute_names()
    found = [v for path in modules
             for v in violations(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)), engine, factories)]
    assert not found, "use model.controls (sim/controls.py) instead:\n" + "\n".join(found)


# ------------------------------------------------------------------ scoped operations
ISOLATED = ("population.size=3000", "days=120", "seed=5", "network.talk_rate=0", "market.checkout_friction=0",
            "market.review_weight=0", "channels.search.daily_budget=0", "channels.website.daily_budget=0",
            "channels.reviews.daily_budget=0", "channels.email.daily_budget=0", "market.demand.need_rate=0")
"""A market whose customers cannot affect each other's first purchase: no word of mouth, no
review score, no stage-targeted media (its audience depends on others' stages), no checkout
draws (no friction on any device). A scoped lever then changes only its scope's first purchases.
No organic demand either, so every first purchase follows an exposure."""


def first_purchase_days(model: JourneyModel, setup=None) -> np.ndarray:
    """Day of each customer's first order (-1: never), stepping ``model`` to its end."""
    if setup is not None:
        setup(model.controls)
    first = np.full(model.state.size, -1)
    while model.day < model.spec.days:
        model.step()
        new = (model.state.purchases > 0) & (first < 0)
        first[new] = model.day - 1
    return first


@functools.lru_cache
def isolated_baseline() -> np.ndarray:
    return first_purchase_days(build_model(make_spec(*ISOLATED)))


def persona_mask(model: JourneyModel, persona: str) -> np.ndarray:
    return model.state.persona == model.population.names.index(persona)


def isolated_run(setup) -> tuple[np.ndarray, np.ndarray]:
    """First-purchase days with ``setup(controls)`` applied before day 0, and the deal seekers."""
    model = build_model(make_spec(*ISOLATED))
    return first_purchase_days(model, setup), persona_mask(model, "deal_seeker")


def test_a_discount_for_one_persona_raises_its_purchases_and_leaves_the_others_exactly() -> None:
    before = isolated_baseline()
    after, seekers = isolated_run(lambda controls: controls.set_discount(0.3, scope="deal_seeker"))
    assert (after[seekers] >= 0).sum() > 1.1 * (before[seekers] >= 0).sum()
    np.testing.assert_array_equal(after[~seekers], before[~seekers])


def test_an_exposure_holdout_for_one_persona_lowers_its_purchases_and_leaves_the_others_exactly() -> None:
    before = isolated_baseline()
    after, seekers = isolated_run(lambda controls: controls.add_exposure_modifier(0.0, scope="deal_seeker"))
    assert (after[seekers] >= 0).sum() < 0.8 * (before[seekers] >= 0).sum()
    np.testing.assert_array_equal(after[~seekers], before[~seekers])


def test_a_discount_scoped_to_everyone_runs_exactly_like_an_unscoped_discount() -> None:
    runs = []
    for everyone in (lambda model: None, lambda model: np.ones(model.state.size, bool)):  # entrants' rows too
        model = build_model(make_spec("population.size=2000", "days=90", "seed=2"))
        model.controls.set_discount(0.25, scope=everyone(model))
        runs.append(model.run().collector.stage_counts)
    np.testing.assert_array_equal(runs[0], runs[1])


def test_a_scope_over_the_people_entered_so_far_leaves_later_entrants_out() -> None:
    model = build_model(make_spec("population.size=2000", "days=90", "seed=2"))
    state, controls = model.state, model.controls
    assert state.size > state.entered == 2000  # rows are held for the entrants
    controls.set_checkout_friction(0.0, scope=np.ones(2000, bool))
    controls.set_discount(0.25, scope=np.arange(2000))
    model.run()
    entrants = np.arange(2000, state.entered)
    assert entrants.size > 0
    assert (controls.friction_of(np.arange(2000)) == 0.0).all()
    assert (controls.friction_of(entrants) == model.spec.market.checkout_friction).all()
    list_price = model.spec.market.price
    assert (controls.offered_price(np.arange(2000)) < list_price).all()
    assert (controls.offered_price(entrants) == list_price).all()
    by_persona = controls.scope_mask("loyalist")  # a persona includes its entrants
    assert by_persona[entrants].any() and by_persona.size == state.size


def test_lower_checkout_friction_for_one_persona_raises_its_purchases() -> None:
    def purchases(scope) -> tuple[int, int]:
        model = build_model(make_spec("population.size=3000", "days=120", "seed=5"))
        if scope:
            model.controls.set_checkout_friction(0.0, scope=scope)
        model.run()
        seekers = persona_mask(model, "deal_seeker")
        return int((model.state.purchases[seekers] > 0).sum()), int((model.state.purchases[~seekers] > 0).sum())

    (base_in, base_out), (fixed_in, fixed_out) = purchases(None), purchases("deal_seeker")
    assert fixed_in > 1.1 * base_in
    assert abs(fixed_out - base_out) < 0.1 * base_out


def referrers(scale: float | None) -> tuple[float, int]:
    """Share of referrers who are deal seekers, and conversations held, with the deal seekers'
    word of mouth scaled by ``scale`` (None: as configured)."""
    model = build_model(make_spec("population.size=3000", "days=150", "seed=5"))
    if scale is not None:
        model.controls.scale_word_of_mouth(scale, scope="deal_seeker")
    model.run()
    talkers = model.referred_by[model.referred_by >= 0]
    seekers = persona_mask(model, "deal_seeker")
    return float(seekers[talkers].mean()), int(model.collector.daily["conversations_positive"].sum())


def test_word_of_mouth_scaled_for_one_persona_changes_how_often_it_refers() -> None:
    share, _ = referrers(None)
    louder, _ = referrers(3.0)
    silent, _ = referrers(0.0)
    assert louder > share + 0.1
    assert silent == 0.0 and share > 0


def test_scaled_traits_change_only_the_scope() -> None:
    model = build_model(make_spec("population.size=300", "days=5", "seed=3"))
    churn = model.state.traits["churn_propensity"].copy()
    seekers = persona_mask(model, "deal_seeker")
    model.controls.scale_traits({"churn_propensity": 0.5}, scope="deal_seeker")
    after = model.state.traits["churn_propensity"]
    np.testing.assert_allclose(after[seekers], churn[seekers] * 0.5, rtol=1e-6)
    np.testing.assert_array_equal(after[~seekers], churn[~seekers])


@pytest.mark.parametrize("operation", [
    lambda c: c.set_support_staff(3, scope="deal_seeker"),
    lambda c: c.set_fulfilment_capacity(100.0, scope=np.ones(300, bool)),
    lambda c: c.set_budget("search", 10.0, scope="deal_seeker"),
])
def test_shared_resources_refuse_a_customer_scope_and_suggest_a_switchback_or_geo_test(operation) -> None:
    with pytest.raises(SharedResourceError, match="switchback test.*geo test"):
        operation(build_model(make_spec("population.size=300", "days=5", "seed=3")).controls)


@pytest.mark.parametrize(("scope", "allowed"), [
    ("deal_seker", "did you mean 'deal_seeker'"),
    (np.ones(5, bool), r"boolean mask over the 300 customers who have entered so far, or over all 3\d\d rows"),
    (np.array([0, 300]), "customer rows from 0 to 299")])
def test_a_bad_scope_names_what_is_allowed(scope, allowed) -> None:
    with pytest.raises(ValueError, match=allowed):
        small_model().controls.set_discount(0.1, scope=scope)


def test_a_bad_mask_in_a_closed_population_names_its_customers() -> None:
    model = build_model(make_spec("population.size=300", "days=5", "seed=3", "market.demand.entry_rate=0",
                                  "market.demand.exit_rate=0"))
    with pytest.raises(ValueError, match=r"a boolean mask over the 300 customers\.$"):
        model.controls.set_discount(0.1, scope=np.ones(5, bool))


def test_old_lever_attributes_still_work_with_a_deprecation_warning() -> None:
    model = build_model(make_spec("population.size=300", "days=5", "seed=3"))
    with pytest.deprecated_call(match="model.controls.set_checkout_friction"):
        model.friction = 0.05
    with pytest.deprecated_call(match="model.controls.budgets"):
        model.budgets[0] = 7.0
    assert model.controls.friction == 0.05 and model.controls.budgets[0] == 7.0


def test_audiences_of_broadcast_media_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'tv' is not allowed: an impressions channel"):
        small_model().controls.target_stages("tv", [1, 2])
