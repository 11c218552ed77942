"""Reading contract.md's CSV files: decoding, header check, field parsing, every error kept.

Shift_JIS files are decoded as cp932 (Windows' Shift_JIS, which has the NEC and IBM extension
characters such as 髙 and ①); plain `shift_jis` would reject real ward files.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterator

import jaconv

from ..errors import RowError

ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "cp932": "cp932", "shift_jis": "cp932", "sjis": "cp932"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HALF_WIDTH_KANA = re.compile("[\uff61-\uff9f]")  # ｡ to ﾟ: the half-width katakana block
_POSTAL = re.compile(r"\d{7}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z]{2,4})?")


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
        codec = ENCODINGS.get(self.encoding.lower())
        if codec is None:
            self.errors.append(RowError(0, f"unknown encoding {self.encoding!r} (use utf-8 or cp932)"))
            return
        with open(self.path, "rb") as handle:
            reader = csv.reader(self._decoded(handle, codec))
            header = next(reader, None)
            if header is None:
                self.errors.append(RowError(1, "the file is empty: a header row is required"))
                return
            self.header = [h.strip() for h in header]
            if not self._header_ok(self.header):
                return
            width = len(self.header)
            for fields in reader:
                if len(fields) == width:
                    yield reader.line_num, fields
                elif fields:
                    self.errors.append(RowError(reader.line_num, f"expected {width} fields, found {len(fields)} "
                                                                 "(truncated or malformed line)"))

    def _decoded(self, handle, codec: str) -> Iterator[str]:
        for number, raw in enumerate(handle, 1):
            if number == 1 and codec == "utf-8" and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield raw.decode(codec)
            except UnicodeDecodeError as exc:
                self.errors.append(RowError(number, f"not valid {codec} at byte {exc.start + 1} of the line"
                                                    + (" (a Shift_JIS file needs --encoding cp932)"
                                                       if codec == "utf-8" else "")))
                yield raw.decode(codec, errors="replace")

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


Parser = Callable[[str, str], object]


def row_parser(header: list[str], parsers: dict[str, Parser]) -> Callable[[list[str]], tuple]:
    """A function from a row's fields to parsed values in `parsers` order (absent optional columns are
    empty). It raises BadField naming every bad column of the row at once."""
    plan = [(header.index(c) if c in header else None, c, p) for c, p in parsers.items()]

    def parse(fields: list[str]) -> tuple:
        values, problems = [], None
        for index, column, parser in plan:
            try:
                values.append(parser(fields[index].strip() if index is not None else "", column))
            except BadField as exc:
                problems = (problems or []) + [str(exc)]
        if problems:
            raise BadField("; ".join(problems))
        return tuple(values)

    return parse


def text(value: str, column: str, max_length: int = 200) -> str:
    if not value:
        raise BadField(f"{column} is empty")
    if len(value) > max_length:
        raise BadField(f"{column} is longer than {max_length} characters")
    return value


def optional_text(value: str, column: str) -> str | None:
    return value or None


def optional(parser: Parser) -> Parser:
    """The same check for a column that may be left empty (None then)."""
    return lambda value, column: parser(value, column) if value else None


def name(value: str, column: str) -> str:
    """Half-width katakana (ｶﾀｶﾅ) become full-width; kanji, including compatibility forms such as 﨑,
    are kept exactly (NFKC would turn 﨑 into 崎 and so change a person's name). Most names hold no
    half-width kana, and looking for one costs far less than converting (a sixth of a households import)."""
    value = text(value, column, 100)
    return jaconv.h2z(value, kana=True, ascii=False, digit=False) if _HALF_WIDTH_KANA.search(value) else value


def day(value: str, column: str) -> str:
    """A checked YYYY-MM-DD date, kept as that text (what both databases' bulk loaders take)."""
    if len(value) != 10 or not _DATE.fullmatch(value):
        raise BadField(f"{column} {value!r} is not a date YYYY-MM-DD")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise BadField(f"{column} {value!r} is not a real date") from None
    return value



def integer(value: str, column: str) -> int:
    digits = value[1:] if value[:1] == "-" else value
    if not (digits.isascii() and digits.isdigit()):
        raise BadField(f"{column} {value!r} is not a whole number of yen" if column in ("amount", "delta")
                       else f"{column} {value!r} is not a whole number")
    return int(value)



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
