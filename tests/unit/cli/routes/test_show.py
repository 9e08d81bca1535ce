"""`routes show`: the rules in the order they are tried, then what answers when none takes a call."""

from tests.helpers.route_items import FALLBACK
from tools.local_env import sample_routes
from xoxzo_din.tables.snapshot import group
from xoxzo_din_cli.routes.show import rows_of

NUMBER = "+81345678901"


def test_show_lists_the_rules_in_the_order_they_are_tried_then_the_default():
    rows = rows_of(group(sample_routes()).items_of("+81312345678"), [], FALLBACK)
    assert [row.rule_id for row in rows] == [
        "070-maintenance-notice",  # priority 5, disabled: where it stands, marked
        "010-blocked",
        "020-vip",
        "030-anonymous",
        "040-new-year",
        "050-holidays",
        "060-business-hours",
        "default",
    ]
    assert rows[0].status == "disabled" and rows[0].answer.startswith("say ja")
    assert (
        rows[2].conditions == {"callers": "+819012345678, 080-1111-*"}
        and rows[2].answer == "transfer +81312340001"
    )
    assert rows[6].conditions == {"days": "mon-fri", "hours": "09:00-12:00, 13:00-17:00"}


def test_show_says_what_answers_without_a_default_and_marks_a_skipped_rule():
    broken = {"number": NUMBER, "rule_id": "r", "priority": 1, "action": "sya"}
    global_default = {"number": "*", "rule_id": "default", "action": "voicemail"}
    rows = rows_of([broken], [global_default], FALLBACK)
    assert [(row.rule_id, row.status) for row in rows] == [("r", "skipped"), ("*/default", "global default")]
    assert "did you mean say?" in rows[0].answer
    assert rows_of([], [], FALLBACK)[-1].status.startswith("fallback")
