"""XOXZO's action syntax: the one line an action server answers. The only module that writes it.

The forms, and which of them XOXZO documents and which are inferred:
docs/reference/xoxzo-din-api.md#action-lines. If XOXZO's real syntax differs, `render` is the one
place to change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xoxzo_din.phone import to_e164

# A bound on spoken text: keeps the line short and the call-back fast. XOXZO documents no limit.
MAX_SAY_LENGTH = 500

# TTS language codes: "en", "ja", and region forms like "en-US" (say() upper-cases the region
# first). XOXZO confirms "en" and "ja".
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Z]{2,4})?")
# URL characters per RFC 3986, printable ASCII only: no spaces, quotes or line breaks.
_URL = re.compile(r"https?://[A-Za-z0-9.-]+(:\d+)?(/[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]*)?")
# Anything that could end or split the line: controls (incl. CR/LF/TAB), NEL, line/paragraph separators.
_LINE_BREAKING = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
_SPACES = re.compile(r"\s+")
# Unicode format characters (category Cf: zero-width spaces and joiners, directional marks and
# overrides, BOM, soft hyphen, tags), invisible in a console and not for a voice: removed. A test
# keeps this list equal to the Unicode database's.
_FORMAT = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]+"
)

_ACTION_LINE = re.compile(
    r"(?P<verb>playback|transfer|say|voicemail)(?:\s+(?P<rest>.*))?", re.IGNORECASE | re.DOTALL
)
_SAY_ARGUMENTS = re.compile(r'(?P<language>\S+)\s+"(?P<text>.*)"', re.DOTALL)


class ActionError(ValueError):
    """An action that cannot be rendered safely (bad URL, number, language or empty text)."""


@dataclass(frozen=True, slots=True)
class Playback:
    url: str


@dataclass(frozen=True, slots=True)
class Transfer:
    number: str


@dataclass(frozen=True, slots=True)
class Say:
    language: str
    text: str


@dataclass(frozen=True, slots=True)
class Voicemail:
    greeting: Say | Playback | None = None


type Action = Playback | Transfer | Say | Voicemail

ACTION_NAMES = ("playback", "transfer", "say", "voicemail")


def playback(url: str) -> Playback:
    url = url.strip()
    if not _URL.fullmatch(url):
        raise ActionError(f"playback needs an http(s) URL of plain ASCII without spaces, got {url!r}")
    return Playback(url)


def transfer(number: str) -> Transfer:
    e164 = to_e164(number)
    if e164 is None:
        raise ActionError(f"transfer needs a phone number (E.164 such as +81312345678), got {number!r}")
    return Transfer(e164)


def say(language: str, text: str) -> Say:
    primary, _, region = language.strip().partition("-")
    language = primary.lower() + (f"-{region.upper()}" if region else "")  # "JA" -> "ja", "en-us" -> "en-US"
    if not _LANGUAGE.fullmatch(language):
        raise ActionError(f"say needs a language code such as 'ja' or 'en', got {language!r}")
    safe_text = safe_say_text(text)
    if not safe_text:
        raise ActionError("say needs some text")
    return Say(language, safe_text)


def voicemail(greeting: Say | Playback | None = None) -> Voicemail:
    return Voicemail(greeting)


def safe_say_text(text: str) -> str:
    """Text that cannot break the one-line, double-quoted format: no line breaks or control
    characters, ASCII double quotes and backslashes (a possible escape) turned into full-width
    look-alikes, bounded length."""
    text = _LINE_BREAKING.sub(" ", _FORMAT.sub("", text)).replace('"', "”").replace("\\", "＼")
    text = _SPACES.sub(" ", text).strip()
    return text[:MAX_SAY_LENGTH].rstrip()


def render(action: Action) -> str:
    """The action as XOXZO's one-line text (no trailing newline)."""
    match action:
        case Playback(url):
            return f"playback {url}"
        case Transfer(number):
            return f"transfer {number}"
        case Say(language, text):
            return f'say {language} "{text}"'
        case Voicemail(greeting):
            return "voicemail" if greeting is None else f"voicemail {render(greeting)}"


def parse_action_line(line: str) -> Action:
    """Parse (and validate) an action written in XOXZO's syntax, e.g. a template parameter."""
    matched = _ACTION_LINE.fullmatch(line.strip())
    if matched is None:
        raise ActionError(f"not an action line (expected one of {', '.join(ACTION_NAMES)}): {line!r}")
    verb, rest = matched["verb"].lower(), (matched["rest"] or "").strip()
    if verb == "voicemail":
        if not rest:
            return voicemail()
        greeting = parse_action_line(rest)
        if not isinstance(greeting, Say | Playback):
            raise ActionError("a voicemail greeting must be a say or a playback")
        return voicemail(greeting)
    if verb == "say":
        arguments = _SAY_ARGUMENTS.fullmatch(rest)
        if arguments is None:
            raise ActionError(f'say needs a language and quoted text: say ja "...", got {line!r}')
        return say(arguments["language"], arguments["text"])
    if not rest or len(rest.split()) != 1:
        raise ActionError(f"{verb} needs exactly one argument, got {line!r}")
    return playback(rest) if verb == "playback" else transfer(rest)
