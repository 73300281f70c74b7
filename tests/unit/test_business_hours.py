from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.handoff.hours import BusinessHours, BusinessHoursError

SHIPPED = Path(__file__).resolve().parents[2] / "config" / "business_hours.yml"
ZONE = ZoneInfo("Europe/Belgrade")
HOURS = BusinessHours.from_dict({
    "hours": {"monday": ["09:00-12:00", "13:00-17:00"], "tuesday": ["09:00-17:00"], "wednesday": ["09:00-17:00"],
              "thursday": ["09:00-17:00"], "friday": ["09:00-17:00"]},
    "holidays": ["2026-02-17", date(2026, 4, 9)],
})


def local(*args, fold=0):
    return datetime(*args, tzinfo=ZONE, fold=fold)


def elapsed(start, end):
    # Subtracting datetimes that share a tzinfo ignores their offsets; real durations go through UTC.
    return end.astimezone(timezone.utc) - start.astimezone(timezone.utc)


def test_defaults_to_kosovo_time():
    assert HOURS.timezone == "Europe/Belgrade"


@pytest.mark.parametrize("moment,open_", [
    (local(2026, 3, 3, 8, 59), False),
    (local(2026, 3, 3, 9, 0), True),    # opening minute counts
    (local(2026, 3, 3, 16, 59), True),
    (local(2026, 3, 3, 17, 0), False),  # closing minute does not
    (local(2026, 3, 2, 12, 30), False),  # Monday's lunch break
    (local(2026, 3, 2, 13, 0), True),
    (local(2026, 3, 7, 11, 0), False),  # Saturday
    (local(2026, 3, 8, 11, 0), False),  # Sunday
    (local(2026, 2, 17, 11, 0), False),  # Independence Day, a Tuesday
])
def test_is_open(moment, open_):
    assert HOURS.is_open(moment) is open_


def test_now_in_another_zone_is_read_in_kosovo_time():
    assert HOURS.is_open(datetime(2026, 3, 3, 8, 30, tzinfo=timezone.utc))  # 09:30 in Pristina
    assert not HOURS.is_open(datetime(2026, 3, 3, 7, 30, tzinfo=timezone.utc))


def test_closes_at_is_the_end_of_the_current_span():
    assert HOURS.closes_at(local(2026, 3, 2, 10, 0)) == local(2026, 3, 2, 12, 0)
    assert HOURS.closes_at(local(2026, 3, 2, 14, 0)) == local(2026, 3, 2, 17, 0)
    assert HOURS.closes_at(local(2026, 3, 2, 12, 30)) is None


@pytest.mark.parametrize("moment,opening", [
    (local(2026, 3, 3, 7, 0), local(2026, 3, 3, 9, 0)),     # early morning
    (local(2026, 3, 2, 12, 15), local(2026, 3, 2, 13, 0)),  # lunch break
    (local(2026, 3, 6, 17, 0), local(2026, 3, 9, 9, 0)),    # Friday evening to Monday
    (local(2026, 2, 16, 18, 0), local(2026, 2, 18, 9, 0)),  # over Independence Day
    (local(2026, 4, 8, 17, 30), local(2026, 4, 10, 9, 0)),  # over Constitution Day
])
def test_next_opening_skips_closed_hours_weekends_and_holidays(moment, opening):
    found = HOURS.next_opening(moment)
    assert found == opening
    assert found.tzinfo == ZONE


def test_next_opening_while_open_is_now():
    now = datetime(2026, 3, 3, 10, 0, tzinfo=timezone.utc)
    assert HOURS.next_opening(now) == now
    assert HOURS.next_opening(now).tzinfo == ZONE


def test_naive_time_is_refused():
    for ask in (HOURS.is_open, HOURS.next_opening, HOURS.closes_at):
        with pytest.raises(ValueError, match="timezone-aware"):
            ask(datetime(2026, 3, 3, 10, 0))


def test_never_open_says_so():
    with pytest.raises(ValueError, match="never open"):
        BusinessHours().next_opening(local(2026, 3, 3, 10, 0))


def last_sunday(year, month):
    day = date(year, month, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def test_the_clocks_change_on_the_last_sundays_used_below():
    assert (last_sunday(2026, 3), last_sunday(2026, 10)) == (date(2026, 3, 29), date(2026, 10, 25))


def test_next_opening_over_the_spring_change_is_on_summer_time():
    friday = local(2026, 3, 27, 17, 0)  # +01:00
    monday = HOURS.next_opening(friday)
    assert monday == local(2026, 3, 30, 9, 0)
    assert monday.utcoffset() == timedelta(hours=2)
    assert elapsed(friday, monday) == timedelta(days=2, hours=15)  # an hour less than the wall clocks show


def test_next_opening_over_the_autumn_change_is_on_winter_time():
    friday = local(2026, 10, 23, 17, 0)  # +02:00
    monday = HOURS.next_opening(friday)
    assert monday == local(2026, 10, 26, 9, 0)
    assert monday.utcoffset() == timedelta(hours=1)
    assert elapsed(friday, monday) == timedelta(days=2, hours=17)  # an hour more


NIGHT = BusinessHours.from_dict({"hours": {"sunday": ["01:00-05:00"]}})


def test_a_span_on_the_spring_change_night_is_an_hour_shorter():
    opens = NIGHT.next_opening(local(2026, 3, 29, 0, 0))
    assert opens == local(2026, 3, 29, 1, 0)
    closes = NIGHT.closes_at(opens)
    assert closes == local(2026, 3, 29, 5, 0) and closes.utcoffset() == timedelta(hours=2)
    assert elapsed(opens, closes) == timedelta(hours=3)
    assert NIGHT.is_open(datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc))  # 03:30 summer time


