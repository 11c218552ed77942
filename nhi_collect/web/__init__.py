"""The staff web app: a second entry point beside the CLI, calling the same use cases (no business rule here).

Layout and conventions (copy them for a new screen):
- `app.py`      `create_app(settings)`: one Services per process (one engine, shared by every request); routers.
- `guard.py`    `needs(ACTION)`: the dependency of every route. It finds the signed-in person from the session
                cookie (services/signin.py: server-side sessions, idle timeout), checks the CSRF token of
                every POST (hidden input `csrf_token`, or the `X-CSRF-Token` header that <body hx-headers>
                gives every htmx request), checks the duty with services/identity.authorize (workflow file
                [roles]/[actions]) and returns a `Web`: `web.services` acts as that person (Actor(user,
                login="web")), `web.user` is their name. A route then calls a use case exactly as the CLI does:
                `web.services.transact(claim_item, web.workflow, item_id, web.user)`.
- `render.py`   `render(request, web, "page.html", **context)`; filters `wareki` (令和5年7月20日（2023-07-20）)
                and `yen` (12,345円); templates extend `base.html` (header, nav, freshness banner) and put
                `{{ csrf_input(web) }}` in every form.
- `routes/`     one module per screen, each a `router`: signin (sign-in, sign-out), work (私の仕事, claim),
                search (検索, htmx as one types), households (the case file 滞納者カルテ as of a date, a
                reason asked outside one's own work; its letters' PDFs as printed).
- Refusals: a `Refused` from a use case becomes a 403 page showing its rule (an htmx request gets the
                `_refused.html` fragment in place); a UserError a 400 page; no session a redirect to /signin.
- Tests: tests/integration/test_web.py (TestClient, SQLite and PostgreSQL); tests/e2e/web/ (Playwright).
"""

from .app import create_app

__all__ = ["create_app"]
