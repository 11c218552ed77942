"""The workflow file is the whole truth, and a mistake in a ward's file is named when it is loaded."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nhi_collect.services import credit
from nhi_collect.services.letters import DETAILS
from nhi_collect.workflow import checks
from nhi_collect.workflow.definition import default_path, load, machine_transitions
from nhi_collect.workflow.checks import WorkflowError

TAISHO = default_path().read_text("utf-8")


def variant(tmp_path, name: str, *replacements: tuple[str, str]) -> str:
    """Taisho's file with each (old, new) replaced once; the old text must be there."""
    text = TAISHO
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def refusal(path: str) -> str:
    with pytest.raises(WorkflowError) as refused:
        load(path)
    assert path in str(refused.value)
    return str(refused.value)


def test_the_ladder_and_the_side_stages_come_from_the_stages_kinds():
    workflow = load()
    assert workflow.ladder == ("demanded", "reminder", "special_reminder", "property_investigation",
                               "seizure_notice", "enforcement")
    assert workflow.side_stages == ("installment_plan", "suspended") and workflow.closed_stages == ("written_off",)
    resumes = {e["dest"] for e in machine_transitions(workflow) if e["trigger"] == "lift_suspension"}
    assert resumes == set(workflow.ladder)


def test_a_ladder_in_another_order_is_read_from_the_file(tmp_path):
    swapped = variant(tmp_path, "swapped", ('[[stages]]\nid = "reminder"\nlabel = "催告"\nkind = "rung"\n', ""),
                      ('[[stages]]\nid = "installment_plan"',
                       '[[stages]]\nid = "reminder"\nlabel = "催告"\nkind = "rung"\n[[stages]]\nid = "installment_plan"'))
    assert load(swapped).ladder[-1] == "reminder"


def test_jobs_and_triggers_carry_the_files_labels_and_their_names_without_one(tmp_path):
    workflow = load()
    assert workflow.job_labels["demand_notices"] == "督促状の発行" and workflow.trigger_labels["seize"] == "差押"
    bare = load(variant(tmp_path, "bare", ('job = "reminders"\nlabel = "催告書の発送"\n', 'job = "reminders"\n'),
                        ('trigger = "seize"\nlabel = "差押"\n', 'trigger = "seize"\n')))
    assert bare.job_labels["reminders"] == "reminders" and bare.trigger_labels["seize"] == "seize"


def test_every_letter_type_names_a_template_reader_that_exists():
    assert set(DETAILS) == set(checks.DETAILS)
    workflow = load()
    used = {letter for t in workflow.transitions for letter in t.letters} | {"bank_inquiry"}
    released = {name for name, t in workflow.letter_types.items() if t.details == "release"}  # workflow/release.py
    assert released == {"release_notice", "release_notice_household"}
    late_fees = {job.late_fee_notice for job in workflow.calendar if job.late_fee_notice}  # workflow/late_fee_notices.py
    assert late_fees == {"late_fee_notice"}
    appropriation = {credit.APPROPRIATION_NOTICE, credit.REFUND_NOTICE}  # the appropriation job's (services/credit.py)
    assert {name for name, t in workflow.letter_types.items() if t.details in ("appropriation", "refund")} == appropriation
    # posted in a transition's letter's place to a household whose whereabouts are unknown (services/actions.py)
    instead = {t.whereabouts_unknown for t in workflow.letter_types.values()} - {None, "not_sent"}
    assert instead == {"suspension_public_notice", "release_public_notice", "appropriation_public_notice"}
    assert used | released | late_fees | appropriation | instead == set(workflow.letter_types)


@pytest.mark.parametrize("old, new, named", [
    ('letters = ["reminder"]', 'letters = ["reminders"]', "letter 'reminders' is not declared in [letter_types]"),
    ('guards = ["plan_broken"]', 'guards = ["plan_brokn"]', "unknown guard 'plan_brokn'"),
    ('source = ["suspended"]\ndest = "resume"', 'source = ["enforcement"]\ndest = "resume"',
     "every source must be of kind side"),
    ('serial_prefix = "SK"', 'serial_prefix = "TS"', "serial_prefix TS is already demand_notice's"),
    ('phone = "06-4394-9956"\n', "", "[ward] needs phone"),
    ('kind = "side"', 'kind = "sidee"', "kind must be one of initial, rung, side, closed"),
    ('guards = ["has_undemanded_overdue", "has_address"]', 'guards = ["has_undemanded_overdue"]',
     "no_address_queue needs the guard has_address"),
    ('letters = ["installment_plan"]', 'letter = "installment_plan"', "unknown key 'letter'"),
    ('ends = { installment_plan = "broken" }', 'ends = { installment_plan = "lapsed" }',
     "ends installment_plan = 'lapsed'"),
    ('template = "reminder.html"', 'template = "remind.html"', "template remind.html is not in letter_templates/"),
    ('triggers = ["break_plan"]', 'triggers = ["break_plans"]', "trigger 'break_plans' is not a transition"),
    ("reply_days = 14", 'reply_days = "14"', "[policy] reply_days must be a whole number"),
    ("plan_standard_months = 12", "plan_standard_months = 25", "plan_standard_months must be 1 to 24"),
    ("plan_standard_months = 12\n", "", "[policy] plan_standard_months must be a whole number"),
    ('current_year = "92.13"', 'current_year = "92,13"', "is not a rate"),
])
def test_a_mistake_is_named_when_the_file_is_loaded(tmp_path, old, new, named):
    assert named in refusal(variant(tmp_path, "bad", (old, new)))


def test_every_mistake_is_listed_at_once(tmp_path):
    message = refusal(variant(tmp_path, "bad", ('letters = ["reminder"]', 'letters = ["reminders"]'),
                              ('guards = ["plan_broken"]', 'guards = ["plan_brokn"]')))
    assert "reminders" in message and "plan_brokn" in message


def test_an_unreadable_file_is_named(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[ward\n", encoding="utf-8")
    assert "cannot be read" in refusal(str(path))


def test_the_cli_refuses_a_bad_workflow_file_with_status_2(tmp_path):
    bad = variant(tmp_path, "bad", ('letters = ["reminder"]', 'letters = ["reminders"]'))
    done = subprocess.run([sys.executable, "-m", "nhi_collect", "--db", f"sqlite:///{tmp_path / 'x.db'}",
                           "--workflow", bad, "run", "--date", "2023-07-05"], capture_output=True, text=True)
    assert done.returncode == 2 and "reminders" in done.stderr and "Traceback" not in done.stderr
