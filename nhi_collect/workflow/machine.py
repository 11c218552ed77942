"""Firing the transitions Machine for households, one at a time (staff actions, the parity check).

The Machine (definition.Workflow.machine) is built once with model=None; each household gets a
short-lived model whose condition methods are the Python guards, added with its stored stage as
`initial` (without it transitions would reset the state) and removed after the decision.
"""

from __future__ import annotations

from collections import defaultdict

from ..errors import UserError
from .definition import Workflow
from .guards import Context, Facts, guard


class Refused(UserError):
    """A move the law or the policy does not allow; the message names the rule."""


class _Household:
    def __init__(self, facts: Facts, ctx: Context):
        self._facts, self._ctx = facts, ctx

    def __getattr__(self, name):
        try:
            named = guard(name)
        except KeyError:
            raise AttributeError(name) from None
        return lambda *_args, **_kwargs: named.python(self._facts, self._ctx)


def decide(workflow: Workflow, trigger: str, facts: Facts, ctx: Context) -> str | None:
    """The stage the Machine moves this household to, or None when no edge of `trigger` applies."""
    machine = workflow.machine
    if trigger not in machine.get_triggers(facts.stage):
        return None
    model = _Household(facts, ctx)
    machine.add_model(model, initial=facts.stage)
    try:
        moved = getattr(model, trigger)()
        return model.state if moved else None
    finally:
        machine.remove_model(model)


def fire_all(workflow: Workflow, trigger: str, facts: dict[int, Facts], ctx: Context) -> dict[str, list[int]]:
    """Household ids per destination, deciding each household through the Machine."""
    moves: dict[str, list[int]] = defaultdict(list)
    for household_id in sorted(facts):
        dest = decide(workflow, trigger, facts[household_id], ctx)
        if dest is not None:
            moves[dest].append(household_id)
    return dict(moves)


NO_RUNG = ("refused: no rung to return to (区の方針: a plan or a suspension returns to the rung it left, the "
           "workflow file's dest = \"resume\")")


def not_from_stage(workflow: Workflow, trigger: str, stage: str, labels: bool = False) -> str:
    """The refusal of `trigger` from a stage outside its sources, with the transition's basis: the legal step
    missing (e.g. 差押 without a prior 督促状) or plainly the ward's policy."""
    t = workflow.transition(trigger)
    needs = ", ".join(workflow.stages[s] if labels else s for s in t.source)
    return (f"{trigger} is not possible from stage {stage} ({workflow.stages[stage]}); it needs one of {needs} "
            f"(no rung of the ladder may be skipped): {t.basis}")


def require(workflow: Workflow, trigger: str, facts: Facts, ctx: Context) -> str:
    """Decide a staff action, or refuse naming the stage rule or the guard's rule of law."""
    t = workflow.transition(trigger)
    if facts.stage not in t.source:
        raise Refused(not_from_stage(workflow, trigger, facts.stage))
    for name in t.guards:
        if not guard(name).python(facts, ctx):
            raise Refused(f"{trigger} refused for this household: {guard(name).rule}")
    dest = decide(workflow, trigger, facts, ctx)
    if dest is None:
        raise Refused(f"{trigger} {NO_RUNG}")
    return dest
