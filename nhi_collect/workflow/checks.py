"""Checking a ward's workflow file when it is loaded: every mistake found is reported at once, naming
the file and the table or entry, before anything runs on it."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..errors import UserError
from ..domain.plans import OUTER_RULE, PLAN_OUTER_MONTHS
from ..resources import data_dir
from .guards import GUARDS

TABLES = {"ward": True, "policy": True, "stages": True, "letter_types": True, "transitions": True,
          "calendar": True, "targets": False, "third_parties": False, "payment_slip": False, "roles": False,
          "actions": False, "seizure": True, "applications": False}
WARD_KEYS = ("name", "section", "address", "phone")  # printed on every letter (_base.html)
APPEAL_KEYS = ("review_board", "review_months", "court_months", "defendant", "defendant_representative")
STAGE_KINDS = ("initial", "rung", "side", "closed")
RECIPIENTS = ("household", "third_party", "notice_board")
DETAILS = ("inquiry", "seizure", "release", "plan", "suspension", "public_notice", "appropriation", "refund")  # the records services/letters.py reads for a template
ENDS = {"installment_plan": ("completed", "broken"), "suspension": ("lifted",), "seizure": ("paid", "extinguished", "suspended", "withdrawn")}  # release.RELEASE_REASONS a move may give
EVERY = ("business_day", "month_end")
APPLICATION_KEYS = ("label", "days", "basis", "closed_day")
CLOSED_DAY = ("next_office_day", "keep")
RESUME = "resume"  # a transition's destination meaning "the rung the household left"


class WorkflowError(UserError):
    """A workflow file that cannot be used as written."""


def check(path: Path, raw: dict, policy_fields: tuple[str, ...]) -> None:
    problems: list[str] = []
    for name, required in TABLES.items():
        if required and name not in raw:
            problems.append(f"[{name}] is missing")
    problems += [f"unknown table [{name}]" for name in raw if name not in TABLES]
    if not problems:
        problems += _ward(raw) + _policy(raw["policy"], policy_fields) + _targets(raw.get("targets", {}))
        problems += _third_parties(raw.get("third_parties", {})) + _seizure(raw["seizure"])
        stages, stage_problems = _stages(raw["stages"])
        problems += stage_problems + _letter_types(raw["letter_types"])
        problems += _transitions(raw["transitions"], stages, raw["letter_types"])
        problems += _calendar(raw["calendar"], {t.get("trigger") for t in raw["transitions"]}, raw["letter_types"])
        problems += _payment_slip(raw.get("payment_slip")) + _applications(raw.get("applications", {}))
    if problems:
        raise WorkflowError(f"workflow file {path}: " + "; ".join(problems))


def _unknown(where: str, entry: dict, allowed) -> list[str]:
    return [f"{where}: unknown key {key!r}" for key in entry if key not in allowed]


def _ward(raw: dict) -> list[str]:
    problems = [f"[ward] needs {key} (printed on every letter)" for key in WARD_KEYS
                if not isinstance(raw["ward"].get(key), str)]
    appeal = raw["ward"].get("appeal")
    if not isinstance(appeal, dict) or any(key not in appeal for key in APPEAL_KEYS):
        problems.append(f"[ward.appeal] needs {', '.join(APPEAL_KEYS)} (the appeal notice, 行政不服審査法82条)")
    return problems


POLICY_FLAGS = ("direct_decisions",)  # optional, false unless the file says so


def _policy(policy: dict, fields: tuple[str, ...]) -> list[str]:
    problems = _unknown("[policy]", policy, fields)
    problems += [f"[policy] {key} must be a whole number" for key in fields if key not in POLICY_FLAGS
                 and (not isinstance(policy.get(key), int) or isinstance(policy.get(key), bool))]
    problems += [f"[policy] {key} must be true or false" for key in POLICY_FLAGS
                 if key in policy and not isinstance(policy[key], bool)]
    months = policy.get("plan_standard_months")
    if isinstance(months, int) and not 1 <= months <= PLAN_OUTER_MONTHS:
        problems.append(f"[policy] plan_standard_months must be 1 to {PLAN_OUTER_MONTHS}: no plan runs longer ({OUTER_RULE})")
    return problems


def _targets(targets: dict) -> list[str]:
    problems = _unknown("[targets]", targets, ("current_year", "arrears"))
    for key, value in targets.items():
        try:
            Decimal(str(value))
        except InvalidOperation:
            problems.append(f"[targets] {key} = {value!r} is not a rate such as \"92.13\"")
    return problems


def _third_parties(third_parties: dict) -> list[str]:
    return [f"[third_parties.\"{name}\"] needs postal_code and address (its letters go to it)"
            for name, entry in third_parties.items()
            if not (isinstance(entry, dict) and isinstance(entry.get("postal_code"), str)
                    and isinstance(entry.get("address"), str))]


def _seizure(seizure: dict) -> list[str]:
    problems = _unknown("[seizure]", seizure, ("deposit_screen_days", "property_kinds"))
    days = seizure.get("deposit_screen_days")
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        problems.append("[seizure] deposit_screen_days must be a whole number of days")
    kinds = seizure.get("property_kinds")
    if not isinstance(kinds, dict) or not kinds or not all(isinstance(v, str) and v for v in kinds.values()):
        problems.append("[seizure.property_kinds] must give each kind of property its label (printed on letters)")
    return problems


def _applications(kinds: dict) -> list[str]:
    problems = []
    for name, spec in kinds.items():
        where = f"[applications.{name}]"
        if not isinstance(spec, dict):
            problems.append(f"{where} must be a table")
            continue
        problems += _unknown(where, spec, APPLICATION_KEYS)
        problems += [f"{where} needs {key}" for key in APPLICATION_KEYS if key not in spec]
        days = spec.get("days")
        if "days" in spec and (not isinstance(days, int) or isinstance(days, bool) or days < 1):
            problems.append(f"{where} days must be a whole number of days, at least 1")
        if "closed_day" in spec and spec["closed_day"] not in CLOSED_DAY:
            problems.append(f"{where} closed_day must be one of {', '.join(CLOSED_DAY)}")
        if "basis" in spec and not str(spec["basis"]).strip():
            problems.append(f"{where} basis must name the article of law or say 区の方針")
    return problems


def _stages(stages: list) -> tuple[dict[str, str], list[str]]:
    problems, ids = [], []
    for n, stage in enumerate(stages, 1):
        where = f"stage {stage.get('id', f'#{n}')!r}"
        problems += _unknown(where, stage, ("id", "label", "kind"))
        if not isinstance(stage.get("id"), str) or not isinstance(stage.get("label"), str):
            problems.append(f"{where}: needs an id and a label")
        if stage.get("kind") not in STAGE_KINDS:
            problems.append(f"{where}: kind must be one of {', '.join(STAGE_KINDS)}")
        ids.append(stage.get("id"))
    problems += [f"stage {s!r} is declared twice" for s in {s for s in ids if ids.count(s) > 1}]
    kinds = [s.get("kind") for s in stages]
    if kinds.count("initial") != 1:
        problems.append("exactly one stage must be of kind initial (where a household with nothing overdue is)")
    if "rung" not in kinds:
        problems.append("no stage of kind rung: the ladder is empty")
    return {s.get("id"): s.get("kind") for s in stages}, problems


def _letter_types(letter_types: dict) -> list[str]:
    problems, prefixes = [], {}
    templates = data_dir("letter_templates")
    for name, spec in letter_types.items():
        where = f"[letter_types.{name}]"
        problems += _unknown(where, spec, ("title", "template", "recipient", "slip", "serial_prefix", "details",
                                           "demand", "public_notice", "whereabouts_unknown", "document"))
        for key in ("title", "template", "serial_prefix"):
            if not isinstance(spec.get(key), str) or not spec.get(key):
                problems.append(f"{where}: needs {key}")
        if isinstance(spec.get("template"), str) and not (templates / spec["template"]).is_file():
            problems.append(f"{where}: template {spec['template']} is not in letter_templates/")
        if spec.get("recipient") not in RECIPIENTS:
            problems.append(f"{where}: recipient must be one of {', '.join(RECIPIENTS)}")
        if not isinstance(spec.get("slip"), bool):
            problems.append(f"{where}: slip must be true or false")
        if spec.get("details", DETAILS[0]) not in DETAILS:
            problems.append(f"{where}: details must be one of {', '.join(DETAILS)}")
        if not isinstance(spec.get("demand", False), bool):
            problems.append(f"{where}: demand must be true or false")
        instead = spec.get("whereabouts_unknown")
        if instead is not None and instead != "not_sent" and \
                letter_types.get(instead, {}).get("recipient") != "notice_board":
            problems.append(f"{where}: whereabouts_unknown must be not_sent or a letter type whose recipient is "
                            "notice_board (公示送達, 地方税法20条の2)")
        if spec.get("recipient") == "notice_board" and not spec.get("document"):
            problems.append(f"{where}: a notice_board letter needs the document it serves (地方税法20条の2②)")
        prefix = spec.get("serial_prefix")
        if prefix in prefixes:
            problems.append(f"{where}: serial_prefix {prefix} is already {prefixes[prefix]}'s (serials must differ)")
        prefixes[prefix] = name
    return problems


def _transitions(transitions: list, stages: dict[str, str], letter_types: dict) -> list[str]:
    problems, triggers = [], []
    for n, t in enumerate(transitions, 1):
        where = f"transition {t.get('trigger', f'#{n}')!r}"
        problems += _unknown(where, t, ("trigger", "label", "source", "dest", "guards", "letters", "actor", "fan_out",
                                        "no_address_queue", "ends", "basis"))
        triggers.append(t.get("trigger"))
        if not isinstance(t.get("trigger"), str) or not isinstance(t.get("actor"), str):
            problems.append(f"{where}: needs a trigger and an actor")
        source = t.get("source") if isinstance(t.get("source"), list) else []
        if not source:
            problems.append(f"{where}: source must list at least one stage")
        unknown = [s for s in (*source, t.get("dest")) if s not in stages and s != RESUME]
        if unknown:
            problems.append(f"{where}: names unknown stage(s) {unknown}")
        if t.get("dest") == RESUME and any(stages.get(s) != "side" for s in source):
            problems.append(f"{where}: dest = \"resume\" returns to the rung a stage of kind side remembered; "
                            "every source must be of kind side")
        if "basis" in t and not (isinstance(t["basis"], str) and t["basis"].strip()):
            problems.append(f"{where}: basis must be a text naming the article of law or the ward's policy")
        guards = t.get("guards", [])
        problems += [f"{where}: unknown guard {g!r} (guards are named in nhi_collect/workflow/guards.py)"
                     for g in guards if g not in GUARDS]
        letters = t.get("letters", [])
        problems += [f"{where}: letter {name!r} is not declared in [letter_types]" for name in letters
                     if name not in letter_types]
        if t.get("fan_out") and not letters:
            problems.append(f"{where}: fan_out sends its letters, but it has none")
        queue = t.get("no_address_queue")
        if queue is not None and not (isinstance(queue, dict) and set(queue) == {"kind", "reason"}):
            problems.append(f"{where}: no_address_queue needs exactly kind and reason")
        if queue is not None and "has_address" not in guards:
            problems.append(f"{where}: no_address_queue needs the guard has_address")
        for record, status in t.get("ends", {}).items():
            if status not in ENDS.get(record, ()):
                problems.append(f"{where}: ends {record} = {status!r}: expected one of "
                                + ", ".join(f"{r} = {'|'.join(v)}" for r, v in ENDS.items()))
    problems += [f"transition {t!r} is declared twice" for t in {t for t in triggers if triggers.count(t) > 1}]
    return problems


def _calendar(calendar: list, triggers: set[str], letter_types: dict) -> list[str]:
    problems, jobs = [], []
    for n, job in enumerate(calendar, 1):
        where = f"calendar job {job.get('job', f'#{n}')!r}"
        problems += _unknown(where, job, ("job", "label", "every", "months", "day", "triggers", "scope", "queue", "reason",
                                            "release_seizures", "late_fee_notice", "appropriate_credit"))
        jobs.append(job.get("job"))
        months = job.get("months", [])
        if job.get("every") is None:
            if not months or any(not isinstance(m, int) or not 1 <= m <= 12 for m in months):
                problems.append(f"{where}: needs every = {' | '.join(EVERY)}, or months (1–12) and a day")
            if not isinstance(job.get("day"), int) or not 1 <= job["day"] <= 31:
                problems.append(f"{where}: day must be 1–31")
        elif job["every"] not in EVERY:
            problems.append(f"{where}: every must be one of {', '.join(EVERY)}")
        problems += [f"{where}: trigger {t!r} is not a transition" for t in job.get("triggers", [])
                     if t not in triggers]
        problems += [f"{where}: scope month {m} is not one of its months" for m in job.get("scope", {})
                     if not str(m).isdigit() or int(m) not in months]
        problems += [f"{where}: {flag} must be true or false" for flag in ("release_seizures", "appropriate_credit")
                     if not isinstance(job.get(flag, False), bool)]
        if "late_fee_notice" in job and job["late_fee_notice"] not in letter_types:
            problems.append(f"{where}: late_fee_notice {job['late_fee_notice']!r} is not declared in [letter_types]")
        if ("queue" in job) != ("reason" in job):
            problems.append(f"{where}: a queue check needs both queue (its kind) and reason (shown to staff)")
    problems += [f"calendar job {j!r} is declared twice" for j in {j for j in jobs if jobs.count(j) > 1}]
    return problems


def _payment_slip(slip: dict | None) -> list[str]:
    if slip is None:
        return []
    problems = _unknown("[payment_slip]", slip, ("company_code", "free_field"))
    code = slip.get("company_code")
    if not (isinstance(code, str) and len(code) == 6 and code.isdigit()):
        problems.append("[payment_slip] company_code must be 6 digits")
    if not isinstance(slip.get("free_field"), str):
        problems.append("[payment_slip] needs free_field (its layout)")
    return problems
