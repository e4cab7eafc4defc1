"""The data that flows through one hook call: Event → Accesses → Verdicts → Decision.

These are immutable named tuples rather than dataclasses: ``dataclasses`` pulls in
``inspect`` (+13 ms per process on this machine) and this module is on the hot path
(ADR 0001). They are built by :func:`record` below rather than ``collections.namedtuple``,
which costs an import and an ``exec`` per type (ADR 0017); the behaviour used here is the same
(positional or keyword construction with defaults, attributes, ``_replace``, ``_fields``). Field names are the contract between adapters, the shell engine and
validators; adapters never decide and validators never see platform JSON.
"""

from __future__ import annotations



def record(name: str, field_names: str, defaults: tuple[object, ...] = ()) -> Any:
    """A tuple subclass with named fields (the subset of ``namedtuple`` hookgate uses)."""
    fields = tuple(field_names.split())
    n = len(fields)
    first_default = n - len(defaults)
    index = {f: i for i, f in enumerate(fields)}

    def __new__(cls: type, *args: object, **kwargs: object) -> Any:
        if len(args) > n:
            raise TypeError(f"{name}() takes {n} arguments, got {len(args)}")
        values = list(args) + [None] * (n - len(args))
        filled = [True] * len(args) + [False] * (n - len(args))
        for k, v in kwargs.items():
            i = index.get(k)
            if i is None:
                raise TypeError(f"{name}() got an unexpected field {k!r}")
            if filled[i]:
                raise TypeError(f"{name}() got multiple values for {k!r}")
            values[i], filled[i] = v, True
        for i in range(n):
            if not filled[i]:
                if i < first_default:
                    raise TypeError(f"{name}() missing field {fields[i]!r}")
                values[i] = defaults[i - first_default]
        return tuple.__new__(cls, values)

    def _replace(self: Any, **kwargs: object) -> Any:
        return type(self)(*[kwargs.pop(f, v) for f, v in zip(fields, self)], **kwargs)

    def __repr__(self: tuple[object, ...]) -> str:
        return f"{name}(" + ", ".join(f"{f}={v!r}" for f, v in zip(fields, self)) + ")"

    ns = {"__slots__": (), "_fields": fields, "__new__": __new__, "_replace": _replace, "__repr__": __repr__}
    for i, f in enumerate(fields):
        ns[f] = property(_getter(i), doc=f"field {i}: {f}")
    return type(name, (tuple,), ns)


def _getter(i: int) -> Callable[[tuple[object, ...]], object]:
    def get(self: tuple[object, ...]) -> object:
        return tuple.__getitem__(self, i)

    return get


# --- phases -----------------------------------------------------------------------------
PRE = "pre"
POST = "post"
SESSION_START = "session-start"
SESSION_END = "session-end"
OTHER_PHASE = "other"
PHASES = (PRE, POST, SESSION_START, SESSION_END, OTHER_PHASE)

# --- tool kinds -------------------------------------------------------------------------
SHELL = "shell"
WRITE = "write"
EDIT = "edit"
READ = "read"
SEARCH = "search"
MCP = "mcp"
WEB = "web"
OTHER = "other"
TOOL_KINDS = (SHELL, WRITE, EDIT, READ, SEARCH, MCP, WEB, OTHER)

# --- access modes -----------------------------------------------------------------------
MODE_READ = "read"
MODE_WRITE = "write"
MODE_DELETE = "delete"
MODE_EXEC = "exec"
MODES = (MODE_READ, MODE_WRITE, MODE_DELETE, MODE_EXEC)
MUTATING_MODES = frozenset((MODE_WRITE, MODE_DELETE))

# --- outcomes (raw verdicts and effective outcomes share the scale) ----------------------
ALLOW = "allow"
WARN = "warn"
CHECKPOINT = "checkpoint"
BLOCK = "block"
OUTCOME_RANK = {ALLOW: 0, WARN: 1, CHECKPOINT: 2, BLOCK: 3}
BLOCKING_OUTCOMES = frozenset((CHECKPOINT, BLOCK))

# --- stages -----------------------------------------------------------------------------
MONITOR = "monitor"
ENFORCE = "enforce"
STAGES = (MONITOR, WARN, ENFORCE)
STAGE_RANK = {MONITOR: 0, WARN: 1, ENFORCE: 2}


TYPE_CHECKING = False
if TYPE_CHECKING:  # the type checker's view of the records; at run time they are built by record()
    from collections.abc import Callable
    from typing import Any, NamedTuple

    class Capabilities(NamedTuple):
        can_ask: bool = False
        can_block: bool = True
        can_message: bool = True

    class Event(NamedTuple):
        platform: str
        phase: str
        event_name: str
        session_id: str
        cwd: str
        project_root: str
        tool_kind: str = ""
        tool_name: str = ""
        tool_input: dict[str, Any] = {}
        raw: Any = {}
        capabilities: Capabilities = Capabilities()
        transcript_path: str = ""
        extra: dict[str, Any] = {}

    class Access(NamedTuple):
        path: str
        mode: str
        resolved: bool = True
        via: str = ""
        tool: str = ""

    class Verdict(NamedTuple):
        hook: str
        outcome: str = "allow"
        rule: str = ""
        reason: str = ""
        adr: str = ""
        alternative: str = ""
        paths: tuple[str, ...] = ()

    class Decision(NamedTuple):
        outcome: str
        verdicts: list[dict[str, Any]]
        message: str
        reason: str
else:
    Capabilities = record(
        "Capabilities",
        "can_ask can_block can_message",
        defaults=(False, True, True),
    )
    Capabilities.__doc__ = """What the platform enforces for this event (ask, block, a message to the agent)."""

    Event = record(
        "Event",
        "platform phase event_name session_id cwd project_root tool_kind tool_name "
        "tool_input raw capabilities transcript_path extra",
        defaults=("", "", {}, {}, Capabilities(), "", {}),
    )
    Event.__doc__ = """One hook call, platform-neutral.

    platform: adapter id ("claude-code"); phase: PRE/POST/SESSION_*; event_name: the platform's
    own event name; cwd/project_root: absolute paths; tool_kind: one of TOOL_KINDS; tool_input:
    the tool's input dict as the platform sent it; raw: the whole payload; extra: adapter facts
    that do not fit elsewhere (e.g. tool_use_id).
    """

    Access = record("Access", "path mode resolved via tool", defaults=(True, "", ""))
    Access.__doc__ = """One file the action touches.

    path: absolute normalised path (resolved=True), or the unresolved word/pattern
    (resolved=False: the analyser could not know it statically; validators treat it as
    indeterminate). mode: read | write | delete | exec. via: the evidence ("Write.file_path",
    "redirect >", "cp destination"). tool: the program or tool that produced it.
    """

    Verdict = record(
        "Verdict",
        "hook outcome rule reason adr alternative paths",
        defaults=(ALLOW, "", "", "", "", ()),
    )
    Verdict.__doc__ = """What one validator decided (the raw verdict, before its rollout stage)."""

    Decision = record("Decision", "outcome verdicts message reason")
    Decision.__doc__ = """The merged result.

    outcome: effective outcome the platform renders; verdicts: list of dicts, one per validator,
    with raw/effective/stage/would_block; message: text for the agent (warn / block / ask);
    reason: one-line summary.
    """


ALLOW_VERDICT_CACHE: dict[str, Verdict] = {}


def allow(hook: str) -> Verdict:
    """The (shared) allow verdict of a hook."""
    v = ALLOW_VERDICT_CACHE.get(hook)
    if v is None:
        v = ALLOW_VERDICT_CACHE[hook] = Verdict(hook, ALLOW)
    return v
