"""No input crashes an import (issue 15, item 6): files of all four kinds built from good values, the
hostile test's bad values and arbitrary text, some then broken byte by byte, are either stored or
refused as bad input (ImportRejected, exit 2), never another exception; a refusal changes nothing."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date, datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nhi_collect.adapters.db import make_engine, transaction, upgrade
from nhi_collect.errors import UserError
from nhi_collect.services.imports import KINDS, import_file
from nhi_collect.tools.fuzz import NASTY_FIELDS, fingerprint
from tests.conftest import BACKENDS, database_url
from tests.support.ledger import ASSESSMENTS, HOUSEHOLDS

NOW = datetime(2024, 6, 1, 3, 0, tzinfo=timezone.utc)
HOUSEHOLD = st.sampled_from(["H1", "H2", "H1", "H2", "H9", "271150000001"])
DAY = st.dates(date(2023, 4, 1), date(2024, 5, 31)).map(lambda d: d.isoformat())
YEN = st.integers(1, 30_000).map(str)
GOOD = {  # values that pass the field checks; the set-based checks (unknown household, conflicts) still may not
    "household_no": HOUSEHOLD, "head_name": st.sampled_from(["髙橋　太郎", "ﾀｶﾊｼ", "NGUYEN VAN AN"]),
    "head_name_kana": st.sampled_from(["タカハシ　タロウ", "ﾀｶﾊｼ ﾀﾛｳ"]),
    "head_birth_date": st.dates(date(1930, 1, 1), date(2005, 12, 31)).map(lambda d: d.isoformat()),
    "postal_code": st.sampled_from(["551-0031", "5510002"]), "address": st.just("大阪市大正区泉尾1丁目1-1"),
    "district": st.just("泉尾"), "phone": st.sampled_from(["", "06-6551-0000"]),
    "whereabouts_unknown": st.sampled_from(["", "0", "1"]), "whereabouts_changed_on": st.sampled_from(["", "2024-05-01"]),
    "language": st.sampled_from(["", "ja", "en"]),
    "fiscal_year": st.just("2023"), "installment": st.integers(1, 4).map(str),
    "due_date": DAY, "amount": YEN, "delta": st.integers(-3_000, 3_000).filter(bool).map(str), "adjusted_on": DAY,
    "paid_on": DAY, "adjustment_id": st.integers(1, 10 ** 6).map("J{}".format),
    "payment_id": st.integers(1, 10 ** 6).map("P{}".format),
    "reason": st.just("減免"), "channel": st.sampled_from(["counter", "bank_transfer", "convenience_store"]),
}
# assessments of another year, so that most do not collide with the seeded ones
GOOD_BY_KIND = {"assessments": {**GOOD, "fiscal_year": st.just("2024"), "installment": st.integers(1, 10).map(str)}}
BAD = st.one_of(st.sampled_from(NASTY_FIELDS), st.text(max_size=12))


@st.composite
def row(draw, kind: str, columns: list[str], clean: bool) -> list[str]:
    """A row of good values, of which (unless `clean`) none, one or two are then spoilt."""
    good = GOOD_BY_KIND.get(kind, GOOD)
    values = [draw(good[c]) for c in columns]
    for _ in range(0 if clean else draw(st.sampled_from([0, 1, 1, 2]))):
        values[draw(st.integers(0, len(columns) - 1))] = draw(BAD)
    return values


@st.composite
def files(draw):
    kind = draw(st.sampled_from(list(KINDS)))
    spec = KINDS[kind]
    optional = st.sampled_from([[], ["fiscal_year", "installment"]]) if kind == "payments" else \
        st.lists(st.sampled_from(spec.optional), unique=True) if spec.optional else st.just([])
    columns = list(spec.required) + draw(optional)
    clean = draw(st.integers(0, 2)) == 0  # a third of the files hold good values only, in a well-formed file
    rows = draw(st.lists(row(kind, columns, clean), min_size=1, max_size=4))
    buffer = io.StringIO()
    if clean or draw(st.booleans()):
        csv.writer(buffer, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows([columns, *rows])
    else:  # no quoting at all: separators, quotes and line ends inside values break the lines
        buffer.write("\n".join(",".join(r) for r in [columns, *rows]) + "\n")
    data = buffer.getvalue().encode("utf-8" if clean else draw(st.sampled_from(["utf-8", "utf-16"])), errors="replace")
    if not clean and draw(st.booleans()):  # a few bytes broken
        for at, byte in draw(st.lists(st.tuples(st.integers(0, len(data)), st.integers(0, 255)), min_size=1,
                                      max_size=3)):
            data = data[:at] + bytes([byte]) + data[at + 1:]
    return kind, data


@pytest.fixture(params=BACKENDS)
def seeded(request, tmp_path_factory):
    """One ledger per backend for all the examples (an accepted file stays in it)."""
    folder = tmp_path_factory.mktemp("fuzz")
    url = database_url(request.param, folder)
    engine = make_engine(url)
    upgrade(engine)
    for kind, body in (("households", HOUSEHOLDS), ("assessments", ASSESSMENTS)):
        (folder / f"{kind}.csv").write_text(body, encoding="utf-8")
        with transaction(engine) as conn:
            import_file(conn, kind, str(folder / f"{kind}.csv"), now=NOW)
    yield engine, url, folder
    engine.dispose()


def test_any_file_is_stored_or_refused_unchanged(seeded):
    engine, url, folder = seeded
    counter = itertools.count()

    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(files())
    def import_one(case):
        kind, data = case
        path = folder / f"case-{next(counter)}.csv"
        path.write_bytes(data)
        before = fingerprint(url)
        try:
            with transaction(engine) as conn:
                import_file(conn, kind, str(path), now=NOW)
        except UserError:
            assert fingerprint(url) == before
    import_one()
