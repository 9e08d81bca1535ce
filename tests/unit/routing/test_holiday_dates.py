"""The holiday tables the layer's build writes (routing/holiday_dates.py) say what the holidays
library says, and the rules use them instead of the library wherever they cover the day."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest

from xoxzo_din.routing import holiday_dates, rules
from xoxzo_din.routing.holiday_dates import HolidayTables, write_tables
from xoxzo_din.routing.rule_parsing import parse_number_routes

FIRST_YEAR, LAST_YEAR = 2026, 2027
COUNTRIES = ("JP", "JPN", "US", "GB", "UK")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("precomputed_holidays")
    assert write_tables(folder, FIRST_YEAR, LAST_YEAR, COUNTRIES) == len(COUNTRIES)
    return folder


def every_day() -> list[date]:
    first = date(FIRST_YEAR, 1, 1)
    return [first + timedelta(days=offset) for offset in range((date(LAST_YEAR, 12, 31) - first).days + 1)]


@pytest.mark.parametrize(
    ("calendar", "library"),
    [
        (("JP", None), ("JP", None)),
        (("JPN", None), ("JP", None)),  # an alias reads its country's table
        (("US", None), ("US", None)),
        (("US", "CA"), ("US", "CA")),
        (("UK", "SCT"), ("GB", "SCT")),
    ],
)
def test_the_tables_say_what_the_library_says_on_every_day(folder, calendar, library):
    tables = HolidayTables(folder)
    country, subdivision = library
    truth = holidays.country_holidays(country, subdiv=subdivision)
    answers = {day: tables.is_holiday(calendar, day) for day in every_day()}
    assert answers == {day: day in truth for day in every_day()}
    assert sum(1 for holiday in answers.values() if holiday) > 8  # holidays found, not only ordinary days
    assert tables.covers(calendar)


def test_what_no_table_covers_is_left_to_the_library(folder):
    tables = HolidayTables(folder)
    assert tables.is_holiday(("JP", None), date(FIRST_YEAR - 1, 1, 1)) is None  # before the years
    assert tables.is_holiday(("JP", None), date(LAST_YEAR + 1, 1, 1)) is None  # after them
    assert tables.is_holiday(("FR", None), date(FIRST_YEAR, 7, 14)) is None  # no file
    assert tables.is_holiday(("US", "ZZ"), date(FIRST_YEAR, 7, 4)) is None  # no such subdivision
    assert not tables.covers(("FR", None)) and not tables.covers(("US", "ZZ"))
    assert not tables.covers(("../JP", None))  # a code, never a path
    assert HolidayTables(folder / "absent").is_holiday(("JP", None), date(FIRST_YEAR, 1, 1)) is None


@pytest.mark.parametrize(
    "content", ["not json", "[]", '{"format": 99}', '{"same_as": "JPN"}', '{"format": 1, "first_year": "x"}']
)
def test_an_unreadable_table_is_no_table(tmp_path, content):
    (tmp_path / "JP.json").write_text(content, encoding="utf-8")
    (tmp_path / "JPN.json").write_text('{"same_as": "JP"}', encoding="utf-8")
    tables = HolidayTables(tmp_path)
    assert tables.is_holiday(("JP", None), date(FIRST_YEAR, 1, 1)) is None


def test_each_countrys_file_is_read_once_and_only_when_asked(folder, monkeypatch):
    tables = HolidayTables(folder)
    read: list[str] = []
    original = Path.read_text

    def counting(path: Path, *arguments, **keywords):
        read.append(path.name)
        return original(path, *arguments, **keywords)

    monkeypatch.setattr(Path, "read_text", counting)
    for day in every_day()[:40]:
        tables.is_holiday(("JP", None), day)
    assert read == ["JP.json"]


def test_the_files_name_their_years_and_library(folder):
    table = json.loads((folder / "JP.json").read_text(encoding="utf-8"))
    assert (table["format"], table["first_year"], table["last_year"]) == (1, FIRST_YEAR, LAST_YEAR)
    assert table["library"] == f"holidays {holidays.version.__version__}"
    assert "2026-11-23" in table["calendars"][""].split()  # 勤労感謝の日
    assert json.loads((folder / "JPN.json").read_text(encoding="utf-8")) == {"same_as": "JP"}


def test_the_build_writes_the_years_around_its_own(tmp_path, capsys):
    holiday_dates.main([str(tmp_path), "2026", "2026"])
    assert "2026 to 2026" in capsys.readouterr().out
    assert (tmp_path / "JP.json").is_file() and (tmp_path / "US.json").is_file()
    assert holiday_dates.YEARS_BEFORE_BUILD == 1 and holiday_dates.YEARS_AFTER_BUILD == 10


def test_the_rules_use_the_tables_before_the_library(folder, monkeypatch):
    def no_library(country, subdivision):
        raise AssertionError(f"the library was asked about {country}-{subdivision}")

    monkeypatch.setattr(rules, "TABLES", HolidayTables(folder))
    monkeypatch.setattr(rules, "holiday_calendar_for", no_library)
    assert rules.is_holiday(("JP", None), date(2026, 11, 23))
    assert not rules.is_holiday(("JP", None), date(2026, 11, 24))
    item = {"number": "+81312345678", "rule_id": "r", "holidays": "JP", "action": "voicemail"}
    assert parse_number_routes([item]).problems == ()
    with pytest.raises(AssertionError, match="asked about JP-None"):  # a year no table covers
        rules.is_holiday(("JP", None), date(2040, 1, 1))


def test_without_tables_the_library_answers(monkeypatch, tmp_path):
    monkeypatch.setattr(rules, "TABLES", HolidayTables(tmp_path))
    assert rules.is_holiday(("JP", None), date(2026, 11, 23))
    assert rules.has_holiday_calendar(("US", "CA")) and not rules.has_holiday_calendar(("XX", None))
