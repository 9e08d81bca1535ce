"""Public holidays for the call path: from tables that the layer's build computes with the `holidays`
library, else from the library itself (why: docs/explanation/performance.md#holiday-calendars).

The build (layers/shared/Makefile) runs `python -m xoxzo_din.routing.holiday_dates <folder>`, which
writes, for every country the library knows and each of its subdivisions, the public holidays of
the years around the build: one file per country in `precomputed_holidays/` beside this module,
read when a rule first asks about that country. A calendar or a year that no file covers (and any
run from the sources, which have no files) is asked of the library, as before: the library stays
the source, the tables only spare a call its import.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

type Calendar = tuple[str, str | None]  # (country, subdivision)

FOLDER = Path(__file__).with_name("precomputed_holidays")
FORMAT = 1
# Years written around the build's year: one before (calls near the new year), ten after.
YEARS_BEFORE_BUILD, YEARS_AFTER_BUILD = 1, 10
_NATIONAL = ""  # the key of a country's own calendar, beside its subdivisions' codes


@dataclass(slots=True)
class _Country:
    first_year: int
    last_year: int
    calendars: dict[str, str]  # subdivision (or "") -> its dates, ISO, space-separated
    parsed: dict[str, frozenset[date]] = field(default_factory=dict)

    def dates(self, subdivision: str) -> frozenset[date] | None:
        dates = self.parsed.get(subdivision)
        if dates is None and subdivision in self.calendars:
            dates = frozenset(map(date.fromisoformat, self.calendars[subdivision].split()))
            self.parsed[subdivision] = dates
        return dates


class HolidayTables:
    """The precomputed tables in one folder, each country's file read once, when first asked."""

    def __init__(self, folder: Path = FOLDER) -> None:
        self._folder = folder
        self._countries: dict[str, _Country | None] = {}

    def is_holiday(self, calendar: Calendar, day: date) -> bool | None:
        """Whether `day` is a public holiday of `calendar`; None when no table covers it."""
        country = self._country(calendar[0])
        if country is None or not country.first_year <= day.year <= country.last_year:
            return None
        dates = country.dates(calendar[1] or _NATIONAL)
        return None if dates is None else day in dates

    def covers(self, calendar: Calendar) -> bool:
        """Whether a table has this calendar (so the library knows it)."""
        country = self._country(calendar[0])
        return country is not None and (calendar[1] or _NATIONAL) in country.calendars

    def _country(self, code: str) -> _Country | None:
        if code not in self._countries:
            self._countries[code] = self._read(code)
        return self._countries[code]

    def _read(self, code: str, *, follow: bool = True) -> _Country | None:
        """A country's table (an alias's file names its country); None when absent or unreadable."""
        if not code.isalnum():  # a file name, never a path
            return None
        try:
            table = json.loads((self._folder / f"{code}.json").read_text(encoding="utf-8"))
            if follow and isinstance(table.get("same_as"), str):
                return self._read(table["same_as"], follow=False)
            if table["format"] != FORMAT:
                return None
            return _Country(int(table["first_year"]), int(table["last_year"]), dict(table["calendars"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None


TABLES = HolidayTables()


def write_tables(
    folder: Path, first_year: int, last_year: int, countries: Collection[str] | None = None
) -> int:
    """Write the tables of every country (or of `countries`) and subdivision the library knows,
    for these years (the build's step). Returns the number of files written."""
    import holidays  # noqa: PLC0415 - the build's dependency, never the call path's

    folder.mkdir(parents=True, exist_ok=True)
    years = range(first_year, last_year + 1)
    written = 0
    for code, subdivisions in holidays.list_supported_countries(include_aliases=True).items():
        if countries is not None and code not in countries:
            continue
        national = holidays.country_holidays(code, years=years)
        table: dict[str, Any]
        if national.country != code:  # an alias (UK for GB, JPN for JP): its country's table
            table = {"same_as": national.country}
        else:
            calendars = {_NATIONAL: _spelled(national, years)}
            for subdivision in subdivisions:
                calendar = holidays.country_holidays(code, subdiv=subdivision, years=years)
                calendars[subdivision] = _spelled(calendar, years)
            table = {
                "format": FORMAT,
                "library": f"holidays {holidays.version.__version__}",
                "first_year": first_year,
                "last_year": last_year,
                "calendars": calendars,
            }
        (folder / f"{code}.json").write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
        written += 1
    return written


def _spelled(calendar: Any, years: range) -> str:
    return " ".join(sorted(day.isoformat() for day in calendar if day.year in years))


def main(arguments: list[str]) -> None:
    """python -m xoxzo_din.routing.holiday_dates FOLDER [FIRST_YEAR LAST_YEAR]"""
    folder = Path(arguments[0])
    this_year = date.today().year
    first_year, last_year = (
        (int(arguments[1]), int(arguments[2]))
        if len(arguments) == 3
        else (this_year - YEARS_BEFORE_BUILD, this_year + YEARS_AFTER_BUILD)
    )
    written = write_tables(folder, first_year, last_year)
    print(f"holiday tables: {written} countries, {first_year} to {last_year}, in {folder}")


if __name__ == "__main__":
    main(sys.argv[1:])
