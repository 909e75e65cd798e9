"""The sentences people read: both languages complete, placeholders equal, every `finding()` call matching its template.

These read the tables (not the code under test's output), so a new finding code without a Chinese
sentence, or a call that passes an argument its template never shows, fails here.
"""

import ast
import re
from pathlib import Path
from string import Formatter

import pytest
from dmind.edge.errors import ERROR_TITLES
from dmind.policies.catalogue import CATALOG, MEANINGS
from dmind.policies.messages import TEMPLATES, Message, Phrase, Several, message, placeholders, render
from dmind.policies.vocabulary import Lang

CJK = re.compile(r"[\u4e00-\u9fff\uff00-\uffef]")  # ideographs and full-width punctuation
ROOT = Path(__file__).resolve().parents[2]
SOURCES = [p for tier in ("edge", "local_tier", "cloud_client", "firmware_bridge") for p in (ROOT / tier).rglob("*.py")]
NOT_CODES = {"error", "explain", "view"}  # template families that are not finding codes


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_template_has_both_languages_with_the_same_placeholders(template):
    en, zh = TEMPLATES[template]
    assert en.strip() and zh.strip()
    assert CJK.search(zh), f"{template}: the Chinese sentence has no Chinese in it"
    if template == "error":  # a parser's detail is an English sentence already; Chinese puts the code's title first
        assert placeholders(zh) == placeholders(en) | {"title"}
    else:
        assert placeholders(en) == placeholders(zh), template


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_template_renders_in_both_languages(template):
    specs = {name: spec for en, zh in [TEMPLATES[template]] for _, name, spec, _ in Formatter().parse(en + zh) if name}
    # a number where the sentence formats one (`{percent:g}`), a marked phrase elsewhere so we can see it was used
    args = {name: 7 if spec else Phrase(f"<{name}>", f"<{name}>") for name, spec in specs.items()}
    for lang in Lang:
        text = render(template, args, lang)
        shown = placeholders(TEMPLATES[template][lang == Lang.ZH])
        assert all(f"<{name}>" in text for name in shown if args[name] != 7), (template, text)


def test_every_template_belongs_to_a_catalogued_code_and_every_code_has_a_sentence():
    families = {template.split(".")[0] for template in TEMPLATES}
    assert families - set(CATALOG) == NOT_CODES
    assert set(CATALOG) <= families


@pytest.mark.parametrize("table", [MEANINGS, ERROR_TITLES], ids=["finding meanings", "error titles"])
def test_code_meanings_and_error_titles_exist_in_both_languages(table):
    assert table
    for code, (en, zh) in table.items():
        assert en.strip() and CJK.search(zh), code
    if table is MEANINGS:
        assert set(MEANINGS) == set(CATALOG)


def test_a_message_refuses_missing_arguments_and_unknown_templates():
    with pytest.raises(KeyError):
        message("APPROVAL_UNLIMITED.unlimited")
    with pytest.raises(KeyError):
        message("NO_SUCH_TEMPLATE")


def test_several_values_are_joined_in_each_languages_way():
    both = Several((Phrase("a", "甲"), Phrase("b", "乙")))
    assert both.text(Lang.EN) == "a, b" and both.text(Lang.ZH) == "甲、乙"
    nested = Message("error", (("detail", "x"), ("title", Phrase("T", "题"))))
    assert nested.text(Lang.ZH) != nested.text(Lang.EN)


# Functions that make findings: name -> (template prefix, whether `where` is always given). `finding(code, where,
# key=...)` itself; the intent rule's `_mismatch(key, where="stated_intent")`; the escalation's `stay(code, **args)`.
MAKERS = {"finding": ("", False), "_mismatch": ("INTENT_MISMATCH.", True), "stay": ("", False)}


def _constants(node: ast.expr) -> list[str]:
    """The literal strings an argument can be: `"A"`, or both sides of `"A" if x else "B"`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _constants(node.body) + _constants(node.orelse)
    return []


def _finding_calls() -> list[tuple[str, str, set[str], bool]]:
    """(place, template, keyword names, where given) for every call that makes a finding from literal names.

    Calls that forward a variable code or `**args` are the makers themselves; their callers are scanned instead.
    """
    calls = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in MAKERS):
                continue
            prefix, where_always = MAKERS[node.func.id]
            names = _constants(node.args[0]) if node.args else []
            if not names or not all(k.arg for k in node.keywords):
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            key = keywords.pop("key", None)
            if key is not None and not isinstance(key, ast.Constant):
                continue
            variant = f".{key.value}" if key is not None else ""
            where = where_always or len(node.args) > 1 or "where" in keywords
            keywords.pop("where", None)
            place = f"{path.relative_to(ROOT)}:{node.lineno}"
            calls.extend((place, prefix + name + variant, set(keywords), where) for name in names)
    return calls


def test_every_finding_call_names_a_template_and_passes_exactly_its_placeholders():
    calls = _finding_calls()
    assert len(calls) > 50  # the scan reaches the rules
    for place, template, names, where in calls:
        assert template in TEMPLATES, f"{place}: no template {template!r}"
        wanted = placeholders(TEMPLATES[template][0])
        assert names == wanted - {"where"}, f"{place}: {template} shows {sorted(wanted)}, given {sorted(names)}"
        if "where" in wanted:
            assert where, f"{place}: {template} shows where, but the call gives none"
