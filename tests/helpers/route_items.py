"""Route items as a person may type them into the console, whoever calls and whenever (hypothesis
strategies), and the fallback action the property tests give: for the router's property tests, and
for explain and the calendar, which must decide as the router does."""

from datetime import UTC, datetime

from hypothesis import strategies as st

from xoxzo_din.routing.actions import Say

FALLBACK = Say("ja", "fallback")

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 3000),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.text(max_size=40),
)
attribute_values = {
    "action": st.one_of(
        st.sampled_from(["playback", "transfer", "say", "voicemail", "Say", "bogus"]), scalars
    ),
    "url": st.one_of(st.just("http://example.com/a.mp3"), st.just("https://x.test/b c.mp3"), scalars),
    "to": st.one_of(st.sampled_from(["+81312345678", "03-1234-5678", "reception"]), scalars),
    "text": st.one_of(st.text(max_size=800), scalars),
    "language": st.one_of(st.sampled_from(["ja", "en", "en-US", "xx yy"]), scalars),
    "priority": scalars,
    "enabled": scalars,
    "callers": st.one_of(
        st.sampled_from(["anonymous", "+8190*, 03-1234-5678", "080-*", "nobody", ""]),
        st.frozensets(st.sampled_from(["+819012345678", "0312345678", "x"]), max_size=3),
        scalars,
    ),
    "days": st.one_of(st.sampled_from(["mon-fri", "sat,sun", "fri-mon", "daily", "funday"]), scalars),
    "hours": st.one_of(
        st.sampled_from(["09:00-17:00", "22:00-06:00", "09:00-12:00,13:00-17:00", "9-5"]), scalars
    ),
    "dates": st.one_of(
        st.sampled_from(["12-29..01-03", "2026-05-01", "02-30", "2026-01-01..2026-12-31"]), scalars
    ),
    "holidays": st.one_of(st.sampled_from(["JP", "US-CA", "ZZ"]), scalars),
    "active_from": st.one_of(
        st.sampled_from(["2026-12-01", "2026-12-01T09:00", "2026-12-01T09:00+09:00"]), scalars
    ),
    "active_until": st.one_of(st.sampled_from(["2027-01-31", "tomorrow"]), scalars),
    "timezone": st.one_of(st.sampled_from(["Asia/Tokyo", "America/New_York", "Mars/Base"]), scalars),
}
items = st.lists(
    st.builds(
        lambda rule_id, chosen: {"number": "+81312345678", "rule_id": rule_id, **chosen},
        st.sampled_from(["default", "a", "b", "c", "vip"]),
        st.fixed_dictionaries({}, optional=attribute_values),
    ),
    max_size=8,
)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
)
callers = st.one_of(st.none(), st.text(max_size=20), st.from_regex(r"\+?[0-9 \-]{6,16}", fullmatch=True))
