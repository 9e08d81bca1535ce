"""`routes calendar` in the terminal: the week grid has no empty, unlabelled column."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from xoxzo_din.route_checks.calendar import CallerClass, Segment
from xoxzo_din_cli.routes.calendar import terminal_grid
from xoxzo_din_cli.routes.calendar_drawing import Legend

TOKYO = ZoneInfo("Asia/Tokyo")


def _grid(holidays):
    start = datetime(2026, 11, 22, tzinfo=TOKYO)
    segment = Segment(start, start + timedelta(days=2), "number-default", "voicemail")
    legend = Legend.of([[segment]])
    grid = terminal_grid(CallerClass("anyone else", None), [segment], legend, holidays)
    return [column.header for column in grid.columns]


def test_the_week_grid_has_no_empty_unlabelled_column():
    assert _grid({}) == ["day", _grid({})[1]]
    assert _grid({date(2026, 11, 23): "勤労感謝の日"})[2] == "holiday"
    assert all(header for header in _grid({date(2026, 11, 23): "勤労感謝の日"}))
