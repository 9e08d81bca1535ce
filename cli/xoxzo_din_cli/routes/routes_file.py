"""Routes as code: the RoutesTable to and from a YAML file a person keeps in version control.

    version: 1
    numbers:
      "+81312345678":                 # one number's items, by rule_id
        default: {action: voicemail, timezone: Asia/Tokyo}
        020-vip: {priority: 20, callers: "+819012345678, 080-1111-*", action: transfer, to: "+81312340001"}
    shared:                           # the same items for several numbers (a shared schedule)
      - numbers: ["+81312345679", "+81312345680"]
        routes:
          060-open: {priority: 60, days: mon-fri, hours: "09:00-17:00", action: transfer, to: "+81312340000"}

DynamoDB types survive the round trip: numbers stay numbers (whole or decimal), booleans stay
booleans, a string set (SS) is written `!stringset [a, b]`, a number set (NS) `!numberset [1, 2]`
and a binary value (B) `!binary <base64>`. The format:
docs/reference/operator-tool.md#the-routes-file.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml
from boto3.dynamodb.types import Binary

from xoxzo_din.phone import to_e164
from xoxzo_din.route_checks.item_problems import item_problems
from xoxzo_din.tables.schema import GLOBAL_NUMBER, NUMBER, RULE_ID
from xoxzo_din.tables.snapshot import Item, Routes

VERSION = 1
STRING_SET_TAG = "!stringset"
NUMBER_SET_TAG = "!numberset"
BINARY_TAG = "!binary"


class RoutesFileError(Exception):
    """The file cannot be used; `problems` lists every problem found (nothing was written)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class _Loader(yaml.SafeLoader):
    pass


class _Dumper(yaml.SafeDumper):
    pass


def _string_set(loader: yaml.SafeLoader, node: yaml.Node) -> set[str]:
    values = loader.construct_sequence(node)  # type: ignore[arg-type]
    return {str(value) for value in values}


def _represent_set(dumper: yaml.SafeDumper, value: set[Any] | frozenset[Any]) -> yaml.Node:
    if value and all(isinstance(member, Decimal) for member in value):
        return dumper.represent_sequence(NUMBER_SET_TAG, sorted(value), flow_style=True)
    return dumper.represent_sequence(STRING_SET_TAG, sorted(value, key=str), flow_style=True)


def _number_set(loader: yaml.SafeLoader, node: yaml.Node) -> set[Decimal]:
    return {Decimal(str(value)) for value in loader.construct_sequence(node)}  # type: ignore[arg-type]


def _represent_binary(dumper: yaml.SafeDumper, value: Binary) -> yaml.Node:
    raw: bytes = value.value  # type: ignore[attr-defined]
    return dumper.represent_scalar(BINARY_TAG, base64.b64encode(raw).decode("ascii"))


def _binary(loader: yaml.SafeLoader, node: yaml.Node) -> Binary:
    return Binary(base64.b64decode(str(loader.construct_scalar(node))))  # type: ignore[arg-type]


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    if value == value.to_integral_value():
        return dumper.represent_int(int(value))
    return dumper.represent_scalar("tag:yaml.org,2002:float", str(value))


# Dates stay strings ("2026-08-13" is what a rule's `dates` says), never YAML timestamps.
def _decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    return Decimal(str(loader.construct_scalar(node)))  # type: ignore[arg-type]


_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_constructor(STRING_SET_TAG, _string_set)
_Loader.add_constructor(NUMBER_SET_TAG, _number_set)
_Loader.add_constructor(BINARY_TAG, _binary)
_Dumper.add_representer(Binary, _represent_binary)
# Decimal numbers come back as Decimal, never as a binary float: "0.1" stays "0.1".
_Loader.add_constructor("tag:yaml.org,2002:float", _decimal)
_Dumper.add_representer(set, _represent_set)
_Dumper.add_representer(frozenset, _represent_set)
_Dumper.add_representer(Decimal, _represent_decimal)


def dump(routes: Routes, numbers: list[str] | None = None) -> str:
    """The YAML of `numbers` (default: every number, and the global default)."""
    chosen = numbers if numbers is not None else [*routes.numbers, GLOBAL_NUMBER]
    document: dict[str, Any] = {"version": VERSION, "numbers": {}}
    for number in chosen:
        items = routes.items_of(number)
        if items:
            document["numbers"][number] = {
                str(item[RULE_ID]): {k: v for k, v in item.items() if k not in (NUMBER, RULE_ID)}
                for item in items
            }
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110)


