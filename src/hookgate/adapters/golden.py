"""Golden payloads: the sample hook inputs shipped under ``platforms/<name>/golden/``.

Used by ``hookgate doctor`` (runs the installed command on them) and by the end-to-end
tests. ``${PROJECT}`` and ``${HOME}`` in a payload are replaced with real directories;
``expected.json`` says what each payload must produce with the shipped config.
"""

from __future__ import annotations

from hookgate.state import jsonio as json
import os

from hookgate.state.resources import data_path

# expected label -> what adapter.classify_output() must report
EXPECT_MATCH = {
    "allow": {"allow"},
    "record": {"allow"},
    "deny": {"deny"},
    "ask": {"ask"},
    "warn": {"warn"},
    "bad": {"exit2-deny"},
}


def golden_dir(platform: str) -> str:
    return data_path("platforms", platform, "golden")


def expectations(platform: str) -> dict[str, str]:
    with open(os.path.join(golden_dir(platform), "expected.json"), encoding="utf-8") as f:
        exp = json.load(f)
    return {k: v for k, v in exp.items() if not k.startswith("_")}


def payload_path(platform: str, name: str) -> str:
    d = golden_dir(platform)
    for ext in (".json", ".txt"):
        p = os.path.join(d, name + ext)
        if os.path.exists(p):
            return p
    raise FileNotFoundError(os.path.join(d, name + ".json"))


def payload(platform: str, name: str, project: str, home: str) -> bytes:
    with open(payload_path(platform, name), encoding="utf-8") as f:
        text = f.read()
    return text.replace("${PROJECT}", project).replace("${HOME}", home).encode("utf-8")


def matches(expected: str, observed: str) -> bool:
    return observed in EXPECT_MATCH.get(expected, {expected})
