"""`numbers sync` in words: a line when all is in sync, a table when something was repaired."""

NUMBER = "+81345678901"
# What sync answers when everything is in sync.
SYNC = {"at_xoxzo": 2, "recorded": 2, "in_sync": 2, "actions": [], "pending": [], "errors": [], "foreign": []}


def test_sync_says_all_in_sync_in_words(answers, tool):
    answers["sync"] = SYNC
    result = tool("numbers", "sync")
    assert result.exit_code == 0
    assert (
        result.output == "All in sync: 2 number(s) at XOXZO, 2 recorded here, 2 in sync; nothing to repair.\n"
    )


def test_sync_shows_a_table_when_it_repaired_something(answers, tool):
    done = {"number": NUMBER, "din_uid": "JPx", "action": "recorded", "detail": "was only at XOXZO"}
    answers["sync"] = {**SYNC, "actions": [done]}
    result = tool("numbers", "sync")
    assert (
        result.exit_code == 0 and "All in sync" not in result.output and "was only at XOXZO" in result.output
    )
