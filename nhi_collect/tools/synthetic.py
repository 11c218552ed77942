"""A synthetic Taisho ward: households, assessments, adjustments and payments as contract.md CSVs.

Everyone here is invented: names are drawn from common surnames and given names with their
readings, addresses from Taisho ward's towns with random block numbers. Payment behaviour mixes
punctual payers, late payers, partial payers, chronic delinquents, movers (who leave NHI mid-year,
which reduces their premium) and a few households whose whereabouts are unknown, calibrated so a
fiscal year ends near the ward's rates (current year ≈ 92 %, carried-over arrears ≈ 28 %).
Deterministic for a given seed.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ..domain.calendar import INSTALLMENTS_PER_YEAR, due_date, next_bank_day

SURNAMES = [("田中", "タナカ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"), ("松本", "マツモト"), ("井上", "イノウエ"),
            ("木村", "キムラ"), ("林", "ハヤシ"), ("山口", "ヤマグチ"), ("吉田", "ヨシダ"), ("山田", "ヤマダ"),
            ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("髙橋", "タカハシ"), ("伊藤", "イトウ"),
            ("渡辺", "ワタナベ"), ("小林", "コバヤシ"), ("加藤", "カトウ"), ("西村", "ニシムラ"), ("藤井", "フジイ"),
            ("岡田", "オカダ"), ("前田", "マエダ"), ("山崎", "ヤマサキ"), ("山﨑", "ヤマサキ"), ("森", "モリ"),
            ("池田", "イケダ"), ("橋本", "ハシモト"), ("阪本", "サカモト"), ("上田", "ウエダ"), ("松田", "マツダ"),
            ("金城", "キンジョウ"), ("比嘉", "ヒガ"), ("大城", "オオシロ"), ("宮城", "ミヤギ"), ("藤原", "フジワラ"),
            ("清水", "シミズ"), ("辻", "ツジ"), ("北川", "キタガワ"), ("福田", "フクダ"), ("坂口", "サカグチ")]
GIVEN = [("太郎", "タロウ"), ("健一", "ケンイチ"), ("誠", "マコト"), ("浩二", "コウジ"), ("大輔", "ダイスケ"),
         ("翔太", "ショウタ"), ("拓也", "タクヤ"), ("修", "オサム"), ("正樹", "マサキ"), ("隆", "タカシ"),
         ("花子", "ハナコ"), ("恵子", "ケイコ"), ("裕子", "ユウコ"), ("美咲", "ミサキ"), ("陽子", "ヨウコ"),
         ("直美", "ナオミ"), ("久美子", "クミコ"), ("幸子", "サチコ"), ("真由美", "マユミ"), ("愛", "アイ")]
FOREIGN = [("グエン　ヴァン　アン", "グエン　ヴァン　アン", "vi"), ("チャン　ティ　ラン", "チャン　ティ　ラン", "vi"),
           ("王　偉", "ワン　ウェイ", "zh"), ("李　娜", "リ　ナ", "zh"), ("金　民俊", "キム　ミンジュン", "ko"),
           ("朴　智恩", "パク　チウン", "ko"), ("SANTOS MARIA", "サントス　マリア", "en"),
           ("SILVA JOAO", "シルバ　ジョアン", "en")]
# Taisho ward towns (大阪市大正区) with their postal codes and the number of 丁目.
TOWNS = [("泉尾", "551-0031", 7), ("北村", "551-0032", 3), ("小林東", "551-0011", 3), ("小林西", "551-0013", 2),
         ("三軒家東", "551-0002", 6), ("三軒家西", "551-0001", 3), ("千島", "551-0003", 3), ("鶴町", "551-0023", 5),
         ("船町", "551-0022", 2), ("平尾", "551-0012", 5), ("北恩加島", "551-0033", 2), ("南恩加島", "551-0021", 7)]
BUILDINGS = ["コーポ大正", "ハイツ泉尾", "メゾン千島", "鶴町住宅", "グランドール平尾", "サンハイム三軒家"]

# Behaviour mix: (name, share, chance an installment is paid at all, share of arrears repaid a year).
BEHAVIOURS = [("punctual", 0.80, 1.00, 0.0), ("late", 0.08, 1.00, 0.0), ("partial", 0.045, 0.53, 0.16),
              ("chronic", 0.04, 0.20, 0.13), ("mover", 0.03, 1.00, 0.0), ("unknown", 0.005, 0.0, 0.0)]
WARD_PREFIX = "27115"  # 大阪市大正区's local-government code


@dataclass
class Household:
    number: str
    behaviour: str
    premium: int
    language: str


def _pick_behaviour(rng: random.Random) -> tuple[str, float, float]:
    x, acc = rng.random(), 0.0
    for name, share, pay_chance, catch_up in BEHAVIOURS:
        acc += share
        if x < acc:
            return name, pay_chance, catch_up
    name, _, pay_chance, catch_up = BEHAVIOURS[0]
    return name, pay_chance, catch_up


def installments(premium: int) -> list[int]:
    """Osaka splits the yearly premium into 10 installments in 100-yen units, the remainder on the first."""
    part = premium // INSTALLMENTS_PER_YEAR // 100 * 100
    return [premium - part * (INSTALLMENTS_PER_YEAR - 1)] + [part] * (INSTALLMENTS_PER_YEAR - 1)


def generate_ward(households: int, fiscal_years: range, seed: int, out: Path) -> dict[str, int]:
    """Write households.csv, assessments.csv, adjustments.csv and payments.csv into `out`."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    counts = dict.fromkeys(("households", "assessments", "adjustments", "payments"), 0)
    files = {k: open(out / f"{k}.csv", "w", newline="", encoding="utf-8") for k in counts}
    try:
        w = {k: csv.writer(fh, lineterminator="\n") for k, fh in files.items()}
        w["households"].writerow(["household_no", "head_name", "head_name_kana", "head_birth_date", "postal_code",
                                  "address", "district", "phone", "whereabouts_unknown", "language"])
        w["assessments"].writerow(["household_no", "fiscal_year", "installment", "due_date", "amount"])
        w["adjustments"].writerow(["adjustment_id", "household_no", "fiscal_year", "installment", "adjusted_on",
                                   "delta", "reason"])
        w["payments"].writerow(["payment_id", "household_no", "fiscal_year", "installment", "paid_on", "amount",
                                "channel"])
        dues = {(fy, i): due_date(fy, i) for fy in fiscal_years for i in range(1, INSTALLMENTS_PER_YEAR + 1)}
        last_day = date(fiscal_years[-1] + 1, 5, 31)
        for n in range(1, households + 1):
            _one_household(rng, n, fiscal_years, dues, last_day, w, counts)
    finally:
        for fh in files.values():
            fh.close()
    return counts


