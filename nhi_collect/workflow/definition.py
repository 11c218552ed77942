"""Loading a ward's workflow file into plain records and the one transitions Machine.

transitions' FAQ warns that one model object per record does not scale: the Machine is built with
model=None and serves as the single authority on which moves exist; single staff actions fire it
on a short-lived model, and the nightly batch is set-based SQL derived from the same transitions.
The file is the whole truth about the ladder: stages and their order, transitions with their guards,
letters and side effects, letter types, the calendar, the ward's details and targets. It is checked
when loaded (workflow/checks.py), so a mistake in a ward's file is reported before anything runs.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from functools import cached_property, lru_cache
from pathlib import Path

from transitions import Machine

from ..resources import data_dir
from .checks import RESUME, WorkflowError, check


@dataclass(frozen=True)
class LetterType:
    name: str
    title: str
    template: str  # a file of letter_templates/
    recipient: str  # household | third_party (the bank or debtor its record names, at its own address) |
    # notice_board (posted at the office, 公示送達: no envelope, no mail)
    slip: bool  # carries the convenience-store payment slip
    serial_prefix: str
    details: str | None = None  # the record its template reads: inquiry | seizure | release | plan | suspension | ...
    # (checks.DETAILS)
    demand: bool = False  # the statutory demand (督促): lists undemanded installments, records their demand notices
    public_notice: bool = False  # the demand served by public notice (公示送達, 地方税法20条の2): posted, never mailed
    # a household letter to a household whose whereabouts are unknown (居所不明) is never mailed to the address known
    # to be wrong: `not_sent` (no law requires it served), or the notice_board letter type that serves it by public
    # notice (公示送達, 地方自治法231条の3④ → 地方税法20条の2) in its place; None: mailed as to anyone
    whereabouts_unknown: str | None = None
    document: str | None = None  # a notice_board letter: the name of the document it serves (20条の2②)


@dataclass(frozen=True)
class ApplicationKind:
    """An application with a clock (services/applications.py): its processing period and its basis."""
    name: str
    label: str
    days: int  # from the day received, which is not counted (民法140条)
    basis: str  # the article of law or 区の方針 behind the period, shown beside the due date
    closed_day: str  # next_office_day | keep: a last day on which the office is closed


POLICY_BASIS = "区の方針 (the workflow file's [[transitions]]: the ladder's order)"


@dataclass(frozen=True)
class Transition:
    trigger: str
    source: tuple[str, ...]
    dest: str
    guards: tuple[str, ...]
    letters: tuple[str, ...]
    actor: str  # the duty that may fire it: a key of the workflow file's [roles]
    fan_out: bool = False  # its letters go to every household the guards select in an open stage
    no_address_queue: str | None = None  # selected but for has_address (居所不明): this queue item instead
    ends: dict = field(default_factory=dict)  # records the move closes: installment_plan, suspension, seizure
    # why only `source` stages may fire it: the article of law, or plainly the ward's policy (区の方針); a
    # refusal from another stage quotes it
    basis: str = POLICY_BASIS
    label: str = ""  # what staff read for it (the runs screen); the trigger when the file gives none


@dataclass(frozen=True)
class CalendarJob:
    job: str
    every: str | None = None  # business_day | month_end
    months: tuple[int, ...] = ()
    day: int | None = None
    triggers: tuple[str, ...] = ()
    scope: dict = field(default_factory=dict)
    queue: str | None = None  # a queue check: the kind of item opened for households in arrears
    reason: str | None = None  # shown to staff on that item
    release_seizures: bool = False  # releases the seizures the law requires released (workflow/release.py)
    late_fee_notice: str | None = None  # the letter type sent for booked late fees (workflow/late_fee_notices.py)
    appropriate_credit: bool = False  # 充当・還付 before the date's letters (services/credit.py)
    label: str = ""  # what staff read for it (the runs screen); the job's name when the file gives none


@dataclass(frozen=True)
class Policy:
    demand_within_days: int
    demand_deadline_days: int
    reminder_after_deadline_days: int
    min_balance: int
    reply_days: int
    plan_grace_days: int
    promise_grace_days: int
    band_months: int
    plan_standard_months: int  # 区の方針: a plan a clerk agrees alone (domain/plans.py); longer is a plan exception
    # 区の方針 (決裁規程): a suspension, write-off, late-fee reduction or plan exception is decided only on another person's proposal
    # (services/decision_proposals); a one-person office's file may let its supervisor decide alone.
    direct_decisions: bool = False


@dataclass(frozen=True)
class Workflow:
    ward: dict
    policy: Policy
    stages: dict[str, str]  # id → Japanese label, in the file's order
    stage_kinds: dict[str, str]  # id → initial | rung | side | closed
    transitions: tuple[Transition, ...]
    calendar: tuple[CalendarJob, ...]
    letter_types: dict[str, LetterType]
    payment_slip: dict = field(default_factory=dict)
    third_parties: dict = field(default_factory=dict)  # name → postal_code, address (banks, employers, …)
    targets: dict = field(default_factory=dict)  # collection-rate targets, "92.13" style
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)  # duty → staff roles carrying it
    actions: dict[str, str] = field(default_factory=dict)  # action that is no transition → its duty
    property_kinds: dict[str, str] = field(default_factory=dict)  # what may be seized → the label letters print
    deposit_screen_days: int = 0  # protected income paid into a deposit this recently is left there
    applications: dict[str, ApplicationKind] = field(default_factory=dict)  # kind → its clock

    def transition(self, trigger: str) -> Transition:
        for t in self.transitions:
            if t.trigger == trigger:
                return t
        raise KeyError(trigger)

    def _of_kind(self, kind: str) -> tuple[str, ...]:
        return tuple(s for s, k in self.stage_kinds.items() if k == kind)

    @cached_property
    def initial(self) -> str:
        return self._of_kind("initial")[0]

    @cached_property
    def ladder(self) -> tuple[str, ...]:
        """The rungs in order; a plan or a suspension returns to the one it left."""
        return self._of_kind("rung")

    @cached_property
    def side_stages(self) -> tuple[str, ...]:
        """Beside the ladder (installment plan, suspension): entering one remembers the rung to return to."""
        return self._of_kind("side")

    @cached_property
    def closed_stages(self) -> tuple[str, ...]:
        """The debt is extinguished (write-off): no letters, no work."""
        return self._of_kind("closed")

    @cached_property
    def open_stages(self) -> tuple[str, ...]:
        return tuple(s for s in self.stages if s not in self.closed_stages)

    @cached_property
    def job_labels(self) -> dict[str, str]:
        return {c.job: c.label for c in self.calendar}

    @cached_property
    def trigger_labels(self) -> dict[str, str]:
        return {t.trigger: t.label for t in self.transitions}

    @cached_property
    def machine(self) -> Machine:
        return Machine(model=None, states=list(self.stages), transitions=machine_transitions(self),
                       initial=self.initial, auto_transitions=False)


def default_path() -> Path:
    return data_dir("workflows") / "taisho.toml"


@lru_cache(maxsize=8)
def load(path: str | None = None) -> Workflow:
    where = Path(path or default_path())
    try:
        raw = tomllib.loads(where.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise WorkflowError(f"workflow file {where}: cannot be read ({exc})") from None
    check(where, raw, tuple(f.name for f in fields(Policy)))
    stages = {s["id"]: s["label"] for s in raw["stages"]}
    transitions = tuple(Transition(t["trigger"], tuple(t["source"]), t["dest"], tuple(t.get("guards", ())),
                                   tuple(t.get("letters", ())), t["actor"], t.get("fan_out", False),
                                   t.get("no_address_queue"), dict(t.get("ends", {})), t.get("basis", POLICY_BASIS),
                                   t.get("label", t["trigger"]))
                        for t in raw["transitions"])
    calendar = tuple(CalendarJob(c["job"], c.get("every"), tuple(c.get("months", ())), c.get("day"),
                                 tuple(c.get("triggers", ())),
                                 {int(k): v for k, v in c.get("scope", {}).items()}, c.get("queue"), c.get("reason"),
                                 c.get("release_seizures", False), c.get("late_fee_notice"),
                                 c.get("appropriate_credit", False), c.get("label", c["job"]))
                     for c in raw["calendar"])
    letter_types = {name: LetterType(name, **spec) for name, spec in raw["letter_types"].items()}
    roles = {duty: tuple(holders) for duty, holders in raw.get("roles", {}).items()}
    actions = dict(raw.get("actions", {}))
    unknown = sorted(({t.actor for t in transitions} | set(actions.values())) - set(roles))
    if unknown:  # a duty nobody is listed for would silently refuse (or, worse, be skipped)
        raise WorkflowError(f"workflow file {where}: [roles] does not list who carries {unknown}")
    return Workflow(raw["ward"], Policy(**raw["policy"]), stages, {s["id"]: s["kind"] for s in raw["stages"]},
                    transitions, calendar, letter_types, raw.get("payment_slip", {}), raw.get("third_parties", {}),
                    raw.get("targets", {}), roles, actions, dict(raw["seizure"]["property_kinds"]),
                    raw["seizure"]["deposit_screen_days"],
                    {name: ApplicationKind(name, **spec) for name, spec in raw.get("applications", {}).items()})


def machine_transitions(workflow: Workflow) -> list[dict]:
    """transitions' definitions: a `resume` destination expands to one edge per rung, guarded by
    `resumes_to_<rung>` so the machine knows every move that can exist."""
    result = []
    for t in workflow.transitions:
        conditions = list(t.guards)
        if t.dest == RESUME:
            for rung in workflow.ladder:
                result.append({"trigger": t.trigger, "source": list(t.source), "dest": rung,
                               "conditions": conditions + [f"resumes_to_{rung}"]})
        else:
            result.append({"trigger": t.trigger, "source": list(t.source), "dest": t.dest, "conditions": conditions})
    return result
