"""Budget policy: strict validation with the path of the error; read-only classification;
the verdict table (ADR 0014)."""

from __future__ import annotations

import pytest

from hookgate.core import event as ev
from hookgate.validators.budget.policy import compile_policy
from hookgate.validators.budget import validator as hook

SHIPPED = {"limits": {"total_tokens": 2000000}, "warn_at": 0.8, "block_at": 1.0}


@pytest.mark.parametrize(
    "project, where",
    [
        ({"limit": {}}, "limit: unknown key"),
        ({"limits": {"total": 5}}, "limits.total: unknown token kind"),
        ({"limits": {"total_tokens": "1e6"}}, "limits.total_tokens: must be a positive whole number"),
        ({"limits": {"total_tokens": 0}}, "limits.total_tokens: must be a positive"),
        ({"limits": {"total_tokens": True}}, "limits.total_tokens"),
        ({"limits": {"total_tokens": 1.5}}, "limits.total_tokens"),
        ({"limits": [1]}, "limits: must be a mapping"),
        ({"warn_at": "80%"}, "warn_at: must be a number"),
        ({"warn_at": False}, "warn_at: must be a number"),
        ({"block_at": 0}, "block_at: must be > 0"),
        ({"warn_at": 0.9, "block_at": 0.5}, "warn_at (0.9) must not exceed block_at (0.5)"),
        ({"platforms": {"vscode": {}}}, "platforms.vscode: unknown platform"),
        ({"platforms": {"cursor": {"limits": {"output_tokens": -1}}}}, "platforms.cursor.limits.output_tokens"),
        ({"platforms": {"cursor": {"stage": "warn"}}}, "platforms.cursor.stage: unknown key"),
        ({"platforms": {"cursor": {"warn_at": 2.0}}}, "platforms.cursor.warn_at (2) must not exceed block_at (1)"),
        ({"platforms": []}, "platforms: must be a mapping"),
    ],
)
def test_bad_policy_is_refused_with_its_path(project, where):
    with pytest.raises(ValueError) as e:
        compile_policy(SHIPPED, project)
    assert where in str(e.value)


def test_project_replaces_and_platforms_resolve():
    got = compile_policy(SHIPPED, {"limits": {"output_tokens": 1000}, "platforms": {"cursor": {"warn_at": 0.5}}})
    assert got["limits"] == {"output_tokens": 1000} and got["warn_at"] == 0.8
    assert got["platforms"]["cursor"] == {"limits": {"output_tokens": 1000}, "warn_at": 0.5, "block_at": 1.0}
    assert hook.limits_for(got, "cursor")["warn_at"] == 0.5
    assert hook.limits_for(got, "claude-code")["warn_at"] == 0.8
    assert compile_policy(SHIPPED, None) == SHIPPED


def _ev(kind, name="X"):
    return ev.Event(platform="claude-code", phase=ev.PRE, event_name="PreToolUse", session_id="s", cwd="/p",
                    project_root="/p", tool_kind=kind, tool_name=name)


class _Analysis:
    def __init__(self, indeterminate=False):
        self.indeterminate = indeterminate
        self.commands = ()


R = ev.Access("/p/a", ev.MODE_READ)
W = ev.Access("/p/a", ev.MODE_WRITE)
D = ev.Access("/p/a", ev.MODE_DELETE)
X = ev.Access("/bin/ls", ev.MODE_EXEC)


@pytest.mark.parametrize(
    "kind, accesses, analysis, expected",
    [
        (ev.READ, [R], None, True),
        (ev.SEARCH, [R, ev.Access("/p/*.py", ev.MODE_READ, False)], None, True),
        (ev.SHELL, [X, R], _Analysis(), True),
        (ev.SHELL, [], _Analysis(), True),
        (ev.SHELL, [X, W], _Analysis(), False),
        (ev.SHELL, [D], _Analysis(), False),
        (ev.SHELL, [R], _Analysis(indeterminate=True), False),
        (ev.SHELL, [], None, False),
        (ev.WRITE, [W], None, False),
        (ev.EDIT, [W], None, False),
        (ev.MCP, [R], None, False),
        (ev.WEB, [], None, False),
        (ev.OTHER, [], None, False),
    ],
)
def test_read_only(kind, accesses, analysis, expected):
    assert hook.read_only(_ev(kind), accesses, analysis) is expected
