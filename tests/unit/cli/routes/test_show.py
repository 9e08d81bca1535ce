"""What the commands say to a person, and their exit statuses, without a stack (its answers are
given): sync in sync, search in credits, doctor's unreachable MP3, the week grid, routes show,
routes check at 80 columns, and history on a stack that records none."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from tests.unit.cli.test_doctor import MP3, NUMBER, Web, healthy
from tests.unit.routing.test_properties import FALLBACK
from tools.local_env import sample_routes
from xoxzo_din.route_checks.calendar import CallerClass, Segment
from xoxzo_din.routes_table.snapshot import group
from xoxzo_din_cli import calendar_views, common, doctor, numbers_commands, routes_commands
from xoxzo_din_cli.doctor import FAIL, Response
from xoxzo_din_cli.main import app
from xoxzo_din_cli.show_command import rows_of
from xoxzo_din_cli.stack import Stack

TOKYO = ZoneInfo("Asia/Tokyo")
SYNC = {"at_xoxzo": 2, "recorded": 2, "in_sync": 2, "actions": [], "pending": [], "errors": [], "foreign": []}


def run(*arguments, columns=100):
    return CliRunner().invoke(app, list(arguments), env={"COLUMNS": str(columns)})


@pytest.fixture
def answers(monkeypatch):
    """The provisioning function's answers, by operation."""
    given: dict[str, dict[str, object]] = {}
    monkeypatch.setattr(numbers_commands, "run", lambda context, event, **_: given[event["operation"]])
    return given


def test_sync_says_all_in_sync_in_words(answers):
    answers["sync"] = SYNC
    result = run("numbers", "sync")
    assert result.exit_code == 0
    assert (
        result.output == "All in sync: 2 number(s) at XOXZO, 2 recorded here, 2 in sync; nothing to repair.\n"
    )


def test_sync_shows_a_table_when_it_repaired_something(answers):
    done = {"number": NUMBER, "din_uid": "JPx", "action": "recorded", "detail": "was only at XOXZO"}
    answers["sync"] = {**SYNC, "actions": [done]}
    result = run("numbers", "sync")
    assert (
        result.exit_code == 0 and "All in sync" not in result.output and "was only at XOXZO" in result.output
    )


def test_search_gives_costs_in_credits_and_the_country_by_name(answers):
    offered = {"din_uid": "JPx", "number": "+81345678901", "country_code": 81, "monthly_cost": 1300}
    answers["search"] = {"count": 1, "numbers": [{**offered, "minute_cost": 1}]}
    result = run("numbers", "search", columns=120)
    assert result.exit_code == 0
    assert "Japan (+81)" in result.output and "1300 credits" in result.output and "1 credit " in result.output
    assert "country 81" not in result.output


def test_doctor_says_in_words_that_an_mp3_host_cannot_be_found():
    web = Web(**{MP3: Response(None, "", "", "[Errno -2] Name or service not known")})
    (check,) = [c for c in doctor.run(healthy(), [NUMBER], get=web) if c.name == "MP3 files"]
    assert check.status == FAIL
    assert "the host media.test could not be found" in check.reason
    assert "XOXZO must be able to fetch the file" in check.reason and "Errno" not in check.reason


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("[Errno 111] Connection refused", "media.test refused the connection (nothing serves that port)"),
        ("timed out", "media.test did not answer within 5 s"),
        ("something new", "no answer from media.test (something new)"),
    ],
)
def test_other_network_failures_are_said_in_words(error, words):
    assert doctor.unreachable("http://media.test/a.mp3", error) == words


def _grid(holidays):
    start = datetime(2026, 11, 22, tzinfo=TOKYO)
    segment = Segment(start, start + timedelta(days=2), "number-default", "voicemail")
    legend = calendar_views.Legend.of([[segment]])
    grid = calendar_views.terminal_grid(CallerClass("anyone else", None), [segment], legend, holidays)
    return [column.header for column in grid.columns]


def test_the_week_grid_has_no_empty_unlabelled_column():
    assert _grid({}) == ["day", _grid({})[1]]
    assert _grid({date(2026, 11, 23): "勤労感謝の日"})[2] == "holiday"
    assert all(header for header in _grid({date(2026, 11, 23): "勤労感謝の日"}))


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


@pytest.fixture
def local(monkeypatch):
    """A local stack whose routes are the sample ones (and one typo), its numbers table empty."""

    def stack(records_history=True):
        made = Stack(name="local", region="ap-northeast-1", outputs={}, records_history=records_history)
        monkeypatch.setattr(common, "local_stack", lambda url: made)
        return made

    items = [*sample_routes(), {"number": "+81312345678", "rule_id": "001-vip", "callers": "090-1234-567"}]
    monkeypatch.setattr(
        routes_commands,
        "_routes",
        lambda context: group(
            [{**i, "action": "voicemail"} if i["rule_id"] == "001-vip" else i for i in items]
        ),
    )
    monkeypatch.setattr(
        routes_commands, "NumbersStore", lambda table: type("Empty", (), {"active": lambda self: []})()
    )
    monkeypatch.setattr(Stack, "table", lambda self, key: None)
    return stack


def test_check_at_80_columns_never_splits_a_phone_number(local):
    local()
    result = run("routes", "check", columns=80)
    assert result.exit_code == 0, result.output
    assert "+81312345678" in result.output and "090-1234-567" in result.output
    assert "090-1234-5678" in result.output  # the fix's example, whole
    assert max(len(line) for line in result.output.splitlines()) <= 80


@pytest.mark.parametrize(
    "command", [["history", "03-1234-5678"], ["restore", "03-1234-5678", "--at", "12:00"]]
)
def test_history_and_restore_say_plainly_that_a_stack_records_nothing(local, command):
    local(records_history=False)
    result = CliRunner().invoke(app, ["routes", *command], env={"COLUMNS": "200"})
    assert result.exit_code == common.EXIT_STACK
    assert "records no history of its routes" in result.output


def test_history_without_a_change_says_so_in_words(local, monkeypatch):
    from xoxzo_din.route_changes import history  # noqa: PLC0415

    local().parameters["HistoryRetentionDays"] = "365"
    monkeypatch.setattr(history, "changes_of", lambda table, number: [])
    result = run("routes", "history", "03-1234-5678")
    assert result.exit_code == 0
    assert result.output == "no change of +81312345678 is recorded (the history keeps 365 days)\n"