def test_a_span_on_the_autumn_change_night_is_an_hour_longer():
    opens = NIGHT.next_opening(local(2026, 10, 25, 0, 0))
    assert elapsed(opens, NIGHT.closes_at(opens)) == timedelta(hours=5)
    assert NIGHT.is_open(local(2026, 10, 25, 2, 30, fold=1))  # the repeated 02:30


def test_a_span_ending_in_the_repeated_hour_ends_on_its_first_pass():
    early = BusinessHours.from_dict({"hours": {"sunday": ["01:00-02:30"]}})
    assert early.is_open(local(2026, 10, 25, 2, 15))
    assert not early.is_open(local(2026, 10, 25, 2, 15, fold=1))  # the second 02:15 is after closing
    assert early.next_opening(local(2026, 10, 25, 2, 45, fold=1)) == local(2026, 11, 1, 1, 0)


def test_a_start_in_the_skipped_spring_hour_opens_an_hour_later():
    skipped = BusinessHours.from_dict({"hours": {"sunday": ["02:30-06:00"]}})
    opens = skipped.next_opening(local(2026, 3, 29, 0, 0))
    assert opens == local(2026, 3, 29, 3, 30)
    assert opens.utcoffset() == timedelta(hours=2)


def test_spans_and_holidays_from_yaml(tmp_path):
    path = tmp_path / "hours.yml"
    path.write_text('timezone: Europe/Belgrade\n'
                    'hours:\n  Monday: ["08:00-12:00", "12:30-16:00"]\n  friday: "10:00-14:00"\n  saturday:\n'
                    'holidays:\n  - 2026-01-01  # New Year\n  - "2026-01-02"\n', encoding="utf-8")
    hours = BusinessHours.from_yaml(path)
    assert [str(s) for s in hours.week[0]] == ["08:00-12:00", "12:30-16:00"]
    assert [str(s) for s in hours.week[4]] == ["10:00-14:00"]
    assert hours.week[5] == hours.week[1] == ()
    assert hours.holidays == {date(2026, 1, 1), date(2026, 1, 2)}


@pytest.mark.parametrize("text,message", [
    ('hours:\n  monday: ["25:00-26:00"]\n', r"hours\.monday\[0\]: bad time 25:00"),
    ('hours:\n  monday: ["09:00-08:00"]\n', r"hours\.monday\[0\]: 09:00-08:00 must end after it starts"),
    ('hours:\n  monday: ["09:00-09:00"]\n', r"hours\.monday\[0\]: 09:00-09:00 must end after"),
    ('hours:\n  monday: ["09:00-13:00", "12:00-17:00"]\n', r"hours\.monday\[1\]: 12:00-17:00 must start after"),
    ('hours:\n  monday: ["13:00-17:00", "09:00-12:00"]\n', r"hours\.monday\[1\]: .*list spans in order"),
    ('hours:\n  mondy: ["09:00-17:00"]\n', r"hours: unknown weekday 'mondy'"),
    ('hours:\n  monday: ["9 to 5"]\n', r"hours\.monday\[0\]: bad span '9 to 5'"),
    ('hours:\n  monday: [16:30]\n', r"hours\.monday\[0\]: expected text like \"08:30-16:30\" in quotes"),
    ('hours:\n  monday: {open: "09:00"}\n', r"hours\.monday: expected a list of spans"),
    ('hours: ["09:00-17:00"]\n', r"hours: expected weekdays"),
    ('holidays:\n  - 2026-02-30\n', r"holidays\[0\]: bad date '2026-02-30'; use YYYY-MM-DD"),
    ('holidays:\n  - 2026-01-01\n  - 1st May\n', r"holidays\[1\]: bad date '1st May'"),
    ('holidays: 2026-01-01\n', r"holidays: expected a list of dates"),
    ('timezone: Europe/Pristina\n', r"timezone: unknown time zone 'Europe/Pristina'"),
    ('holiday:\n  - 2026-01-01\n', r"unknown field 'holiday'"),
    ('- monday\n', r"expected a mapping"),
    ('hours: [unclosed\n', r"not valid YAML"),
])
def test_bad_yaml_names_the_file_and_field(tmp_path, text, message):
    path = tmp_path / "hours.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BusinessHoursError, match=message) as error:
        BusinessHours.from_yaml(path)
    assert str(error.value).startswith(f"{path}: ")


def test_the_shipped_configuration_loads():
    hours = BusinessHours.from_yaml(SHIPPED)
    assert hours.timezone == "Europe/Belgrade"
    assert [str(s) for s in hours.week[0]] == ["08:30-16:30"] and hours.week[4] == hours.week[0]
    assert hours.week[5] == hours.week[6] == ()
    for year in (2026, 2027):
        for month, day in [(1, 1), (1, 2), (1, 7), (2, 17), (4, 9), (5, 1), (5, 9), (12, 25)]:
            assert date(year, month, day) in hours.holidays
    easter_mondays = {date(2026, 4, 6), date(2026, 4, 13), date(2027, 3, 29), date(2027, 5, 3)}
    assert easter_mondays <= hours.holidays
    # Independence Day 2026 is a Tuesday: the desk opens on Wednesday.
    assert hours.next_opening(local(2026, 2, 16, 17, 0)) == local(2026, 2, 18, 8, 30)
