"""The behaviour-preservation snapshot (issue 19): what hookgate decides, printed deterministically.

Three sections, each computed the way its own tests compute it:

- ``guards``: every case of the guard suites' tables (tests/unit/validators/guards/cases.py and
  cases_classes.py: adversarial, benign, tool calls, free variables) through the real
  ``hookgate hook --platform claude-code`` process, in a project built by
  ``tests.unit.validators.guards.helpers.build_project``: exit code, stdout, stderr, and the ledger record the
  call appended (outcome, every verdict, the accesses the analysis found).
- ``golden``: every golden payload of every adapter (``platforms/<name>/golden/``) through the
  real ``hookgate hook --platform <name>``, in order, one project per platform, as
  ``hookgate doctor`` runs them: exit code, stdout, stderr, ledger outcome and verdicts.
- ``corpus``: the guards' false-positive figures on tests/data/corpus exactly as
  tests/unit/validators/guards/test_guard_corpus_fp.py computes them, and every flagged command.

Only what the real command shows is used (the CLI, the ledger file, repository data), so the
snapshot survives a move of modules. Volatile bits are normalised: temp directories become
``${PROJECT}``, ``${HOME}``, ``${STATE}``, ``${TMP}``; timestamps, latencies, hashes, record
and approval ids are dropped or replaced. Run it with ``scripts/behaviour-snapshot``.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SNAPSHOT = os.path.join(REPO, "tests", "data", "behaviour-snapshot.txt")
SECTIONS = ("guards", "golden", "corpus")
CORPUS_FILES = ("nl2bash-commands.txt", "tldr-commands.txt")
# ledger keys that differ from run to run (or follow from the temp paths)
VOLATILE_KEYS = ("ts", "latency_ms", "hash", "prev", "id")
# ledger keys whose presence is behaviour but whose value is random or follows from the temp paths
ID_KEYS = ("workaround_of", "approval_id", "digest", "approval_digest", "expires", "input_digest")


def hookgate_command() -> str:
    """The ``hookgate`` of the interpreter running this (the worktree's .venv)."""
    return os.path.join(os.path.dirname(sys.executable), "hookgate")


# --- normalising ------------------------------------------------------------------------------


class Norm:
    """Replace the run's temp directories (and ids that are random per call) with fixed names."""

    def __init__(self, pairs: list[tuple[str, str]]):
        # the worktree's venv and checkout appear in hints (`…/.venv/bin/hookgate locks list`)
        pairs = list(pairs) + [(os.path.dirname(hookgate_command()), "${BIN}"), (REPO, "${REPO}")]
        subs = []
        for path, name in pairs:
            for p in {path, os.path.realpath(path)}:
                subs.append((p, name))
        # longest first, so ${PROJECT} wins over ${TMP}
        self.subs = sorted(subs, key=lambda s: -len(s[0]))

    def __call__(self, text: str) -> str:
        for path, name in self.subs:
            text = text.replace(path, name)
        # approval request ids are random per request (tests/unit/server/test_serve_differential.py)
        text = re.sub(r"(approval request |approve |approvals? |deny |show )([0-9a-f]{6,})\b", r"\1<id>", text)
        # ledger record ids (engine.new_id: 12 hex digits) cited in reasons
        text = re.sub(r"\b(record |records? id |rec )[0-9a-f]{12}\b", r"\1<id>", text)
        # wall-clock times in reasons ("lease since 15:37:52 UTC, 0s ago; expires in 14m")
        text = re.sub(r"\b\d\d:\d\d:\d\d UTC\b", "<time> UTC", text)
        text = re.sub(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "<timestamp>", text)
        return text


def _h(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _record_summary(rec: dict, norm: Norm) -> list[str]:
    """The ledger record, readable where it matters, every byte covered by a hash (``#…``):
    one line for the record, one per verdict, one for the accesses the analysis found."""
    rec = {k: ("<id>" if k in ID_KEYS else v) for k, v in rec.items() if k not in VOLATILE_KEYS}
    verdicts = rec.pop("verdicts", None)
    accesses = rec.pop("accesses", None)
    rec.pop("input", None)  # the case's header shows it
    full = norm(json.dumps(rec, sort_keys=True, ensure_ascii=False))
    # rollout_rev: the compiled config's revision; any change to the shipped config changes it
    shown = " ".join(f"{k}={rec[k]}" for k in ("kind", "outcome", "approval", "status", "rollout_rev") if k in rec)
    lines = [f"record: {shown} #{_h(full)}"]
    for v in verdicts or []:
        full = norm(json.dumps(v, sort_keys=True, ensure_ascii=False))
        line = f"verdict: {v.get('hook')} {v.get('raw')}/{v.get('effective')} {v.get('stage')}"
        if v.get("rule"):
            line += f" {v['rule']}"
        if v.get("reason"):
            line += " " + json.dumps(norm(v["reason"]), ensure_ascii=False)
        lines.append(f"{line} #{_h(full)}")
    if accesses:
        lines.append("accesses: " + norm(json.dumps(accesses, ensure_ascii=False)))
    return lines


def _text_lines(label: str, data: bytes, norm: Norm) -> list[str]:
    text = data.decode("utf-8", "backslashreplace")
    if not text:
        return [f"{label}: (empty)"]
    parts = text.split("\n")
    trail = parts[-1] == ""
    if trail:
        parts.pop()
    out = [f"{label}: " + norm(p) for p in parts]
    if not trail:
        out[-1] += "  (no final newline)"
    return out


# --- running the real command -----------------------------------------------------------------


def _env(home: str, runtime: str, extra: dict | None = None) -> dict:
    env = {
        "HOME": home,
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        # no decision server of the user's answers for us (ADR 0025): the one-shot door
        "HOOKGATE_RUNTIME_DIR": runtime,
        "HOOKGATE_SERVE": "off",
        "PYTHONHASHSEED": "0",
    }
    env.update(extra or {})
    return env


def _claude_stdout(out: bytes, norm: Norm) -> list[str]:
    """Claude Code's stdout, compact: the decision and its reason once (the JSON repeats it),
    every byte covered by the hash."""
    text = norm(out.decode("utf-8", "backslashreplace"))
    try:
        obj = json.loads(text)
    except ValueError:
        obj = None
    if not isinstance(obj, dict):
        return _text_lines("stdout", out, norm)
    hso = obj.get("hookSpecificOutput") if isinstance(obj.get("hookSpecificOutput"), dict) else {}
    label = hso.get("permissionDecision") or obj.get("decision") or "-"
    lines = [f"stdout: {label} keys={','.join(sorted(obj))} #{_h(text)}"]
    for reason in dict.fromkeys(r for r in (obj.get("reason"), hso.get("permissionDecisionReason"),
                                             hso.get("additionalContext"), obj.get("systemMessage")) if r):
        lines.append("reason: " + str(reason))
    return lines


def _run(platform: str, data: bytes, cwd: str, env: dict, timeout: float = 60) -> tuple[int, bytes, bytes]:
    p = subprocess.run([hookgate_command(), "hook", "--platform", platform], input=data, capture_output=True,
                       cwd=cwd, env=env, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def _read_ledger(path: str) -> list[dict]:
    try:
        with open(path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


# --- guards -----------------------------------------------------------------------------------


def guard_cases() -> list[tuple[str, str, dict, dict]]:
    """[(kind, tool, tool_input, extra env)] of every guard-suite table, in table order.
    ``{root}``/``{home}`` in a value are filled in by the runner."""
    from tests.unit.validators.guards.cases import ADVERSARIAL, BENIGN, TOOL_CASES
    from tests.unit.validators.guards.cases_classes import ADVERSARIAL_CLASSES, BENIGN_CLASSES, TOOL_CLASS_CASES

    adv = ADVERSARIAL + [c for c in ADVERSARIAL_CLASSES if c[0] not in {a for a, _ in ADVERSARIAL}]
    ben = BENIGN + [c for c in BENIGN_CLASSES if c not in set(BENIGN)]
    out: list[tuple[str, str, dict, dict]] = []
    seen = set()

    def add(kind, tool, inp, env=None):
        key = (kind, tool, json.dumps(inp, sort_keys=True), json.dumps(env or {}, sort_keys=True))
        if key not in seen:
            seen.add(key)
            out.append((kind, tool, inp, env or {}))

    for cmd, _want in adv:
        add("adversarial", "Bash", {"command": cmd})
    for cmd in ben:
        add("benign", "Bash", {"command": cmd})
    for tool, inp, _want in TOOL_CASES + TOOL_CLASS_CASES:
        add("tool", tool, inp)
    # tests/unit/validators/guards/test_guard_suites.py::test_free_variables_come_from_the_agent_environment
    for cmd, var, value in (("cat \"$F\"", "F", ".env"), ("echo x > \"$OUT\"", "OUT", "{root}/.env"),
                            ("cat $KUBECONFIG", "KUBECONFIG", "{home}/.kube/config"),
                            ("cat \"$F\"", "F", "README.md"), ("cat \"$F\"", None, None)):
        add("free-variable", "Bash", {"command": cmd}, {var: value} if var else {})
    return out


def _fill(v, root: str, home: str):
    if isinstance(v, str):
        return v.replace("{root}", root).replace("{home}", home)
    if isinstance(v, dict):
        return {k: _fill(x, root, home) for k, x in v.items()}
    return v


def guards_section(jobs: int = 2, limit: int | None = None, project_files: dict | None = None) -> list[str]:
    """The ``guards`` section. *limit*: only the first N cases of each kind (a fast subset).
    *project_files*: extra files written into the fixture project (used to show the check fails
    when a decision changes)."""
    from tests.unit.validators.guards.helpers import build_project

    cases = guard_cases()
    if limit is not None:
        per: dict[str, int] = {}
        kept = []
        for c in cases:
            per[c[0]] = per.get(c[0], 0) + 1
            if per[c[0]] <= limit:
                kept.append(c)
        cases = kept
    base = tempfile.mkdtemp(prefix="hg-snap-guards-")
    try:
        def one(numbered):
            # a project of its own per case: a lease or an approval of one case never shows in another
            i, (kind, tool, inp, extra) = numbered
            case_dir = os.path.join(base, f"c{i:04d}")
            root, home, runtime = (os.path.join(case_dir, n) for n in ("proj", "home", "rt"))
            os.makedirs(root)
            os.makedirs(home)
            build_project(root, home)
            for rel, text in (project_files or {}).items():
                p = os.path.join(root, rel)
                os.makedirs(os.path.dirname(p), exist_ok=True)
                with open(p, "w", encoding="utf-8") as f:
                    f.write(text)
            norm = Norm([(root, "${PROJECT}"), (home, "${HOME}"), (case_dir, "${TMP}"), (base, "${BASE}")])
            inp = _fill(inp, root, home)
            extra = {k: _fill(v, root, home) for k, v in extra.items()}
            payload = {"session_id": "snap-guards", "transcript_path": "", "cwd": root,
                       "permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": tool,
                       "tool_input": inp, "tool_use_id": "toolu_snapshot"}
            # what the platform says (ADR 0018), as tests/unit/validators/guards/helpers.decide sets it
            env = _env(home, runtime, {"CLAUDE_PROJECT_DIR": root, **extra})
            code, out, err = _run("claude-code", json.dumps(payload).encode(), root, env)
            lines = [f"exit: {code}"] + _claude_stdout(out, norm) + _text_lines("stderr", err, norm)
            recs = _read_ledger(os.path.join(root, ".git", "hookgate", "ledger.jsonl"))
            if len(recs) != 1:
                lines.append(f"ledger records: {len(recs)}")
            for rec in recs:
                lines += _record_summary(rec, norm)
            shutil.rmtree(case_dir, ignore_errors=True)
            return lines

        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            results = list(pool.map(one, enumerate(cases)))
        lines = ["# section guards: every guard-suite case through `hookgate hook --platform claude-code`",
                 f"# {len(cases)} cases, each in a fresh project (tests/unit/validators/guards/helpers.build_project)"]
        counts: dict[str, int] = {}
        for (kind, tool, inp, extra), body in zip(cases, results):
            counts[kind] = counts.get(kind, 0) + 1
            head = f"== guards/{kind} {counts[kind]:04d} {tool} " + json.dumps(inp, sort_keys=True, ensure_ascii=False)
            if extra:
                head += " env " + json.dumps(extra, sort_keys=True)
            lines.append(head)
            lines += body
        return lines
    finally:
        shutil.rmtree(base, ignore_errors=True)


# --- golden payloads ----------------------------------------------------------------------------


def golden_platforms() -> list[str]:
    d = os.path.join(REPO, "platforms")
    return sorted(p for p in os.listdir(d) if os.path.isfile(os.path.join(d, p, "golden", "expected.json")))


def _golden_payloads(platform: str) -> list[tuple[str, str, str]]:
    """[(name, expected label, payload file)] sorted by name."""
    d = os.path.join(REPO, "platforms", platform, "golden")
    with open(os.path.join(d, "expected.json"), encoding="utf-8") as f:
        exp = {k: v for k, v in json.load(f).items() if not k.startswith("_")}
    out = []
    for name in sorted(exp):
        for ext in (".json", ".txt"):
            p = os.path.join(d, name + ext)
            if os.path.exists(p):
                out.append((name, exp[name], p))
                break
        else:
            raise FileNotFoundError(os.path.join(d, name + ".json"))
    return out


def _golden_platform(platform: str) -> list[str]:
    base = tempfile.mkdtemp(prefix="hg-snap-golden-")
    try:
        project, home, state, runtime = (os.path.join(base, n) for n in ("project", "home", "state", "rt"))
        for d in (project, home, state, os.path.join(project, ".git")):
            os.makedirs(d, exist_ok=True)
        with open(os.path.join(project, "README.md"), "w") as f:
            f.write("# snapshot\n")
        norm = Norm([(project, "${PROJECT}"), (home, "${HOME}"), (state, "${STATE}"), (base, "${TMP}")])
        env = _env(home, runtime, {"HOOKGATE_STATE_DIR": state})
        ledger = os.path.join(state, "ledger.jsonl")
        lines = []
        for name, expected, path in _golden_payloads(platform):
            with open(path, encoding="utf-8") as f:
                data = f.read().replace("${PROJECT}", project).replace("${HOME}", home).encode("utf-8")
            before = len(_read_ledger(ledger))
            code, out, err = _run(platform, data, project, env)
            lines.append(f"== golden/{platform} {name} (expected {expected})")
            lines.append(f"exit: {code}")
            lines += _text_lines("stdout", out, norm)
            lines += _text_lines("stderr", err, norm)
            recs = _read_ledger(ledger)[before:]
            if len(recs) != 1:
                lines.append(f"ledger records: {len(recs)}")
            for rec in recs:
                lines += _record_summary(rec, norm)
        return lines
    finally:
        shutil.rmtree(base, ignore_errors=True)


def golden_section(jobs: int = 2) -> list[str]:
    plats = golden_platforms()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        parts = list(pool.map(_golden_platform, plats))
    lines = ["# section golden: every adapter's golden payloads through `hookgate hook --platform P`, in order",
             f"# platforms: {' '.join(plats)}"]
    for part in parts:
        lines += part
    return lines


# --- corpus false positives -------------------------------------------------------------------------


def corpus_section() -> list[str]:
    """The figures of tests/unit/validators/guards/test_guard_corpus_fp.py, computed by its own function."""
    import collections

    from tests.unit.validators.guards.test_guard_corpus_fp import _flagged

    lines = ["# section corpus: guards' denials/asks on tests/data/corpus (as tests/unit/validators/guards/test_guard_corpus_fp.py)"]
    total = hits = 0
    for name in CORPUS_FILES:
        n, flagged = _flagged(name)
        ind = [c for c in flagged if c[1].get("reason", "").startswith("cannot tell")]
        det = [c for c in flagged if c not in ind]
        rules = collections.Counter(f"{v['hook']}/{v.get('rule')}" for _, v in flagged)
        total += n
        hits += len(flagged)
        lines.append(f"== corpus {name}: {n} commands, flagged {len(flagged)} = {100.0 * len(flagged) / n:.3f}% "
                     f"(determinate {len(det)} = {100.0 * len(det) / n:.3f}%, indeterminate {len(ind)})")
        lines.append("by rule: " + ", ".join(f"{k} {c}" for k, c in sorted(rules.items())))
        for cmd, v in flagged:
            kind = "ind" if (cmd, v) in ind else "det"
            lines.append(f"flagged {kind} {v['hook']}/{v.get('rule')} {v.get('effective')}: "
                         + json.dumps(cmd, ensure_ascii=False))
    lines.append(f"== corpus whole: {total} commands, flagged {hits} = {100.0 * hits / total:.3f}%")
    return lines


# --- the whole ----------------------------------------------------------------------------------------


def render(sections=SECTIONS, jobs: int = 2) -> str:
    lines = ["# hookgate behaviour snapshot (issue 19): regenerate with `scripts/behaviour-snapshot --update`",
             "# after checking that every difference `scripts/behaviour-snapshot --check` shows is intended."]
    for s in sections:
        if s == "guards":
            lines += guards_section(jobs)
        elif s == "golden":
            lines += golden_section(jobs)
        elif s == "corpus":
            lines += corpus_section()
        else:
            raise ValueError(f"unknown section {s!r} (known: {', '.join(SECTIONS)})")
    return "\n".join(lines) + "\n"


def split_sections(text: str) -> dict[str, str]:
    """{section name: its text} of a rendered snapshot (header lines dropped)."""
    out: dict[str, list[str]] = {}
    cur = None
    for line in text.splitlines(keepends=True):
        m = re.match(r"# section (\w+):", line)
        if m:
            cur = m.group(1)
            out[cur] = []
        if cur is not None:
            out[cur].append(line)
    return {k: "".join(v) for k, v in out.items()}


def diff(want: str, got: str, limit: int = 80) -> str:
    import difflib

    d = list(difflib.unified_diff(want.splitlines(), got.splitlines(), "committed snapshot", "this tree",
                                  lineterm="", n=2))
    more = f"\n… {len(d) - limit} more diff lines" if len(d) > limit else ""
    return "\n".join(d[:limit]) + more
