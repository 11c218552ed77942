"""Who is acting, and whether they may (contract.md, Additions: who acts).

The command line acts as the operating-system user, who must be registered staff; `--as USER` is
honoured only when NHI_COLLECT_ALLOW_AS=1 (simulations, tests, training databases), and each use is
recorded in the audit log. What a person may do is read from the workflow file in one place,
`authorize`: each transition's `actor` names a duty, so does each entry of `[actions]` (the actions that
are no transition), and `[roles]` lists the staff roles that carry each duty.
"""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Connection, select

from ..adapters.tables import audit_log, staff
from ..workflow.definition import Workflow
from ..workflow.machine import Refused

ALLOW_AS = "NHI_COLLECT_ALLOW_AS"


@dataclass(frozen=True)
class Actor:
    user: str  # who acts: the login name, or --as USER where allowed
    login: str  # the operating-system user running the command
    via_as: bool = False


def login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers: nobody, who is never registered staff
        return "nobody"


def acting_as_allowed() -> bool:
    return os.environ.get(ALLOW_AS) == "1"


def resolve(requested: str | None) -> Actor:
    """The person acting; `--as` for anyone else than oneself is refused unless explicitly allowed."""
    login = login_name()
    if requested is None or requested == login:
        return Actor(login, login)
    if not acting_as_allowed():
        raise Refused(f"--as {requested} refused: the command line acts as the operating-system user ({login}), "
                      f"who must be registered staff; --as is honoured only when {ALLOW_AS}=1 (simulations, "
                      "tests, training databases), and each use is recorded (contract.md, who acts)")
    return Actor(requested, login, True)


def record_as(conn: Connection, actor: Actor, command: str) -> None:
    """Each use of --as is recorded: who ran the command as whom, and which command."""
    if actor.via_as:
        audit(conn, actor.user, "act_as", "staff", actor.user, {"login": actor.login, "command": command,
                                                                ALLOW_AS: os.environ.get(ALLOW_AS)})


def audit(conn: Connection, actor: str, action: str, entity: str, key: str, detail: dict) -> None:
    conn.execute(audit_log.insert().values(at=datetime.now(timezone.utc), actor=actor, action=action, entity=entity,
                                           entity_key=key, detail=json.dumps(detail, ensure_ascii=False, default=str)))


def role_of(conn: Connection, user: str) -> str:
    row = conn.execute(select(staff.c.role, staff.c.active).where(staff.c.user_name == user)).first()
    if row is None or not row.active:
        raise Refused(f"{user} is not active staff: only registered staff may act or open households "
                      "(個人情報保護: an administrator adds them with `nhi-collect staff add`)")
    return row.role


def duty(workflow: Workflow, action: str) -> str:
    """The duty an action needs: `[actions]` of the workflow file, else the transition's `actor`."""
    if action in workflow.actions:
        return workflow.actions[action]
    try:
        return workflow.transition(action).actor
    except KeyError:
        raise Refused(f"the workflow file names no duty for {action!r}: add it to its [actions] table "
                      "(who may do what is read from the file, services/identity.py)") from None


def carries(workflow: Workflow, role: str, action: str) -> bool:
    return role in workflow.roles.get(duty(workflow, action), ())


def authorize(conn: Connection, workflow: Workflow, user: str, action: str) -> str:
    """The acting person's role, or a refusal naming the rule: the one check of who may do what."""
    role = role_of(conn, user)
    check_duty(workflow, user, role, action)
    return role


def check_duty(workflow: Workflow, user: str, role: str, action: str) -> None:
    """Refused, naming the rule, unless `role` carries `action` (for a role already read, e.g. a web session's)."""
    if not carries(workflow, role, action):
        needed = duty(workflow, action)
        holders = workflow.roles.get(needed, ())
        raise Refused(f"{action} is the {needed}'s duty ({', '.join(holders) or 'no person: the calendar does it'}"
                      f" in the workflow file's [roles]); {user} is {role}"
                      + ("; a decision in writing by the 課長 level (決裁)" if needed == "supervisor" else ""))
