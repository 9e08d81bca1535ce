import sys
import unicodedata

import pytest

from xoxzo_din.routing import actions
from xoxzo_din.routing.actions import (
    MAX_SAY_LENGTH,
    ActionError,
    Playback,
    Say,
    Transfer,
    Voicemail,
    parse_action_line,
    render,
)


@pytest.mark.parametrize(
    ("action", "line"),
    [
        (Playback("http://example.com/greeting.mp3"), "playback http://example.com/greeting.mp3"),
        (Transfer("+81336042000"), "transfer +81336042000"),
        (Say("ja", "本日の営業は終了しました"), 'say ja "本日の営業は終了しました"'),
        (Voicemail(), "voicemail"),
        (
            Voicemail(Say("en", "Hello, you have reached ...")),
            'voicemail say en "Hello, you have reached ..."',
        ),
        (Voicemail(Playback("http://example.com/vm.mp3")), "voicemail playback http://example.com/vm.mp3"),
    ],
)
def test_render_uses_the_fact_sheet_syntax_and_parse_reads_it_back(action, line):
    assert render(action) == line
    assert parse_action_line(line) == action


def test_say_text_cannot_break_the_line_format():
    spoken = actions.say("ja", 'line one\r\nline two\u2028"quoted"\ttab\x00nul')
    line = render(spoken)
    assert "\n" not in line and "\r" not in line and "\u2028" not in line and "\x00" not in line
    assert line == 'say ja "line one line two ”quoted” tab nul"'
    assert line.count('"') == 2


def test_say_text_is_bounded():
    spoken = actions.say("en", "x" * (MAX_SAY_LENGTH * 3))
    assert len(spoken.text) == MAX_SAY_LENGTH


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: actions.say("ja", "  \n "), "needs some text"),
        (lambda: actions.say("japanese!", "hi"), "language code"),
        (lambda: actions.playback("ftp://example.com/a.mp3"), r"http\(s\) URL"),
        (lambda: actions.playback("http://example.com/a b.mp3"), r"http\(s\) URL"),
        (lambda: actions.playback("http://example.com/音声.mp3"), r"http\(s\) URL"),
        (lambda: actions.transfer("reception"), "phone number"),
    ],
)
def test_invalid_actions_are_refused_with_a_reason(build, message):
    with pytest.raises(ActionError, match=message):
        build()


def test_transfer_normalises_the_number():
    assert actions.transfer("03-3604-2000") == Transfer("+81336042000")


@pytest.mark.parametrize(
    "line",
    [
        "",
        "dance",
        "playback",
        "transfer +81 3 1234",
        "say ja unquoted",
        "voicemail transfer +81312345678",
        "voicemail voicemail",
    ],
)
def test_parse_refuses_malformed_lines(line):
    with pytest.raises(ActionError):
        parse_action_line(line)


def test_parse_is_case_insensitive_on_the_verb():
    assert parse_action_line("VOICEMAIL") == Voicemail()


def test_backslashes_cannot_escape_the_closing_quote():
    assert render(actions.say("ja", "C:\\temp\\")) == 'say ja "C:＼temp＼"'
    assert actions.say("en-us", "x").language == "en-US"


def test_unicode_format_characters_never_reach_the_spoken_text():
    invisible = "".join(chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf")
    assert len(invisible) > 150
    assert actions.safe_say_text(f"営業{invisible}時間\u200bです\ufeff") == "営業時間です"
    assert actions.say("ja", "\u202eevil\u202c text").text == "evil text"
