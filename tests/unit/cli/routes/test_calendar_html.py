"""`routes calendar --html`: one self-contained page, with the legend, the holidays and the closures."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.helpers.route_items import FALLBACK
from tools.local_env import sample_routes
from xoxzo_din.route_checks.calendar import caller_classes, segments
from xoxzo_din.routing.rule_parsing import parse_number_routes
from xoxzo_din.tables.snapshot import group
from xoxzo_din_cli.routes.calendar_drawing import Legend, by_day, holidays_of, labels_of
from xoxzo_din_cli.routes.calendar_html import html_page

NUMBER = "+81312345678"
TOKYO = ZoneInfo("Asia/Tokyo")


def sample():
    all_routes = group(sample_routes())
    routes = parse_number_routes(all_routes.items_of(NUMBER))
    return routes, parse_number_routes(all_routes.global_items, global_partition=True)


def test_the_page_is_one_self_contained_file_with_the_legend_holidays_and_closures():
    routes, global_routes = sample()
    classes = caller_classes(routes)
    start = datetime(2026, 1, 1, tzinfo=TOKYO)
    end = start.replace(year=2027)
    sections = [
        (
            c,
            segments(
                routes, global_routes, FALLBACK, caller=c.caller, start=start, end=start + timedelta(days=7)
            ),
            segments(routes, global_routes, FALLBACK, caller=c.caller, start=start, end=end),
        )
        for c in classes
    ]
    legend = Legend.of(s for _, week, year in sections for s in (week, year))
    year_days = by_day(sections[-1][2])
    page = html_page("t", sections, legend, holidays_of(routes, year_days), labels_of(routes))
    assert (
        page.startswith("<!DOCTYPE html>") and "<script" not in page and "http" not in page.split("<table")[0]
    )
    assert "勤労感謝の日" in page and "by date: 040-new-year" in page and "rule:060-business-hours" in page
    assert page.count("class='month'") == 12 * len(classes)