def load(text: str) -> Routes:
    """Every item the file describes, checked as the action function reads them; RoutesFileError
    lists every problem at once."""
    try:
        document = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        raise RoutesFileError([f"not valid YAML: {error}"]) from error
    problems: list[str] = []
    if not isinstance(document, Mapping):
        raise RoutesFileError(["the file must be a mapping with version and numbers (and/or shared)"])
    if document.get("version") != VERSION:
        problems.append(f"version must be {VERSION}")
    unknown = sorted(set(document) - {"version", "numbers", "shared"})
    if unknown:
        problems.append(f"unknown top-level key(s): {', '.join(map(str, unknown))}")
    items = _items(document, problems)
    by_number: dict[str, list[Item]] = {}
    for (number, _), item in sorted(items.items()):
        by_number.setdefault(number, []).append(item)
    for number, number_items in by_number.items():
        for item in number_items:  # in the words of routes check: the attribute, why, the fix
            problems += [
                f"{number}/{item[RULE_ID]}: {problem.problem}; the function would skip it ({problem.fix})"
                for problem in item_problems(item, global_partition=number == GLOBAL_NUMBER)
            ]
    if problems:
        raise RoutesFileError(problems)
    return Routes(by_number)


def _items(document: Mapping[str, Any], problems: list[str]) -> dict[tuple[str, str], Item]:
    """Every item of the file's `numbers` and `shared` blocks, by (number, rule_id)."""
    items: dict[tuple[str, str], Item] = {}
    numbers = document.get("numbers") or {}
    if not isinstance(numbers, Mapping):
        problems.append("numbers must map each number to its items")
        numbers = {}
    for number, routes in numbers.items():
        _add(items, number, routes, f"numbers[{number}]", problems)
    shared = document.get("shared") or []
    if not isinstance(shared, list):
        problems.append("shared must be a list of {numbers: [...], routes: {...}}")
        shared = []
    for index, block in enumerate(shared):
        where = f"shared[{index}]"
        if (
            not isinstance(block, Mapping)
            or not isinstance(block.get("numbers"), list)
            or not block["numbers"]
        ):
            problems.append(f"{where} must have a non-empty list of numbers and its routes")
            continue
        for number in block["numbers"]:
            _add(items, number, block.get("routes"), f"{where} for {number}", problems)
    return items


def _add(
    items: dict[tuple[str, str], Item], number: Any, routes: Any, where: str, problems: list[str]
) -> None:
    if not isinstance(number, str):
        problems.append(f"{where}: quote the number ({number!r} was read as a YAML {type(number).__name__})")
        return
    if number != GLOBAL_NUMBER and to_e164(number) != number:
        e164 = to_e164(number)
        hint = f"write {e164!r}" if e164 else "write it in E.164 with +, e.g. '+81312345678'"
        problems.append(
            f"{where}: {number!r} is not a key the function reads: {hint} (or '*' for the global default)"
        )
        return
    if not isinstance(routes, Mapping) or not routes:
        problems.append(f"{where}: give the number's items as a mapping of rule_id to attributes")
        return
    for rule_id, attributes in routes.items():
        if not isinstance(rule_id, str):
            problems.append(
                f"{where}: quote the rule_id {rule_id!r} (YAML read it as a {type(rule_id).__name__})"
            )
            continue
        if not isinstance(attributes, Mapping):
            problems.append(f"{where}/{rule_id}: attributes must be a mapping")
            continue
        if (number, str(rule_id)) in items:
            problems.append(f"{where}/{rule_id}: given twice for {number}")
            continue
        clash = sorted({NUMBER, RULE_ID} & set(attributes))
        if clash:
            problems.append(
                f"{where}/{rule_id}: {', '.join(clash)} come from the file's structure, not attributes"
            )
            continue
        items[(number, str(rule_id))] = {
            NUMBER: number,
            RULE_ID: str(rule_id),
            **{str(k): _value(v) for k, v in attributes.items()},
        }


def _value(value: Any) -> Any:
    """A YAML value as the table stores it (boto3 wants Decimal, never float)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, list):
        return [_value(item) for item in value]
    if isinstance(value, Mapping):
        return {str(k): _value(v) for k, v in value.items()}
    return value


@dataclass
class Plan:
    """What an import changes: items added, changed (old, new) and removed (only with prune)."""

    added: list[Item] = field(default_factory=list)
    changed: list[tuple[Item, Item]] = field(default_factory=list)
    removed: list[Item] = field(default_factory=list)
    kept: list[Item] = field(default_factory=list)  # in the table, not in the file, left alone

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


def plan(current: Routes, wanted: Routes, *, prune: bool) -> Plan:
    """The writes that make the table say what the file says (for the file's numbers, with `prune`
    also deleting those numbers' items the file no longer has)."""
    result = Plan()
    for number, items in wanted.by_number.items():
        existing = {str(item[RULE_ID]): item for item in current.items_of(number)}
        for item in items:
            old = existing.pop(str(item[RULE_ID]), None)
            if old is None:
                result.added.append(item)
            elif _normalised(old) != _normalised(item):
                result.changed.append((old, item))
        (result.removed if prune else result.kept).extend(existing.values())
    return result


def _normalised(item: Mapping[str, Any]) -> Any:
    return {
        key: _value(value) if not isinstance(value, set | frozenset) else frozenset(value)
        for key, value in item.items()
    }
