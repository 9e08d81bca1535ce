"""A plan written to the table (moto) stops at a concurrent edit and says how far it got."""

from xoxzo_din.tables.routes import read_routes
from xoxzo_din_cli.routes.routes_file import load, plan
from xoxzo_din_cli.routes.writes import apply

NUMBER = "+81312345678"


def test_an_import_stops_at_a_concurrent_edit_and_says_how_far_it_got(table):
    table.put_item(Item={"number": NUMBER, "rule_id": "a", "action": "voicemail"})
    wanted = load(
        'version: 1\nnumbers:\n  "+81312345678":\n'
        "    a: {action: voicemail, priority: 5}\n    b: {action: voicemail}\n"
    )
    changes = plan(read_routes(table), wanted, prune=False)
    table.put_item(Item={"number": NUMBER, "rule_id": "a", "action": "say", "text": "edited meanwhile"})
    written, conflict = apply(table, changes)
    assert written == 1 and conflict is not None and "a changed since it was read" in conflict
    assert table.get_item(Key={"number": NUMBER, "rule_id": "a"})["Item"]["action"] == "say"