def _one_household(rng, n, fiscal_years, dues, last_day, w, counts) -> None:
    number = f"{WARD_PREFIX}{n:07d}"
    behaviour, pay_chance, catch_up = _pick_behaviour(rng)
    if rng.random() < 0.05:
        head, kana, language = rng.choice(FOREIGN)
    else:
        (sur, sur_kana), (given, given_kana) = rng.choice(SURNAMES), rng.choice(GIVEN)
        head, kana, language = f"{sur}　{given}", f"{sur_kana}　{given_kana}", "ja"
    town, postal, chome = rng.choice(TOWNS)
    address = f"大阪市大正区{town}{rng.randint(1, chome)}丁目{rng.randint(1, 30)}-{rng.randint(1, 25)}"
    if rng.random() < 0.4:
        address += f" {rng.choice(BUILDINGS)}{rng.randint(1, 8)}0{rng.randint(1, 9)}号"
    birth = date(1940, 1, 1) + timedelta(days=rng.randint(0, 60 * 365))
    phone = f"06-65{rng.randint(51, 56)}-{rng.randint(0, 9999):04d}" if rng.random() < 0.8 else ""
    w["households"].writerow([number, head, kana, birth.isoformat(), postal, address, town, phone,
                              1 if behaviour == "unknown" else 0, language])
    counts["households"] += 1
    premium = int(min(max(rng.lognormvariate(11.6, 0.55), 20_000), 1_040_000)) // 100 * 100
    seq = 0
    owed: list[tuple[int, int, int]] = []  # (fiscal year, installment, unpaid) carried forward
    for fy in fiscal_years:
        premium = int(premium * rng.uniform(0.95, 1.06)) // 100 * 100
        parts = installments(premium)
        leaves = rng.randint(3, 9) if behaviour == "mover" and rng.random() < 0.5 else None
        for i, amount in enumerate(parts, 1):
            due = dues[(fy, i)]
            w["assessments"].writerow([number, fy, i, due.isoformat(), amount])
            counts["assessments"] += 1
            if leaves is not None and i > leaves:
                # 資格喪失: joining employee insurance ends NHI; the premium is corrected (更正) to zero.
                on = dues[(fy, leaves)] + timedelta(days=rng.randint(5, 40))
                w["adjustments"].writerow([f"ADJ-{number}-{fy}-{i:02d}", number, fy, i, on.isoformat(), -amount,
                                           "資格喪失による更正"])
                counts["adjustments"] += 1
                continue
            paid_on = _pay_date(rng, behaviour, pay_chance, due)
            if paid_on is None or paid_on > last_day:
                owed.append((fy, i, amount))
                continue
            share = amount if behaviour != "partial" or rng.random() < 0.5 else amount * rng.randint(3, 9) // 10
            seq += 1
            channel = "bank_transfer" if behaviour == "punctual" else rng.choice(["counter", "convenience_store",
                                                                                  "bank_transfer"])
            w["payments"].writerow([f"P{number}-{seq:04d}", number, fy, i, paid_on.isoformat(), share, channel])
            counts["payments"] += 1
            if share < amount:
                owed.append((fy, i, amount - share))
        # Catch-up on arrears during the next year: undesignated counter payments, oldest first.
        if catch_up and owed:
            arrears = sum(u for f_, _, u in owed if f_ < fy + 1)
            repaid = int(arrears * catch_up * rng.uniform(0.3, 1.7)) // 1000 * 1000
            on = date(fy + 1, rng.randint(6, 12), rng.randint(1, 28))
            if repaid > 0 and on <= last_day:
                seq += 1
                w["payments"].writerow([f"P{number}-{seq:04d}", number, "", "", on.isoformat(), repaid, "counter"])
                counts["payments"] += 1
                owed = _repay(owed, repaid)


def _pay_date(rng: random.Random, behaviour: str, pay_chance: float, due: date) -> date | None:
    if rng.random() >= pay_chance:
        return None
    if behaviour in ("punctual", "mover"):
        # most bank transfers settle on the due date; a few fail and are paid after the demand notice
        return next_bank_day(due) if rng.random() < 0.95 else due + timedelta(days=rng.randint(20, 60))
    if behaviour == "late":
        return due + timedelta(days=rng.randint(10, 120))
    return due + timedelta(days=rng.randint(0, 300))


def _repay(owed: list[tuple[int, int, int]], amount: int) -> list[tuple[int, int, int]]:
    left, result = amount, []
    for fy, i, unpaid in owed:
        take = min(left, unpaid)
        left -= take
        if unpaid - take:
            result.append((fy, i, unpaid - take))
    return result
