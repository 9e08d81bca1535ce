import array
import functools
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


@functools.cache
def characters() -> tuple[str, list[int], str]:
    """Every code point in order (the character at index i is chr(i)); the code points of the
    format, control, line and paragraph separator characters (Unicode categories Cf, Cc, Zl, Zp);
    and the spaces of every kind. One pass over the Unicode database, shared by the tests below."""
    every = array.array("I", range(sys.maxunicode + 1)).tobytes().decode("utf-32-le", "surrogatepass")
    removed = ("Cf", "Cc", "Zl", "Zp")
    dropped = [code for code, kind in enumerate(map(unicodedata.category, every)) if kind in removed]
    return every, dropped, "".join(filter(str.isspace, every))


def test_unicode_format_characters_never_reach_the_spoken_text():
    every, dropped, _ = characters()
    invisible = "".join(every[code] for code in dropped if unicodedata.category(every[code]) == "Cf")
    assert len(invisible) > 150
    assert actions.safe_say_text(f"営業{invisible}時間\u200bです\ufeff") == "営業時間です"
    assert actions.say("ja", "\u202eevil\u202c text").text == "evil text"


def test_every_other_character_reaches_the_spoken_text_unchanged(monkeypatch):
    """What is not a format, control or line-breaking character (letters of every script, marks,
    symbols, private-use and unassigned code points...) is spoken as written, but for the
    documented look-alikes of `"` and `\\`; spaces of any kind become one space (below). So no
    pattern of actions.py may take more than it names: a class member dropped into a range
    (`\\u00ad-\\u0605`) would delete é, Greek, Cyrillic and Hebrew."""
    every, dropped, spaces = characters()
    left_out = sorted({*dropped, *map(ord, spaces)})
    bounds = zip([-1, *left_out], [*left_out, len(every)], strict=True)
    kept = "".join(every[after + 1 : code] for after, code in bounds)  # every character but those
    assert len(kept) == len(every) - len(left_out) > 1_000_000
    assert "é" in kept and "Ω" in kept and "ש" in kept and "\u3000" not in kept and "\u200b" not in kept
    monkeypatch.setattr(actions, "MAX_SAY_LENGTH", len(kept))  # all of them at once (the cut: below)
    spoken = actions.safe_say_text(kept)
    expected = kept.replace('"', "”").replace("\\", "＼")
    if spoken != expected:  # name the first character lost or changed
        lost = next(c for c, s in zip(expected, spoken + "\0", strict=False) if c != s)
        pytest.fail(f"U+{ord(lost):04X} ({unicodedata.name(lost, '?')}) did not reach the spoken text")
    assert actions.safe_say_text('Café Ωμέγα Привет שלום "x" C:\\') == "Café Ωμέγα Привет שלום ”x” C:＼"


def test_every_kind_of_space_becomes_one_space():
    spaces = characters()[2]
    assert "\u3000" in spaces and "\u00a0" in spaces and " " in spaces
    for space in spaces:
        assert actions.safe_say_text(f"a{space}{space}b") == "a b", f"U+{ord(space):04X}"


# --- the limits and patterns themselves (make mutation: each bound and member is pinned) --------


def test_spoken_text_is_cut_at_exactly_500_characters():
    assert MAX_SAY_LENGTH == 500
    assert actions.say("en", "x" * 500).text == "x" * 500
    assert actions.say("en", "x" * 501).text == "x" * 500


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zz", "zz"),
        ("aa", "aa"),
        ("eng", "eng"),
        ("en-ab", "en-AB"),
        ("en-zz", "en-ZZ"),
        ("en-Abcd", "en-ABCD"),
    ],
)
def test_language_codes_at_the_bounds_are_accepted(language, expected):
    assert actions.say(language, "hi").language == expected


@pytest.mark.parametrize("language", ["e", "engl", "en-a", "en-abcde", "e1", "en-a1"])
def test_language_codes_past_the_bounds_are_refused(language):
    with pytest.raises(ActionError, match="language code"):
        actions.say(language, "hi")


@pytest.mark.parametrize(
    "url",
    [
        "https://AZ-az.09.example",  # every kind of host character, no path
        "https://example.com/",
        "http://example.com:8080/a",
        "https://example.com/AZaz09._~:/?#[]@!$&'()*+,;=%-",  # every path character RFC 3986 allows
    ],
)
def test_urls_with_every_allowed_character_are_accepted(url):
    assert actions.playback(url).url == url


@pytest.mark.parametrize(
    "url",
    ["https:///greeting.mp3", "https://example.com:/a", "https://example.com:x/a", "https://exa_mple.com/"],
)
def test_urls_without_a_host_or_with_a_bad_port_are_refused(url):
    with pytest.raises(ActionError, match="http"):
        actions.playback(url)


@pytest.mark.parametrize("breaking", ["\x00", "\x1f", "\x7f", "\x85", "\u2028", "\u2029", "\r\n"])
def test_every_line_breaking_character_becomes_one_space(breaking):
    assert actions.say("en", f"a{breaking}b").text == "a b"


def test_runs_of_spaces_become_one():
    assert actions.say("en", "a  \t b").text == "a b"


def test_the_action_lines_read_across_lines_and_need_a_space_after_the_verb():
    assert parse_action_line('say ja "one\ntwo"') == Say("ja", "one two")
    assert parse_action_line('SAY ja "x"') == Say("ja", "x")
    for line in ("transfer+81312345678", 'sayja "x"', 'say ja"x"'):
        with pytest.raises(ActionError):
            parse_action_line(line)
    assert parse_action_line('say ja  "x"') == Say("ja", "x")  # any run of spaces separates


def test_say_with_empty_quotes_is_refused_for_its_empty_text():
    with pytest.raises(ActionError, match="needs some text"):
        parse_action_line('say ja ""')


def test_an_unknown_verb_is_answered_with_the_list_of_verbs():
    with pytest.raises(ActionError, match=r"expected one of playback, transfer, say, voicemail\)"):
        parse_action_line("dial +81312345678")


@pytest.mark.parametrize(
    "action",
    [Playback("http://example.com/a.mp3"), Transfer("+81312345678"), Say("ja", "x"), Voicemail()],
)
def test_actions_are_immutable_hashable_values_without_a_dict(action):
    assert hash(action) == hash(type(action)(*[getattr(action, slot) for slot in action.__slots__]))
    assert not hasattr(action, "__dict__")
    with pytest.raises(AttributeError):
        action.__setattr__(action.__slots__[0], None)
