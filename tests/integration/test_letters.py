"""Letters: every type renders to a PDF whose text carries what the law asks; the barcode decodes."""

from __future__ import annotations

import csv

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from nhi_collect.adapters.db import transaction
from nhi_collect.adapters.letters import environment
from nhi_collect.adapters.tables import (letters, seizure_letters, seizures, suspensions)
from nhi_collect.services import actions
from nhi_collect.services.business_date import run_date
from nhi_collect.services.letters import (letter_context, list_letters, mark_returned, reprint, start_batches,
                                         write_batches)
from nhi_collect.workflow import release
from nhi_collect.workflow.definition import load
from tests.support.ledger import ASSESSMENTS, HOUSEHOLDS, run, write
from tests.support.letters import ON, issued  # noqa: F401 (fixtures)

WORKFLOW = load()


def pdf_text(path) -> str:
    pdf = pdfium.PdfDocument(str(path))
    return "\n".join(page.get_textpage().get_text_range() for page in pdf)


def test_every_letter_type_renders_with_its_contents(issued, tmp_path):
    with issued.connect() as conn:
        rows = conn.execute(select(letters.c.id, letters.c.serial, letters.c.letter_type, letters.c.household_id)
                            .order_by(letters.c.id)).all()
        assert {r.letter_type for r in rows} == set(WORKFLOW.letter_types)
        for r in rows:
            context = letter_context(conn, WORKFLOW, r.id)
            path = tmp_path / f"{r.serial}.pdf"
            reprint(conn, WORKFLOW, r.serial)(path)
            text = pdf_text(path).replace(" ", "").replace("\n", "").replace("\r", "")
            assert r.serial in text
            assert context["household"]["head_name"].replace("　", "") in text.replace("　", "")
            if WORKFLOW.letter_types[r.letter_type].recipient == "notice_board":  # the demand's, the suspension's
                # 公示送達 (地方税法20条の2②): the document, the person, handed over at any time; posted, so neither
                # the address nor the debt (secret, 地方公務員法34条: 守秘義務) is on it
                document = WORKFLOW.letter_types[r.letter_type].document
                assert document in {"督促状", "執行停止通知書", "差押解除通知書", "過誤納金充当通知書"}
                assert document in text and "いつでも交付します" in text and "第20条の2第1項" in text
                assert context["household"]["address"] not in text and "円" not in text
                continue
            if r.letter_type == "release_notice":  # the bank's copy: the claim, never the household's premiums
                assert "未納額" not in text and "納期限" not in text and "延滞金" not in text
                assert f"{context['total_unpaid']:,}円" not in text and "教示" not in text
            elif r.letter_type == "late_fee_notice":  # the booked late fees alone (workflow/late_fee_notices.py)
                assert "延滞金が下記のとおり確定しました" in text and "第15条の9第1項" in text
                assert all(f"{b['amount']:,}円" in text for b in context["booked_late_fees"])
            else:
                for item in context["items"] if r.letter_type != "bank_inquiry" else []:  # a bank: the total only
                    assert f"{item['unpaid']:,}円" in text and item["due_wareki"] in text
                    assert f"{item['late_fee']:,}円" in text
                assert f"{context['total_unpaid']:,}円" in text
            if r.letter_type not in ("bank_inquiry", "garnishment_notice", "release_notice"):
                assert context["household"]["address"] in text
            else:  # the envelope window shows the third party's own address
                third = WORKFLOW.third_parties[context["recipient"]["name"]]
                assert context["recipient"]["honorific"] == "御中" and third["address"] in text
            if r.letter_type == "demand_notice":
                # issued 9/20 + 10 days = Saturday 9/30: the deadline is Monday 10/2 (地方自治法4条の2④)
                assert "令和5年10月2日" in text and "地方自治法第231条の3" in text
            if r.letter_type == "appropriation_notice":  # 地方税法17条の2⑤; H2's 5,000 paid from the credit's 8,000
                assert "第17条の2第5項" in text and "5,000円" in text and "8,000円" in text and "3,000円" in text
            if r.letter_type == "refund_notice":  # 17条: the 3,000 no installment can take, claimed by the form
                assert "地方税法第17条" in text and "3,000円" in text and "還付請求書" in text and "教示" not in text
            if r.letter_type in ("demand_notice", "seizure_record", "release_notice_household", "appropriation_notice"):
                # 教示: the prefecture's board, review before court (国保法91・99・103条, 行政事件訴訟法14・46条)
                assert "大阪府国民健康保険審査会に対して審査請求" in text and "国民健康保険法第103条" in text
                assert "大阪市を被告として" in text and "大阪市長に対して審査請求" not in text
            if r.letter_type == "seizure_record":  # 国税徴収法施行令21条: the officer, the property, 62条②
                assert "徴収職員" in text and "大正銀行泉尾支店" in text and "国税徴収法第62条第2項" in text
            if r.letter_type == "suspension_notice":
                assert "第15条の9第1項" in text and "3年間継続" in text
            if r.letter_type == "bank_inquiry":
                assert "国税徴収法第141条" in text and "タカハシ" in text
            if r.letter_type == "garnishment_notice":
                assert "大正銀行泉尾支店" in text and "20,000円" in text
            if r.letter_type in ("seizure_record", "garnishment_notice", "release_notice", "release_notice_household"):
                assert len(context["items"]) == 3  # the installments the seizure covers (seizure_items)
            if r.letter_type.startswith("release_notice"):  # 国税徴収法80条: a seized deposit, a claim
                # released by notice to the bank (1項ただし書); the household is told (2項2号)
                assert "差押解除通知書" in text and "大正銀行泉尾支店" in text and "第79条第2項" in text
                assert ("国税徴収法第80条第2項第2号" if r.letter_type.endswith("household")
                        else "国税徴収法第80条第1項ただし書") in text
            if r.letter_type == "installment_plan":
                assert "15,000円" in text


