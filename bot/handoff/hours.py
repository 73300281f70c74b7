"""When staff are at work: weekly opening spans and public holidays, in Kosovo's time zone.

Spans are wall-clock times on one day. Each is turned into real instants for its
date, so a day on which the clocks change has the right length; a start that the
spring change skips (e.g. 02:30 on the last Sunday of March) falls an hour later,
as Python reads such times (PEP 495). Results are aware datetimes in the zone; to
measure the time between two of them, convert to UTC first: Python subtracts
datetimes that share a zone by their wall clocks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Mapping, Optional, Tuple, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

UTC = timezone.utc
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_FIELDS = ("timezone", "hours", "holidays")
# Holidays or closed weekdays never cover more than this; beyond it the hours are simply never open.
_SEARCH_DAYS = 400


class BusinessHoursError(ValueError):
    """Bad business hours; the message starts with the field at fault."""


@dataclass(frozen=True)
class Span:
    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


Week = Tuple[Tuple[Span, ...], ...]  # seven entries, Monday first


@dataclass(frozen=True)
class BusinessHours:
    timezone: str = "Europe/Belgrade"  # Kosovo keeps Central European time
    week: Week = ((),) * 7  # closed unless configured
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise BusinessHoursError(f"timezone: unknown time zone {self.timezone!r} "
                                     f"(e.g. Europe/Belgrade)") from None
        if len(self.week) != 7:
            raise BusinessHoursError(f"hours: need seven weekdays, got {len(self.week)}")
        for name, spans in zip(WEEKDAYS, self.week):
            for i, span in enumerate(spans):
                if span.end <= span.start:
                    raise BusinessHoursError(f"hours.{name}[{i}]: {span} must end after it starts")
                if i and span.start <= spans[i - 1].end:
                    raise BusinessHoursError(f"hours.{name}[{i}]: {span} must start after {spans[i - 1]} ends; "
                                             f"list spans in order, joining ones that meet")

    @classmethod
    def from_yaml(cls, path: Union[str, Path]) -> "BusinessHours":
        path = Path(path)
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
        except yaml.YAMLError as error:
            raise BusinessHoursError(f"{path}: not valid YAML: {error}") from None
        try:
            return cls.from_dict(data)
        except BusinessHoursError as error:
            raise BusinessHoursError(f"{path}: {error}") from None

    @classmethod
    def from_dict(cls, data: Any) -> "BusinessHours":
        """From {"timezone": ..., "hours": {"monday": ["08:30-16:30"], ...}, "holidays": [dates]}."""
        if not isinstance(data, Mapping):
            raise BusinessHoursError("expected a mapping with timezone, hours and holidays")
        unknown = sorted(str(key) for key in data if key not in _FIELDS)
        if unknown:
            raise BusinessHoursError(f"unknown field {unknown[0]!r}; use {', '.join(_FIELDS)}")
        hours = data.get("hours") or {}
        if not isinstance(hours, Mapping):
            raise BusinessHoursError("hours: expected weekdays with their opening spans")
        week = [()] * 7
        for day, spans in hours.items():
            name = str(day).strip().lower()
            if name not in WEEKDAYS:
                raise BusinessHoursError(f"hours: unknown weekday {day!r}; use monday ... sunday")
            week[WEEKDAYS.index(name)] = _parse_spans(f"hours.{name}", spans)
        holidays = data.get("holidays") or []
        if not isinstance(holidays, list):
            raise BusinessHoursError("holidays: expected a list of dates (YYYY-MM-DD)")
        return cls(timezone=str(data.get("timezone", cls.timezone)), week=tuple(week),
                   holidays=frozenset(_parse_date(f"holidays[{i}]", d) for i, d in enumerate(holidays)))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_open(self, now: datetime) -> bool:
        return self.closes_at(now) is not None

    def closes_at(self, now: datetime) -> Optional[datetime]:
        """When the span open at `now` ends (in the zone), or None when closed."""
        now = _utc(now)
        for start, end in self._spans_on(now.astimezone(self.zone).date()):
            if start <= now < end:
                return end.astimezone(self.zone)
        return None

    def next_opening(self, now: datetime) -> datetime:
        """The first moment at or after `now` when staff are at work, in the zone (`now` itself if open)."""
        now = _utc(now)
        first = now.astimezone(self.zone).date()
        for offset in range(_SEARCH_DAYS):
            for start, end in self._spans_on(first + timedelta(days=offset)):
                if end > now:
                    return max(start, now).astimezone(self.zone)
        raise ValueError(f"never open: no opening hours in the {_SEARCH_DAYS} days from {first}")

    def _spans_on(self, day: date) -> Tuple[Tuple[datetime, datetime], ...]:
        """The day's spans as UTC instants: aware datetimes sharing one zone compare by wall clock,
        which is wrong in the hour repeated in autumn."""
        if day in self.holidays:
            return ()
        return tuple((self._instant(day, s.start), self._instant(day, s.end)) for s in self.week[day.weekday()])

    def _instant(self, day: date, at: time) -> datetime:
        # fold=0: a wall time the spring change skips lands an hour later; a repeated one, on its first pass.
        return datetime.combine(day, at, tzinfo=self.zone).astimezone(UTC)


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text, so that a bad one is reported with its field."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _parse_spans(field: str, spans: Any) -> Tuple[Span, ...]:
    if spans is None:
        return ()  # "saturday:" left empty means closed
    if isinstance(spans, str):
        spans = [spans]  # one span needs no list
    if not isinstance(spans, list):
        raise BusinessHoursError(f'{field}: expected a list of spans like ["08:30-16:30"], got {spans!r}')
    parsed = []
    for i, text in enumerate(spans):
        where = f"{field}[{i}]"
        if not isinstance(text, str):
            # Unquoted 16:30 is read by YAML as a number, so say how to write it.
            raise BusinessHoursError(f'{where}: expected text like "08:30-16:30" in quotes, got {text!r}')
        match = _SPAN.match(text)
        if not match:
            raise BusinessHoursError(f'{where}: bad span {text!r}; write it as "HH:MM-HH:MM", e.g. "08:30-16:30"')
        start, end = (_parse_time(where, int(h), int(m)) for h, m in (match.group(1, 2), match.group(3, 4)))
        parsed.append(Span(start, end))
    return tuple(parsed)


def _parse_time(field: str, hour: int, minute: int) -> time:
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise BusinessHoursError(f"{field}: bad time {hour:02d}:{minute:02d}; use 00:00 to 23:59")
    return time(hour, minute)


def _parse_date(field: str, value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value  # from_dict called from code
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise BusinessHoursError(f"{field}: bad date {value!r}; use YYYY-MM-DD, e.g. 2026-01-01") from None


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got {now.isoformat()}")
    return now.astimezone(UTC)
