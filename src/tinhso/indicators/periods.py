"""Periods of indicator values: a year, a quarter, a month, a day ("as of" counts) or a plan term.

A period is a type plus its first and last day, stored as three fields on each row rather than as a
Period table: a range query ("from 2020 to 2024") is then one indexed comparison on the value table,
with no join, which matters at millions of values; and the code ("2024", "2024Q1", "2024-03",
"2024-11-30", "2021-2025") is rebuilt from the fields, so it never disagrees with them.
"""

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class PeriodType(models.TextChoices):
    YEAR = "year", _("Năm")
    QUARTER = "quarter", _("Quý")
    MONTH = "month", _("Tháng")
    DAY = "day", _("Ngày (số liệu tại thời điểm)")
    TERM = "term", _("Giai đoạn (kế hoạch nhiều năm)")


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class Period:
    type: str
    start: dt.date
    end: dt.date

    @property
    def code(self) -> str:
        """Return the period's code: 2024, 2024Q1, 2024-03, 2024-11-30, 2021-2025."""
        if self.type == PeriodType.YEAR:
            return str(self.start.year)
        if self.type == PeriodType.QUARTER:
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        if self.type == PeriodType.MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        if self.type == PeriodType.DAY:
            return self.start.isoformat()
        return f"{self.start.year}-{self.end.year}"

    @property
    def label(self) -> str:
        """Return the period as Vietnamese prose puts it after "so với": năm 2020, quý I/2024, tháng 11/2024."""
        if self.type == PeriodType.YEAR:
            return gettext("năm %(year)s") % {"year": self.start.year}
        if self.type == PeriodType.QUARTER:
            quarter = _ROMAN[(self.start.month - 1) // 3 + 1]
            return gettext("quý %(quarter)s/%(year)s") % {"quarter": quarter, "year": self.start.year}
        if self.type == PeriodType.MONTH:
            return gettext("tháng %(month)s/%(year)s") % {"month": self.start.month, "year": self.start.year}
        if self.type == PeriodType.DAY:
            return gettext("ngày %(date)s") % {"date": self.start.strftime("%d/%m/%Y")}
        return gettext("giai đoạn %(start)s–%(end)s") % {"start": self.start.year, "end": self.end.year}

    def __str__(self) -> str:
        return self.code


def year(y: int) -> Period:
    return Period(PeriodType.YEAR, dt.date(y, 1, 1), dt.date(y, 12, 31))


def quarter(y: int, q: int) -> Period:
    if q not in _ROMAN:
        raise ValueError(q)
    first = 3 * (q - 1) + 1
    return Period(PeriodType.QUARTER, dt.date(y, first, 1), dt.date(y, first + 2, calendar.monthrange(y, first + 2)[1]))


def month(y: int, m: int) -> Period:
    return Period(PeriodType.MONTH, dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1]))


def day(d: dt.date) -> Period:
    return Period(PeriodType.DAY, d, d)


def term(first_year: int, last_year: int) -> Period:
    if last_year < first_year:
        raise ValueError((first_year, last_year))
    return Period(PeriodType.TERM, dt.date(first_year, 1, 1), dt.date(last_year, 12, 31))


def from_fields(period_type: str, start: dt.date, end: dt.date) -> Period:
    return Period(period_type, start, end)


_PATTERNS = [
    (re.compile(r"^(\d{4})$"), lambda m: year(int(m[1]))),
    (re.compile(r"^(\d{4})[Qq]([1-4])$"), lambda m: quarter(int(m[1]), int(m[2]))),
    (re.compile(r"^(\d{4})-(\d{2})$"), lambda m: month(int(m[1]), int(m[2]))),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), lambda m: day(dt.date(int(m[1]), int(m[2]), int(m[3])))),
    (re.compile(r"^(\d{4})-(\d{4})$"), lambda m: term(int(m[1]), int(m[2]))),
]


def parse(code: str) -> Period:
    """Return the period a code names (2024, 2024Q1, 2024-03, 2024-11-30, 2021-2025); ValueError otherwise."""
    text = (code or "").strip()
    for pattern, build in _PATTERNS:
        match = pattern.match(text)
        if match:
            return build(match)  # a bad month or day raises ValueError from datetime
    raise ValueError(code)