def test_the_english_insert_for_non_japanese_households(issued, tmp_path):
    with issued.connect() as conn:
        h2 = actions.household_id(conn, "H2")
        serial = conn.execute(select(letters.c.serial).where(letters.c.household_id == h2)).scalars().first()
        if serial is None:
            pytest.skip("H2 had nothing overdue")
        reprint(conn, WORKFLOW, serial)(tmp_path / "en.pdf")
    text = pdf_text(tmp_path / "en.pdf")
    assert "About this letter" in text and len(pdfium.PdfDocument(str(tmp_path / "en.pdf"))) == 2


def test_barcode_decodes_to_the_44_digits(issued, tmp_path):
    import zxingcpp
    with issued.connect() as conn:
        row = conn.execute(select(letters).where(letters.c.letter_type == "demand_notice")).first()
        context = letter_context(conn, WORKFLOW, row.id)
        reprint(conn, WORKFLOW, row.serial)(tmp_path / "d.pdf")
    digits = context["slip"]["digits"]
    assert len(digits) == 44 and digits.startswith("91")
    # GS1's validation: weights 1, 3, 1, ... from the right, check digit included, sum to a multiple of ten
    assert sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(reversed(digits))) % 10 == 0
    assert digits[-7:-1] == f"{context['total_unpaid']:06d}"
    image = pdfium.PdfDocument(str(tmp_path / "d.pdf"))[0].render(scale=600 / 72).to_pil()
    found = [r for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.Code128]
    # zxing shows a GS1-128 symbol in its human-readable form, with the application identifier in brackets
    assert found and found[0].text == f"(91){digits[2:]}"


def test_missing_variable_fails_loudly():
    from jinja2 import UndefinedError
    with pytest.raises(UndefinedError):
        environment().get_template("reminder.html").render({"letter": {"serial": "X"}})


