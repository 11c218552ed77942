"""Loading a ward's workflow file into plain records and the one transitions Machine.

transitions' FAQ warns that one model object per record does not scale: the Machine is built with
model=None and serves as the single authority on which moves exist; single staff actions fire it
on a short-lived model, and the nightly batch is set-based SQL derived from the same transitions.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from transitions import Machine

from ..resources import data_dir

RESUME = "resume"  # destination meaning "the rung the household left"
LADDER = ("demanded", "reminder", "special_reminder", "property_investigation", "seizure_notice", "enforcement")


@dataclass(frozen=True)
class Transition:
    trigger: str
    source: tuple[str, ...]
    dest: str
    guards: tuple[str, ...]
    letter: str | None
    actor: str  # the duty that may fire it: a key of the workflow file's [roles]


@dataclass(frozen=True)
class CalendarJob:
    job: str
    every: str | None = None  # business_day | month_end
    months: tuple[int, ...] = ()
    day: int | None = None
    triggers: tuple[str, ...] = ()
    scope: dict = field(default_factory=dict)
    queue: str | None = None


@dataclass(frozen=True)
class Policy:
    demand_after_days: int
    demand_deadline_days: int
    reminder_after_deadline_days: int
    min_balance: int
    reply_days: int
    plan_grace_days: int
    band_months: int


@dataclass(frozen=True)
class Workflow:
    ward: dict
    policy: Policy
    stages: dict[str, str]  # id → Japanese label
    transitions: tuple[Transition, ...]
    calendar: tuple[CalendarJob, ...]
    payment_slip: dict = field(default_factory=dict)
    third_parties: dict = field(default_factory=dict)  # name → postal_code, address (banks, employers, …)
    targets: dict = field(default_factory=dict)  # collection-rate targets, "92.13" style
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)  # duty → staff roles carrying it
    actions: dict[str, str] = field(default_factory=dict)  # action that is no transition → its duty

    def transition(self, trigger: str) -> Transition:
        for t in self.transitions:
            if t.trigger == trigger:
                return t
        raise KeyError(trigger)

    @cached_property
    def machine(self) -> Machine:
        return Machine(model=None, states=list(self.stages), transitions=machine_transitions(self),
                       initial="clear", auto_transitions=False)


def default_path() -> Path:
    return data_dir("workflows") / "taisho.toml"


@lru_cache(maxsize=8)
def load(path: str | None = None) -> Workflow:
    raw = tomllib.loads(Path(path or default_path()).read_text("utf-8"))
    stages = {s["id"]: s["label"] for s in raw["stages"]}
    transitions = tuple(Transition(t["trigger"], tuple(t["source"]), t["dest"], tuple(t.get("guards", ())),
                                   t.get("letter"), t["actor"]) for t in raw["transitions"])
    for t in transitions:
        unknown = [s for s in (*t.source, t.dest) if s not in stages and s != RESUME]
        if unknown:
            raise ValueError(f"{path or default_path()}: transition {t.trigger} names unknown stage(s) {unknown}")
    calendar = tuple(CalendarJob(c["job"], c.get("every"), tuple(c.get("months", ())), c.get("day"),
                                 tuple(c.get("triggers", ())),
                                 {int(k): v for k, v in c.get("scope", {}).items()}, c.get("queue"))
                     for c in raw["calendar"])
    roles = {duty: tuple(holders) for duty, holders in raw.get("roles", {}).items()}
    actions = dict(raw.get("actions", {}))
    unknown = sorted(({t.actor for t in transitions} | set(actions.values())) - set(roles))
    if unknown:  # a duty nobody is listed for would silently refuse (or, worse, be skipped)
        raise ValueError(f"{path or default_path()}: [roles] does not list who carries {unknown}")
    return Workflow(raw["ward"], Policy(**raw["policy"]), stages, transitions, calendar, raw.get("payment_slip", {}),
                    raw.get("third_parties", {}), raw.get("targets", {}), roles, actions)


def machine_transitions(workflow: Workflow) -> list[dict]:
    """transitions' definitions: a `resume` destination expands to one edge per rung, guarded by
    `resumes_to_<rung>` so the machine knows every move that can exist."""
    result = []
    for t in workflow.transitions:
        conditions = list(t.guards)
        if t.dest == RESUME:
            for rung in LADDER:
                result.append({"trigger": t.trigger, "source": list(t.source), "dest": rung,
                               "conditions": conditions + [f"resumes_to_{rung}"]})
        else:
            result.append({"trigger": t.trigger, "source": list(t.source), "dest": t.dest, "conditions": conditions})
    return result
