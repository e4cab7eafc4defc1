"""Free variables: names a command never assigns, whose value is the agent's environment
(ADR 0007 "Free variables", ADR 0008 item 4).

Each shell call of an agent is a fresh bash process that inherits the environment the hook
inherits, so a variable the command never assigns has the hook's value: set → that value,
unset → nothing. Three nets decide "never assigns", and a name must pass all of them:

- ``textually_free``: the name appears in the command text only right after ``$``/``${``
  (never as a word of its own — ``read f``, ``for f``, ``f=``, ``((f++))``, ``{f}>``, ``-vf``);
- the walker records every name it assigns (``Vars``), and a pass that resolved a name it
  later saw assigned (a loop body: ``while …; do cat $f; f=.env; done``) runs again with
  that name unknown;
- a name bash sets itself (``SHELL_SET``), or any dynamic assignment (``source``,
  ``eval`` of unknown text, ``declare -n``, ``printf -v "$x"``) — ``Walker.open_vars`` —
  makes no name free.
"""

from __future__ import annotations

NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_OPTION_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NAME_OPTIONS = frozenset("vap")  # printf -vNAME, read -aNAME, wait -pNAME

# set by bash itself (or by the builtins that the walker does not model as assignments)
NEVER_FREE = frozenset(("REPLY", "OPTARG", "OPTIND", "BASH_REMATCH", "MAPFILE", "COPROC", "PWD", "OLDPWD"))
SHELL_SET = NEVER_FREE | frozenset((
    "BASH", "BASHOPTS", "BASHPID", "COLUMNS", "DIRSTACK", "EPOCHREALTIME", "EPOCHSECONDS", "EUID", "FUNCNAME",
    "GROUPS", "HISTCMD", "HISTFILE", "HISTFILESIZE", "HISTSIZE", "HOSTNAME", "HOSTTYPE", "IFS", "LINENO", "LINES",
    "MACHTYPE", "MAILCHECK", "OPTERR", "OSTYPE", "PATH", "PIPESTATUS", "PPID", "PS1", "PS2", "PS3", "PS4", "RANDOM",
    "SECONDS", "SHELL", "SHELLOPTS", "SHLVL", "SRANDOM", "UID", "_", "HOME", "TMPDIR",
))
_SHELL_PREFIXES = ("BASH_", "COMP_", "READLINE_", "HIST")
# where well-known variables point when the agent's environment does not set them
DEFAULT_VALUES = {
    "XDG_CONFIG_HOME": "~/.config", "XDG_DATA_HOME": "~/.local/share", "XDG_CACHE_HOME": "~/.cache",
    "XDG_STATE_HOME": "~/.local/state", "KUBECONFIG": "~/.kube/config",
    "AWS_SHARED_CREDENTIALS_FILE": "~/.aws/credentials", "AWS_CONFIG_FILE": "~/.aws/config",
    "DOCKER_CONFIG": "~/.docker", "CLOUDSDK_CONFIG": "~/.config/gcloud", "NETRC": "~/.netrc",
}


def environment(env: dict) -> dict:
    """The variables of the agent's environment a fresh bash keeps as they are (bash resets
    ``IFS``, sets ``PWD``/``SHLVL``/``_``/``BASHPID``…, and imports none of its own state)."""
    return {k: v for k, v in env.items()
            if isinstance(v, str) and (k in _KEPT or (k not in SHELL_SET and not k.startswith(_SHELL_PREFIXES)))}


_KEPT = frozenset(("PATH", "TMPDIR", "HOME", "SHELL", "HOSTNAME"))


def candidate(name: str) -> bool:
    """A plain variable name that bash does not set itself."""
    if not name or name[0].isdigit() or name in SHELL_SET or name.startswith(_SHELL_PREFIXES):
        return False
    if name in DEFAULT_VALUES:  # left to the guard, which knows the tool's default path
        return False
    return all(c in NAME_CHARS for c in name)


def textually_free(cmd: str, name: str) -> bool:
    """Does ``name`` occur in ``cmd`` only as an expansion (``$name``, ``${name}``, ``${name…}``
    other than ``${name:=…}``/``${name=…}``), or as an option (``-name``)? Any other whole-word
    occurrence may assign it:
    ``name=``, ``read name``, ``for name``, ``((name++))``, ``{name}>``, ``declare -n r=name``;
    so does one glued to an option cluster (``printf -vname``, ``read -raname``)."""
    i = cmd.find(name)
    n = len(name)
    while i >= 0:
        before = cmd[i - 1] if i else ""
        after = cmd[i + n] if i + n < len(cmd) else ""
        if after and after in NAME_CHARS:
            pass  # part of a longer name
        elif before and before in NAME_CHARS:
            # `-vf`: an option letter run glued to the name may be `printf -v f`
            j = i - 1
            while j >= 0 and cmd[j] in _OPTION_CHARS:
                j -= 1
            if before in _NAME_OPTIONS and j >= 0 and cmd[j] == "-" and (j == 0 or cmd[j - 1] in " \t\n;&|('\"`"):
                return False
        elif before == "$":
            pass
        elif before == "-" and (i < 2 or cmd[i - 2] != "-"):
            pass  # an option (`cut -f 1`) or a subtraction; `((--f))` assigns
        elif before == "{" and i >= 2 and cmd[i - 2] == "$":
            if cmd[i + n : i + n + 2] in (":=", ":?") or after in "=?":
                return False
        else:
            return False
        i = cmd.find(name, i + 1)
    return True


def textually_assigned(cmd: str, name: str) -> bool:
    """Is there an assignment-shaped occurrence of ``name`` in ``cmd`` — ``name=``, ``name+=``,
    ``name[…]=``, ``{name}>``, ``name++``/``--name``/``name op=``, ``printf -vname`` — that the
    walker may never see (``mapfile -C 'name=…'``, code in a string it does not run)? The
    engine's net for code it does not walk; what it walks records its own assignments."""
    i = cmd.find(name)
    n = len(name)
    while i >= 0:
        before = cmd[i - 1] if i else ""
        after = cmd[i + n : i + n + 3]
        if (after[:1] and after[0] in NAME_CHARS) or (before and before in NAME_CHARS and before not in _NAME_OPTIONS):
            i = cmd.find(name, i + 1)
            continue
        if before in _NAME_OPTIONS and before:
            j = i - 1
            while j >= 0 and cmd[j] in _OPTION_CHARS:
                j -= 1
            if j >= 0 and cmd[j] == "-":
                return True
        elif before == "$" or (before == "{" and i >= 2 and cmd[i - 2] == "$" and not (
                after[:2] in (":=",) or after[:1] == "=")):
            pass
        elif after[:1] in ("=", "[") or after[:2] in ("+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "++", "--") \
                or after[:3] in ("<<=", ">>=") or before == "{" or cmd[max(0, i - 2):i] in ("++", "--"):
            return True
        i = cmd.find(name, i + 1)
    return False
