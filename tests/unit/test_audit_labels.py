"""Every action the app records has a label of its own, so the audit trail never shows a
code such as "Mediated: claimed" (issue 17). The actions are read from the source: every
call of audit.record, of audit.record_many's dict(action=...), and of each helper that
passes one of its own parameters on to audit.record as the action."""

from __future__ import annotations

import ast
from pathlib import Path

from app.services.audit_labels import LABELS, label

APP = Path(__file__).resolve().parents[2] / "app"

# The actions built at run time, by what they can become. A new f-string action fails
# the test until it is listed here (and so labelled).
MADE = {
    "f'sar.{action}d'": {"sar.paused", "sar.resumed"},
    "f'sar.{kind}_generated'": {"sar.report_generated", "sar.redactions_generated"},
    "f'correction.{request.status}'": {"correction.accepted", "correction.refused"},
}


def _is_audit_record(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr == "record"
            and isinstance(func.value, ast.Name) and func.value.id == "audit")


def _helpers(trees: dict[Path, ast.Module]) -> dict[str, dict[Path | None, int]]:
    """Functions that hand a parameter to audit.record as its action: name -> where each
    is defined -> the parameter's position."""
    found: dict[str, dict[Path | None, int]] = {}
    for path, tree in trees.items():
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            names = [a.arg for a in function.args.posonlyargs + function.args.args]
            for call in ast.walk(function):
                if (isinstance(call, ast.Call) and _is_audit_record(call) and call.args
                        and isinstance(call.args[0], ast.Name)
                        and call.args[0].id in names):
                    found.setdefault(function.name, {})[path] = names.index(call.args[0].id)
    return found


def _values(node: ast.expr, constants: dict[str, str], where: str) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _values(node.body, constants, where) | _values(node.orelse, constants, where)
    if isinstance(node, ast.Name) and node.id in constants:
        return {constants[node.id]}
    if isinstance(node, ast.JoinedStr):
        source = ast.unparse(node)
        assert source in MADE, f"{where}: list what {source} can become in MADE"
        return MADE[source]
    raise AssertionError(f"{where}: cannot tell which action {ast.unparse(node)} records")


def recorded_actions() -> set[str]:
    trees = {path: ast.parse(path.read_text(), str(path)) for path in APP.rglob("*.py")}
    helpers = _helpers(trees)
    actions: set[str] = set()
    for path, tree in trees.items():
        constants = {target.id: node.value.value for node in tree.body
                     if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                     and isinstance(node.value.value, str)
                     for target in node.targets if isinstance(target, ast.Name)}
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            where = f"{path.relative_to(APP.parent)}:{call.lineno}"
            func = call.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if _is_audit_record(call):
                argument = call.args[0] if call.args else None
            elif name == "dict" and any(k.arg == "action" for k in call.keywords):
                argument = next(k.value for k in call.keywords if k.arg == "action")
            elif isinstance(func, ast.Name) and name in helpers:
                defined = helpers[name]
                position = defined.get(path, next(iter(defined.values())))
                argument = call.args[position] if len(call.args) > position else None
            else:
                continue
            if argument is None or (isinstance(argument, ast.Name)
                                    and argument.id not in constants):
                continue  # a helper passing its own parameter on: its callers are read
            actions |= _values(argument, constants, where)
    return actions


def test_the_source_is_read_for_every_kind_of_call():
    actions = recorded_actions()
    assert {"child.viewed", "child.created", "mediated.claimed", "user.role_changed",
            "sar.prepared_opened", "sar.paused", "shield.removed",
            "user.deactivated"} <= actions
    assert len(actions) > 90


def test_every_recorded_action_has_a_label_of_its_own():
    missing = sorted(recorded_actions() - LABELS.keys())
    assert missing == []


def test_no_label_reads_like_a_code():
    for action, words in LABELS.items():
        assert ":" not in words and "_" not in words and action not in words, action
        assert words[0].isupper(), action


def test_an_unknown_action_is_still_shown_in_words():
    assert label("made_up.thing_done") == "Made up: thing done"
