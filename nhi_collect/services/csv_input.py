"""Reading contract.md's CSV files: decoding, header check, field parsing, every error kept.

Shift_JIS files are decoded as cp932 (Windows' Shift_JIS, which has the NEC and IBM extension
characters such as 髙 and ①); plain `shift_jis` would reject real ward files.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterator

import jaconv

from ..errors import RowError

ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "cp932": "cp932", "shift_jis": "cp932", "sjis": "cp932"}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_HALF_WIDTH_KANA = re.compile("[\uff61-\uff9f]")  # ｡ to ﾟ: the half-width katakana block
_POSTAL = re.compile(r"[0-9]{7}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z]{2,4})?")
# C0 controls (NUL, tab, CR and LF among them), DEL, C1 controls, and the bidirectional embeddings,
# overrides (U+202A-U+202E) and isolates (U+2066-U+2069) that reorder what a name or address shows
# ("Trojan Source", CVE-2021-42574). No field of the four files needs any of them.
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# The ward numbers households with 12 digits (27115 and a sequence); the payment slip's free field
# carries the number's digits padded to 12 (workflows/taisho.toml), so more digits cannot be printed.
# One capital letter may lead, for the test and training households (H1).
_HOUSEHOLD_NO = re.compile(r"[A-Z]?[0-9]{1,12}")
# One row's amount: the yearly premium is capped by law (国民健康保険法施行令29条の7: 1,060,000 yen a year
# from FY2024), so no installment, adjustment or payment of a household's arrears comes near 100 million
# yen; the bound also keeps any sum of a city's rows far inside the BIGINT columns (9.2 x 10^18).
YEN_LIMIT = 100_000_000


class BadField(ValueError):
    pass


@dataclass
class CsvSource:
    """Rows of a CSV file as (line number, {column: text}); errors collect in `errors`."""

    path: str
    encoding: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    errors: list[RowError] = field(default_factory=list)

    header: list[str] = field(default_factory=list)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Each physical line is one record: a field never spans lines (a quote left open is that
        line's error, not the rest of the file swallowed into one field), so every bad line is named."""
        codec = ENCODINGS.get(self.encoding.lower())
        if codec is None:
            self.errors.append(RowError(0, f"unknown encoding {self.encoding!r} (use utf-8 or cp932)"))
            return
        try:
            handle = open(self.path, "rb")
        except OSError as exc:
            self.errors.append(RowError(0, f"cannot be read ({exc.strerror})"))
            return
        with handle:
            feed = _OneLine()
            reader = csv.reader(feed, strict=True)
            width = None
            for number, raw in enumerate(handle, 1):
                line = self._line(number, raw, codec)
                if line is None:
                    if number == 1:
                        return
                    continue
                feed.line = line
                try:
                    fields = next(reader, [])
                except csv.Error as exc:
                    self.errors.append(RowError(number, _csv_problem(str(exc))))
                    if number == 1:
                        return
                    continue
                if width is None:
                    self.header = [h.strip() for h in fields]
                    if not self._header_ok(self.header):
                        return
                    width = len(self.header)
                elif len(fields) == width:
                    yield number, fields
                elif fields:
                    self.errors.append(RowError(number, f"expected {width} fields, found {len(fields)} "
                                                        "(truncated or malformed line)"))
            if width is None:
                self.errors.append(RowError(1, "the file is empty: a header row is required"))

    def _line(self, number: int, raw: bytes, codec: str) -> str | None:
        """The line's text without its line end, or None (and the error kept) when it cannot be read."""
        if number == 1 and codec == "utf-8" and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        raw = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1] if raw.endswith(b"\n") else raw
        if b"\r" in raw:
            self.errors.append(RowError(number, "holds a carriage return (CR) that does not end the line: the file's "
                                                "lines end in a bare CR (old Mac format) or a field holds one; save it "
                                                "with CRLF or LF line ends"))
            return None
        try:
            return raw.decode(codec)
        except UnicodeDecodeError as exc:
            self.errors.append(RowError(number, f"not valid {codec} at byte {exc.start + 1} of the line"
                                                + (" (a Shift_JIS file needs --encoding cp932)"
                                                   if codec == "utf-8" else "")))
            return None

    def _header_ok(self, header: list[str]) -> bool:
        missing = [c for c in self.required if c not in header]
        unknown = [c for c in header if c not in self.required and c not in self.optional]
        duplicated = sorted({c for c in header if header.count(c) > 1})
        problems = []
        if missing:
            problems.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown column(s) {', '.join(unknown)}")
        if duplicated:
            problems.append(f"repeated column(s) {', '.join(duplicated)}")
        if problems:
            expected = ", ".join(self.required + tuple(f"{c} (optional)" for c in self.optional))
            self.errors.append(RowError(1, f"wrong header: {'; '.join(problems)}; expected {expected}"))
            return False
        return True


class _OneLine:
    """The csv reader's input, one line at a time: when a record asks for a second line (a quote
    left open) the input ends, and the strict reader reports the line instead of reading on."""

    line: str | None = None

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line, self.line = self.line, None
        if line is None:
            raise StopIteration
        return line


def _csv_problem(message: str) -> str:
    if message == "unexpected end of data":
        return "a quoted field is not closed on this line (a field may not span lines)"
    if message.startswith("field larger than field limit"):
        return f"a field is longer than {csv.field_size_limit():,} characters"
    return f"malformed quoting ({message})"


