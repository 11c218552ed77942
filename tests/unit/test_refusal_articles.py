"""Every refusal of a staff action or a workflow move names its rule: the article of law it rests on, or plainly
the ward's own policy (区の方針) where no law asks for it (issue 13: "every refusal names the article of law").

Table-driven: every guard's rule; every transition refused from every stage outside its sources (the basis
of the workflow file); the Machine's refusal when no rung is left; and every `Refused(...)` written in the
modules that refuse staff actions and moves, read from their source, so a new refusal without its rule fails.
"""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest

import nhi_collect
from nhi_collect.services.actions import approval_stage_refusal
from nhi_collect.services.proposals import NO_PROPOSAL, SEPARATION
from nhi_collect.workflow.definition import load
from nhi_collect.workflow.guards import Context, Facts, guards_of
from nhi_collect.workflow.machine import NO_RUNG, Refused, not_from_stage, require

WORKFLOW = load()
NAMES_ITS_RULE = re.compile(r"\d+条|区の方針")  # 国税徴収法47条1項, 地方税法15条の7第5項, … or the ward's policy
MODULES = ("workflow/guards.py", "workflow/machine.py", "services/actions.py", "services/proposals.py",
           "services/queue.py", "services/applications.py", "services/team.py",
           "services/bulk.py")
# Refusals whose text is built elsewhere and checked by the tests below: the guard's rule, the stage refusal,
# the Machine's last refusal, the ladder rule of a seizure approval, 決裁規程's two (SEPARATION, NO_PROPOSAL), and
# the `article` (76条1項 or 77条1項) a wage or pension refusal quotes
# (tests/integration/test_seizure_law.py::test_approval_limits triggers both).
CHECKED_ELSEWHERE = {"guard(name).rule", "not_from_stage", "NO_RUNG", "refusal", "SEPARATION", "NO_PROPOSAL",
                     "article"}


@pytest.mark.parametrize("name", sorted(guards_of(WORKFLOW)))
def test_every_guard_names_its_article_or_the_ward_policy(name):
    assert NAMES_ITS_RULE.search(guards_of(WORKFLOW)[name].rule), guards_of(WORKFLOW)[name].rule


@pytest.mark.parametrize("trigger, stage", [(t.trigger, s) for t in WORKFLOW.transitions for s in WORKFLOW.stages
                                            if s not in t.source])
def test_a_move_from_a_stage_outside_its_sources_names_the_missing_step(trigger, stage):
    facts = Facts(household_id=1, stage=stage, stage_since=date(2023, 9, 1), resume_stage=None,
                  whereabouts_unknown=False)
    with pytest.raises(Refused) as refused:
        require(WORKFLOW, trigger, facts, Context(date(2023, 10, 3), WORKFLOW.policy))
    assert f"not possible from stage {stage}" in str(refused.value) and NAMES_ITS_RULE.search(str(refused.value))
    assert NAMES_ITS_RULE.search(not_from_stage(WORKFLOW, trigger, stage, labels=True))


def test_the_seizure_needs_its_demand_notice_and_the_ward_notice_by_name():
    """The stage ladder's refusal says which legal step is missing (督促状, 国税徴収法47条1項) and which is only the
    ward's practice (差押予告)."""
    text = not_from_stage(WORKFLOW, "seize", "demanded")
    assert "督促状" in text and "国税徴収法47条1項" in text and "区の方針" in text and "差押予告" in text


def test_a_reminder_already_sent_today_names_the_ward_policy():
    from nhi_collect.services.actions import already_sent
    assert NAMES_ITS_RULE.search(already_sent(WORKFLOW, date(2023, 9, 20)))


def test_no_rung_to_return_to_and_the_approval_ladder_name_their_rule():
    facts = Facts(household_id=1, stage="installment_plan", stage_since=date(2023, 9, 1), resume_stage=None,
                  whereabouts_unknown=False)
    with pytest.raises(Refused, match="区の方針"):  # a broken plan with no rung recorded to return to
        require(WORKFLOW, "break_plan", facts, Context(date(2023, 10, 3), WORKFLOW.policy))
    assert NAMES_ITS_RULE.search(NO_RUNG) and NAMES_ITS_RULE.search(SEPARATION) and NAMES_ITS_RULE.search(NO_PROPOSAL)
    assert NAMES_ITS_RULE.search(approval_stage_refusal("property_investigation"))
    assert approval_stage_refusal("seizure_notice") is None


def _refusals(path: Path):
    """(line, constant text, dynamic parts) of every Refused(...) call in a module."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Refused" and node.args:
            texts, dynamic = [], set()
            for part in ast.walk(node.args[0]):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    texts.append(part.value)
                elif isinstance(part, ast.FormattedValue):
                    dynamic.add(ast.unparse(part.value))
            if isinstance(node.args[0], ast.Name):
                dynamic.add(node.args[0].id)
            if isinstance(node.args[0], ast.Call):
                dynamic.add(ast.unparse(node.args[0].func))
            yield node.lineno, "".join(texts), dynamic


@pytest.mark.parametrize("module", MODULES)
def test_every_refusal_written_names_its_article_or_the_ward_policy(module):
    path = Path(nhi_collect.__file__).parent / module
    found = list(_refusals(path))
    missing = [(line, text) for line, text, dynamic in found
               if not NAMES_ITS_RULE.search(text) and not dynamic & CHECKED_ELSEWHERE]
    assert found or module == "workflow/guards.py"
    assert missing == [], f"{module}: refusals naming no article nor 区の方針: {missing}"