def test_batches_manifest_checksum_and_idempotent_rewrite(issued, tmp_path):
    with issued.connect() as conn:
        manifest = write_batches(conn, WORKFLOW, ON, tmp_path)
        again = write_batches(conn, WORKFLOW, ON, tmp_path)
        in_background = start_batches(conn, WORKFLOW, ON, tmp_path)  # the demo's way: laid out on the pool
    folder = tmp_path / "letters" / ON.isoformat()
    assert manifest == again == in_background.finish() and in_background.letters == len(manifest)
    assert {p.name for p in folder.iterdir()} >= {"manifest.csv", "SHA256SUMS", "demand_notice.pdf"}
    with open(folder / "manifest.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    demand = [r for r in rows if r["type"] == "demand_notice"]
    assert [r["postal_code"] for r in demand] == sorted(r["postal_code"] for r in demand)
    assert len(pdfium.PdfDocument(str(folder / "demand_notice.pdf"))) == int(demand[-1]["pages"].split("-")[1])


def test_mark_returned_queues_a_non_residence_check(issued):
    from nhi_collect.adapters.tables import queue_items
    with transaction(issued) as conn:
        serial = list_letters(conn, ON)[0]["serial"]
        mark_returned(conn, serial, "宛所不明", ON)
        mark_returned(conn, serial, "宛所不明", ON)
        assert conn.execute(select(letters.c.status).where(letters.c.serial == serial)).scalar() == "returned"
        assert len(conn.execute(select(queue_items).where(queue_items.c.kind == "returned_mail")).all()) == 1


def test_reprint_uses_the_address_as_it_was(issued, tmp_path):
    with issued.connect() as conn:
        serial = list_letters(conn, ON)[0]["serial"]
        reprint(conn, WORKFLOW, serial)(tmp_path / "before.pdf")
    moved = HOUSEHOLDS.replace(",1,en", ",0,en").replace("泉尾1丁目1-1", "鶴町3丁目3-3")
    run(issued, "households", write(tmp_path, "moved.csv", moved))
    with issued.connect() as conn:
        reprint(conn, WORKFLOW, serial)(tmp_path / "after.pdf")
    assert pdf_text(tmp_path / "before.pdf") == pdf_text(tmp_path / "after.pdf")


@pytest.mark.parametrize("pdf_engine", ["chromium", "weasyprint"])
def test_a_batch_laid_out_in_parts_on_two_cores_joins_with_true_page_ranges(issued, tmp_path, monkeypatch, pdf_engine):
    import shutil
    from nhi_collect.adapters import letters as rendering
    if pdf_engine == "chromium" and not shutil.which("chromium"):
        pytest.skip("chromium is not installed (make's set-up installs it)")
    monkeypatch.setattr(rendering, "PART_LETTERS", {pdf_engine: 2})
    monkeypatch.setenv("NHI_COLLECT_PDF_ENGINE", pdf_engine)
    with issued.connect() as conn:
        rows = conn.execute(select(letters.c.id, letters.c.serial).order_by(letters.c.id)).all()
        sections = [rendering.render_letter(letter_context(conn, WORKFLOW, r.id)) for r in rows]
    serials = [r.serial for r in rows]
    pages = rendering.write_pdfs([rendering.Batch(tmp_path / "all.pdf", "all", sections, serials)], workers=2)
    pdf = pdfium.PdfDocument(str(tmp_path / "all.pdf"))
    assert len(rows) > 4 and pages[serials[-1]][1] == len(pdf)
    assert pdf.get_metadata_dict().get("Title") == "all"  # the joined file keeps the batch's title
    ranges = [pages[s] for s in serials]
    assert ranges[0][0] == 1 and all(b[0] == a[1] + 1 for a, b in zip(ranges, ranges[1:]))  # contiguous, in order
    for serial, (first, _last) in zip(serials, ranges):
        assert serial in pdf[first - 1].get_textpage().get_text_range()


def test_small_batches_go_to_weasyprint_and_the_choice_can_be_forced(monkeypatch):
    from nhi_collect.adapters import letters as rendering
    monkeypatch.delenv("NHI_COLLECT_PDF_ENGINE", raising=False)
    monkeypatch.setattr(rendering.shutil, "which", lambda name: "/usr/bin/chromium")
    assert rendering.engine(rendering.SMALL_BATCH - 1) == "weasyprint"
    assert rendering.engine(rendering.SMALL_BATCH) == "chromium"
    monkeypatch.setattr(rendering.shutil, "which", lambda name: None)
    assert rendering.engine(10_000) == "weasyprint"  # the fallback
    monkeypatch.setenv("NHI_COLLECT_PDF_ENGINE", "chromium")
    assert rendering.engine(1) == "chromium"
    monkeypatch.setenv("NHI_COLLECT_PDF_ENGINE", "wkhtmltopdf")
    with pytest.raises(ValueError, match="chromium or weasyprint"):
        rendering.engine(1)


def test_a_batch_is_laid_out_in_equal_parts_spread_over_the_cores(monkeypatch):
    from pathlib import Path
    from nhi_collect.adapters import letters as rendering
    monkeypatch.setenv("NHI_COLLECT_PDF_ENGINE", "chromium")

    def sizes(letters, cores):
        batch = rendering.Batch(Path("x.pdf"), "x", ["<section></section>"] * letters, [str(n) for n in range(letters)])
        return [len(part[3]) for part in rendering._parts([batch], cores)]
    assert sizes(600, 2) == [300, 300]  # both cores
    assert sizes(500, 2) == [250, 250] and sizes(499, 2) == [499]  # a part keeps at least half of PART_LETTERS
    assert sizes(1_200, 2) == [400, 400, 400]  # at most PART_LETTERS: a browser's memory bounds a part
    assert sizes(25, 2) == [25] and sizes(600, 1) == [300, 300]


def test_the_immediate_extinction_notice_does_not_print_the_three_year_rule(issued, tmp_path):
    # 地方税法15条の7第5項: collection clearly impossible → the duty is extinguished at once, not after 3 years (④)
    with transaction(issued) as conn:
        h2 = actions.household_id(conn, "H2")
        conn.execute(suspensions.insert().values(household_id=h2, ground="no_property", decided_by="boss",
                                                 started_on=ON, immediate_extinction=True))
        actions._letter(conn, WORKFLOW, "suspension_notice", h2, ON)
        serial = conn.execute(select(letters.c.serial).where(letters.c.household_id == h2,
                                                             letters.c.letter_type == "suspension_notice")).scalar()
        reprint(conn, WORKFLOW, serial)(tmp_path / "s.pdf")
    text = pdf_text(tmp_path / "s.pdf").replace(" ", "").replace("\n", "").replace("\r", "")
    assert "直ちに消滅" in text and "同条第5項" in text and "3年間継続" not in text


def test_a_second_ward_is_one_file(engine, tmp_path):
    from nhi_collect.adapters.letters import render_letter
    from nhi_collect.workflow.definition import default_path
    text = default_path().read_text("utf-8")
    for old, new in (('name = "大阪市大正区"', 'name = "大阪市浪速区"'), ('serial_prefix = "TS"', 'serial_prefix = "ND"'),
                     ('title = "督促状"', 'title = "督促状（国民健康保険料）"')):
        assert old in text
        text = text.replace(old, new, 1)
    (tmp_path / "naniwa.toml").write_text(text, encoding="utf-8")
    naniwa = load(str(tmp_path / "naniwa.toml"))
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS))
    run(engine, "assessments", write(tmp_path, "a.csv", ASSESSMENTS))
    run_date(engine, naniwa, ON)
    with engine.connect() as conn:
        row = conn.execute(select(letters).where(letters.c.letter_type == "demand_notice")).first()
        html = render_letter(letter_context(conn, naniwa, row.id))
    assert row.serial.startswith("ND2023-")
    assert "大阪市浪速区" in html and "大阪市大正区役所" not in html and "督促状（国民健康保険料）" in html