Parser = Callable[[str, str], object]


def row_parser(header: list[str], parsers: dict[str, Parser]) -> Callable[[list[str]], tuple]:
    """A function from a row's fields to parsed values in `parsers` order (absent optional columns are
    empty). It raises BadField naming every bad column of the row at once."""
    plan = [(header.index(c) if c in header else None, c, p) for c, p in parsers.items()]

    def parse(fields: list[str]) -> tuple:
        values, problems = [], None
        if UNPRINTABLE.search("".join(fields)):
            raise BadField("; ".join(unprintable(v, c) for v, c in zip(fields, header) if UNPRINTABLE.search(v)))
        for index, column, parser in plan:
            try:
                values.append(parser(fields[index].strip() if index is not None else "", column))
            except BadField as exc:
                problems = (problems or []) + [str(exc)]
        if problems:
            raise BadField("; ".join(problems))
        return tuple(values)

    return parse


def unprintable(value: str, column: str) -> str:
    at = UNPRINTABLE.search(value)
    char = at.group()
    what = unicodedata.name(char, "a control character")
    return (f"{column} holds U+{ord(char):04X} ({what}) at character {at.start() + 1}: control and "
            "bidirectional-override characters are refused (they would reach printed letters unseen or reorder them)")


def text(value: str, column: str, max_length: int = 200) -> str:
    if not value:
        raise BadField(f"{column} is empty")
    if len(value) > max_length:
        raise BadField(f"{column} is longer than {max_length} characters")
    return value


def optional(parser: Parser) -> Parser:
    """The same check for a column that may be left empty (None then)."""
    return lambda value, column: parser(value, column) if value else None


def name(value: str, column: str) -> str:
    """Half-width katakana (ｶﾀｶﾅ) become full-width; kanji, including compatibility forms such as 﨑,
    are kept exactly (NFKC would turn 﨑 into 崎 and so change a person's name). Most names hold no
    half-width kana, and looking for one costs far less than converting (a sixth of a households import)."""
    value = text(value, column, 100)
    return jaconv.h2z(value, kana=True, ascii=False, digit=False) if _HALF_WIDTH_KANA.search(value) else value


def household_no(value: str, column: str) -> str:
    if not _HOUSEHOLD_NO.fullmatch(value):
        raise BadField(f"{column} {value[:40]!r} is not a household number (12 digits, as the ward numbers them)")
    return value


def _date(value: str, column: str) -> date:
    if len(value) != 10 or not _DATE.fullmatch(value):
        raise BadField(f"{column} {value[:40]!r} is not a date YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadField(f"{column} {value!r} is not a real date") from None


@dataclass(frozen=True)
class DayWindow:
    """A date column's plausible dates: from `earliest` to the same day `years_ahead` years after the
    import's own (Tokyo) day (28 February for a 29th)."""

    earliest: date
    years_ahead: int
    why: str
    may_be_empty: bool = False

    def parser(self, today: date) -> Parser:
        year = today.year + self.years_ahead
        latest = today.replace(year=year, day=28) if (today.month, today.day) == (2, 29) else today.replace(year=year)

        def parse(value: str, column: str) -> str:
            on = _date(value, column)
            if not self.earliest <= on <= latest:
                raise BadField(f"{column} {value} is outside {self.earliest} to {latest} ({self.why})")
            return value  # kept as text, what both databases' bulk loaders take
        return optional(parse) if self.may_be_empty else parse


def integer(value: str, column: str) -> int:
    digits = value[1:] if value[:1] == "-" else value
    if not (digits.isascii() and digits.isdigit()):
        raise BadField(f"{column} {value[:40]!r} is not a whole number of yen" if column in ("amount", "delta")
                       else f"{column} {value[:40]!r} is not a whole number")
    if len(digits) > 19:  # beyond any column (2^63 has 19 digits), and int() of thousands of digits is itself refused
        raise BadField(f"{column} has {len(digits)} digits, beyond any amount or number of the ward")
    return int(value)


def yen(value: str, column: str) -> int:
    amount = integer(value, column)
    if abs(amount) > YEN_LIMIT:
        raise BadField(f"{column} {amount:,} yen is beyond {YEN_LIMIT:,} yen, more than any household's premiums")
    return amount



def fiscal_year(value: str, column: str) -> int:
    year = integer(value, column)
    if not 1990 <= year <= 2100:
        raise BadField(f"{column} {year} is out of range")
    return year



def installment(value: str, column: str) -> int:
    number = integer(value, column)
    if not 1 <= number <= 12:
        raise BadField(f"{column} {number} is not between 1 and 12")
    return number



def flag(value: str, column: str) -> bool:
    if value in ("", "0"):
        return False
    if value == "1":
        return True
    raise BadField(f"{column} {value!r} must be 0 or 1")


def postal_code(value: str, column: str) -> str:
    digits = value.replace("-", "")
    if not _POSTAL.fullmatch(digits):
        raise BadField(f"{column} {value!r} is not a 7-digit postal code")
    return f"{digits[:3]}-{digits[3:]}"


def language(value: str, column: str) -> str:
    code = (value or "ja").lower()
    if not _LANGUAGE.fullmatch(code):
        raise BadField(f"{column} {value!r} is not a language code such as ja, en, zh, ko, vi")
    return code
