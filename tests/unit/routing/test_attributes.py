"""rule_parsing.ATTRIBUTES (what `routes check` calls a known attribute) is exactly what the parser
reads, and every one is in the attributes table of docs/reference/route-items.md."""

import ast
import re
from pathlib import Path

from xoxzo_din.routing import rule_parsing
from xoxzo_din.tables.schema import NUMBER, RULE_ID

ROOT = Path(__file__).resolve().parents[3]


def read_by_the_parser() -> set[str]:
    """The attribute names rule_parsing reads from an item: item.get("x") and item["x"]."""
    tree = ast.parse(Path(rule_parsing.__file__).read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            key = node.args[0] if node.args else None
        elif isinstance(node, ast.Subscript):
            key = node.slice
        else:
            continue
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            names.add(key.value)
    return names


def test_the_attribute_list_is_what_the_parser_reads():
    assert read_by_the_parser() | {NUMBER, RULE_ID} == rule_parsing.ATTRIBUTES


def test_every_attribute_is_documented():
    page = (ROOT / "docs" / "reference" / "route-items.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", page, flags=re.MULTILINE))
    assert documented >= rule_parsing.ATTRIBUTES