def test_a_real_estate_release_is_notified_to_the_household_alone(issued, tmp_path):
    """Real estate has no third-party debtor: its release is the notice to the household (国税徴収法80条1項本文),
    the registration is cancelled on the ward's commission (3項), and no letter goes to a bank."""
    with transaction(issued) as conn:
        hid = actions.household_id(conn, "H2")
        seizure = conn.execute(seizures.insert().values(
            household_id=hid, property_kind="real_estate", third_party="大正銀行", amount=5_000_000, approved_by="boss",
            approved_on=ON, executed_on=ON).returning(seizures.c.id)).scalar()
        release.end(conn, WORKFLOW, select(seizures.c.id).where(seizures.c.id == seizure), release.WITHDRAWN, ON, None)
        sent = conn.execute(select(letters.c.serial, letters.c.letter_type).join(seizure_letters)
                            .where(seizure_letters.c.seizure_id == seizure)).all()
        assert [t for _, t in sent] == ["release_notice_household"]
        path = tmp_path / "re.pdf"
        reprint(conn, WORKFLOW, sent[0].serial)(path)
    text = pdf_text(path).replace(" ", "").replace("\n", "").replace("\r", "")
    assert "国税徴収法第80条第1項（" in text and "同条第3項" in text and "登記の抹消" in text
    assert "第三債務者" not in text and "ただし書" not in text and "不動産" in text
