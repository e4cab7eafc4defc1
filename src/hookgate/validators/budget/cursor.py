"""Cursor: an *estimate* (docs/platforms.md §2.5) — Cursor gives hooks no per-call usage.

- ``preCompact`` reports ``context_tokens`` / ``context_window_size``: the context that is
  about to be compacted was sent to the model at least once, so the sum of those figures is a
  lower bound of the input tokens spent;
- otherwise we count characters entering the context (prompts, tool outputs, files read,
  MCP results) as input and characters the model wrote (tool inputs, shell commands) as
  output, at ``CHARS_PER_TOKEN``.

input = max(character estimate, compacted context); the state says ``estimate: true`` and
every message quoting these figures says "estimated". The state is a running sum per event,
so it is updated under a short flock (two events of one session may run at once).
"""

from __future__ import annotations

from hookgate.state import jsonio as json

from hookgate.validators.budget import state as budget
from hookgate.state import files
from hookgate.state.locks import LockTimeout

CHARS_PER_TOKEN = 4
LOCK_TIMEOUT = 0.5
# event name → (payload fields read as input, payload fields read as output)
FIELDS = {
    "beforeSubmitPrompt": (("prompt",), ()),
    "preToolUse": ((), ("tool_input",)),
    "postToolUse": (("tool_output",), ()),
    "postToolUseFailure": (("error_message",), ()),
    "beforeShellExecution": ((), ("command",)),
    "afterShellExecution": (("output",), ()),
    "beforeMCPExecution": ((), ("tool_input",)),
    "afterMCPExecution": (("result_json",), ()),
    "beforeReadFile": (("content",), ()),
    "afterAgentResponse": ((), ("text",)),
    "afterAgentThought": ((), ("text",)),
}


def _size(v) -> int:
    if v is None:
        return 0
    if isinstance(v, str):
        return len(v)
    try:
        return len(json.dumps(v, ensure_ascii=False))
    except (TypeError, ValueError):
        return 0


def _int(v) -> int:
    return v if type(v) is int and v > 0 else 0


def apply(st: dict, event_name: str, raw: dict) -> bool:
    """Add one event's figures to *st*; True when it changed."""
    changed = False
    if event_name == "preCompact":
        ctx = _int(raw.get("context_tokens"))
        if ctx:
            st["context_tokens_sum"] = st.get("context_tokens_sum", 0) + ctx
            st["context_tokens"] = ctx
            changed = True
        win = _int(raw.get("context_window_size"))
        if win:
            st["context_window_size"] = win
            changed = True
    ins, outs = FIELDS.get(event_name, ((), ()))
    add_in = sum(_size(raw.get(k)) for k in ins)
    add_out = sum(_size(raw.get(k)) for k in outs)
    if add_in or add_out:
        st["chars_in"] = st.get("chars_in", 0) + add_in
        st["chars_out"] = st.get("chars_out", 0) + add_out
        changed = True
    if not changed:
        return False
    est_in = max(st.get("chars_in", 0) // CHARS_PER_TOKEN, st.get("context_tokens_sum", 0))
    est_out = st.get("chars_out", 0) // CHARS_PER_TOKEN
    before = sum(st["gen"])
    st["gen"] = [est_in, est_out, 0, 0]
    st["messages"] = st.get("messages", 0) + 1
    budget.add_series(st, budget.minute(None), sum(st["gen"]) - before)
    return True


def refresh(path: str, event) -> dict:
    raw = event.raw if isinstance(event.raw, dict) else {}
    name = event.event_name or raw.get("hook_event_name") or ""
    st = budget.load_state(path, event.platform, event.session_id)
    if name not in FIELDS and name != "preCompact":
        return st
    try:
        with files.locked(path + ".lock", LOCK_TIMEOUT, label=path):
            st = budget.load_state(path, event.platform, event.session_id)
            st["estimate"] = True
            if apply(st, name, raw):
                budget.save_state(path, st)
    except LockTimeout:
        return st  # another event of this session is updating; decide on what we have
    return st
