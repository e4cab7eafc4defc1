#!/usr/bin/env bash
# hookgate bootstrap (ADR 0011, 0019): Python >= 3.11 -> venv -> pip install this checkout ->
# `hookgate` on PATH -> `hookgate install` for the chosen agents -> `hookgate doctor`.
# Idempotent; `--uninstall` reverses it. Run it from anywhere: it never wires this checkout.
#
#   ./install.sh [--platform claude-code|cursor|gemini-cli|codex|copilot-cli|qwen-code|opencode|all]...
#                [--scope user|project] [--project DIR] [--prefix VENV_DIR] [--bin-dir DIR]
#                [--dry-run] [--uninstall]
#
#   --scope user       wire your agents for every project (~/.claude, ...; the default)
#   --project DIR      wire one project (DIR/.claude, ...); implies --scope project
#   --platform P       default: the agents whose config dir exists there (~/.claude, ~/.cursor,
#                      ~/.gemini, ~/.codex, ~/.copilot, ~/.qwen, ~/.config/opencode for --scope
#                      user; .claude, .cursor, .gemini, .codex, .github/hooks, .qwen, .opencode
#                      in the project for --scope project)
#   --bin-dir DIR      where the `hookgate` link goes (default: ~/.local/bin, as pipx does)
#   --prefix VENV_DIR  default: ${XDG_DATA_HOME:-~/.local/share}/hookgate/venv
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCOPE="user"
SCOPE_SET=0
PROJECT=""
BIN_DIR=""
PREFIX=""
DRY_RUN=0
UNINSTALL=0
PLATFORMS=()

die() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "==> $*"; }
usage() { sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --platform) [ $# -ge 2 ] || die "--platform needs a value"; PLATFORMS+=("$2"); shift 2 ;;
    --platform=*) PLATFORMS+=("${1#*=}"); shift ;;
    --scope) [ $# -ge 2 ] || die "--scope needs a value"; SCOPE="$2"; SCOPE_SET=1; shift 2 ;;
    --scope=*) SCOPE="${1#*=}"; SCOPE_SET=1; shift ;;
    --project) [ $# -ge 2 ] || die "--project needs a directory"; PROJECT="$2"; shift 2 ;;
    --project=*) PROJECT="${1#*=}"; shift ;;
    --bin-dir) [ $# -ge 2 ] || die "--bin-dir needs a directory"; BIN_DIR="$2"; shift 2 ;;
    --bin-dir=*) BIN_DIR="${1#*=}"; shift ;;
    --prefix) [ $# -ge 2 ] || die "--prefix needs a value"; PREFIX="$2"; shift 2 ;;
    --prefix=*) PREFIX="${1#*=}"; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    --uninstall) UNINSTALL=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

case "$SCOPE" in user|project) ;; *) die "--scope must be user or project" ;; esac
[ -n "${HOME:-}" ] || die "HOME is not set"
if [ -n "$PROJECT" ]; then
  [ "$SCOPE_SET" = 1 ] && [ "$SCOPE" = user ] && die "--project wires one project; it cannot go with --scope user"
  SCOPE="project"
  [ -d "$PROJECT" ] || die "--project $PROJECT: no such directory"
  PROJECT="$(cd "$PROJECT" && pwd -P)"
elif [ "$SCOPE" = project ]; then
  PROJECT="$(pwd -P)"
fi
if [ "$SCOPE" = project ] && [ "$PROJECT" = "$(cd "$REPO" && pwd -P)" ]; then
  die "this is the hookgate checkout, not your project: pass --project DIR (the project your agents work in), or use --scope user"
fi
VENV="${PREFIX:-${XDG_DATA_HOME:-$HOME/.local/share}/hookgate/venv}"
case "$VENV" in /*) ;; *) VENV="$PWD/$VENV" ;; esac
HOOKGATE="$VENV/bin/hookgate"
BIN_DIR="${BIN_DIR:-${XDG_BIN_HOME:-$HOME/.local/bin}}"
case "$BIN_DIR" in /*) ;; *) BIN_DIR="$PWD/$BIN_DIR" ;; esac
LINK="$BIN_DIR/hookgate"
PROJECT_ARGS=()
[ "$SCOPE" = project ] && PROJECT_ARGS=(--project "$PROJECT")

if [ ${#PLATFORMS[@]} -eq 0 ]; then
  base="$HOME"; [ "$SCOPE" = project ] && base="$PROJECT"
  [ -d "$base/.claude" ] && PLATFORMS+=("claude-code")
  [ -d "$base/.cursor" ] && PLATFORMS+=("cursor")
  [ -d "$base/.gemini" ] && PLATFORMS+=("gemini-cli")
  [ -d "$base/.codex" ] && PLATFORMS+=("codex")
  [ -d "$base/.qwen" ] && PLATFORMS+=("qwen-code")
  if [ "$SCOPE" = user ]; then
    [ -d "$base/.copilot" ] && PLATFORMS+=("copilot-cli")
    [ -d "${XDG_CONFIG_HOME:-$base/.config}/opencode" ] && PLATFORMS+=("opencode")
  else
    [ -d "$base/.github/hooks" ] && PLATFORMS+=("copilot-cli")
    [ -d "$base/.opencode" ] && PLATFORMS+=("opencode")
  fi
  [ ${#PLATFORMS[@]} -gt 0 ] || die "no agent config dir found under $base (.claude, .cursor, .gemini, .codex, .copilot, .qwen, opencode); pass --platform"
fi
PLAT_ARGS=()
for p in "${PLATFORMS[@]}"; do
  case "$p" in claude-code|cursor|gemini-cli|codex|copilot-cli|qwen-code|opencode|all) PLAT_ARGS+=(--platform "$p") ;; *) die "unknown platform: $p" ;; esac
done

run() { say "$*"; if [ "$DRY_RUN" = 0 ]; then "$@"; fi; }

if [ "$UNINSTALL" = 1 ]; then
  if [ -x "$HOOKGATE" ]; then
    if [ "$DRY_RUN" = 1 ]; then "$HOOKGATE" uninstall "${PLAT_ARGS[@]}" --scope "$SCOPE" ${PROJECT_ARGS[@]+"${PROJECT_ARGS[@]}"} --dry-run
    else run "$HOOKGATE" uninstall "${PLAT_ARGS[@]}" --scope "$SCOPE" ${PROJECT_ARGS[@]+"${PROJECT_ARGS[@]}"}; fi
  else
    say "no hookgate in $VENV: no wiring to remove through it"
  fi
  if [ -L "$LINK" ] && [ "$(readlink "$LINK")" = "$HOOKGATE" ]; then
    run rm -f "$LINK"
  fi
  if [ -d "$VENV" ]; then
    [ -f "$VENV/pyvenv.cfg" ] && [ -e "$VENV/bin/hookgate" ] || die "$VENV does not look like hookgate's venv; not removing it"
    run rm -rf "$VENV"
  fi
  exit 0
fi

find_python() {
  local c
  for c in "${HOOKGATE_PYTHON:-}" python3.13 python3.12 python3.11 python3 python; do
    [ -n "$c" ] || continue
    command -v "$c" >/dev/null 2>&1 || continue
    if "$c" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$c"; return 0
    fi
  done
  return 1
}

PY="$(find_python)" || die "hookgate needs Python >= 3.11 (none found on PATH; set HOOKGATE_PYTHON=/path/to/python3.11+)"
say "python: $PY ($("$PY" -c 'import sys; print(".".join(map(str, sys.version_info[:3])))'))"

if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  say "venv: $VENV (exists)"
  FRESH=0
else
  run "$PY" -m venv "$VENV"
  FRESH=1
fi

PIP=("$VENV/bin/python" -m pip install --quiet --disable-pip-version-check)
run "${PIP[@]}" "$REPO"
if [ "$FRESH" = 0 ]; then
  # same version number, new code: make sure this checkout's files are the ones installed
  run "${PIP[@]}" --force-reinstall --no-deps "$REPO"
fi

if [ "$DRY_RUN" = 1 ]; then
  if [ -x "$HOOKGATE" ]; then "$HOOKGATE" install "${PLAT_ARGS[@]}" --scope "$SCOPE" ${PROJECT_ARGS[@]+"${PROJECT_ARGS[@]}"} --dry-run; fi
  say "would link $LINK -> $HOOKGATE"
  say "dry run: nothing was changed"
  exit 0
fi

[ -x "$HOOKGATE" ] || die "pip did not install $HOOKGATE"
# the one-file byte-code bundle of the one-shot hook process (hookgate/bundle.py, ADR 0025): an
# accelerator only, a hook call without it imports the normal way
"$VENV/bin/python" -m hookgate.bundle >/dev/null 2>&1 || true

# `hookgate` on PATH the way pipx does it: a symlink in ~/.local/bin (never over a foreign file)
PATH_NOTE=""
mkdir -p "$BIN_DIR"
if [ -e "$LINK" ] && [ ! -L "$LINK" ]; then
  PATH_NOTE="$LINK exists and is not a link to hookgate; left it alone (hookgate is $HOOKGATE)"
elif [ -L "$LINK" ] && [ "$(readlink "$LINK")" = "$HOOKGATE" ]; then
  say "on PATH: $LINK -> $HOOKGATE (exists)"
else
  run ln -sfn "$HOOKGATE" "$LINK"
fi
case ":${PATH}:" in
  *":$BIN_DIR:"*|*":${BIN_DIR%/}:"*) FOUND="$(command -v hookgate 2>/dev/null || true)"
    if [ -n "$FOUND" ] && [ "$FOUND" != "$LINK" ] && [ "$(readlink -f "$FOUND")" != "$(readlink -f "$HOOKGATE")" ]; then
      PATH_NOTE="another hookgate comes first on your PATH: $FOUND (this one is $LINK)"
    fi ;;
  *)
    case "$BIN_DIR" in "$HOME"/*) SHOWN="\$HOME/${BIN_DIR#"$HOME"/}" ;; *) SHOWN="$BIN_DIR" ;; esac
    case "$(basename "${SHELL:-sh}")" in
      zsh) RC="~/.zshrc"; LINE="export PATH=\"$SHOWN:\$PATH\"" ;;
      bash) RC="~/.bashrc"; LINE="export PATH=\"$SHOWN:\$PATH\"" ;;
      fish) RC="~/.config/fish/config.fish"; LINE="fish_add_path $SHOWN" ;;
      *) RC="~/.profile"; LINE="export PATH=\"$SHOWN:\$PATH\"" ;;
    esac
    PATH_NOTE="$BIN_DIR is not on your PATH. Add this line to $RC, then open a new shell:
      $LINE" ;;
esac

run "$HOOKGATE" install "${PLAT_ARGS[@]}" --scope "$SCOPE" ${PROJECT_ARGS[@]+"${PROJECT_ARGS[@]}"} --command "$HOOKGATE"
DOCTOR_ARGS=()
for p in "${PLATFORMS[@]}"; do
  if [ "$p" = all ]; then DOCTOR_ARGS=(); break; fi
  DOCTOR_ARGS+=(--platform "$p")
done
run "$HOOKGATE" doctor ${DOCTOR_ARGS[@]+"${DOCTOR_ARGS[@]}"} ${PROJECT_ARGS[@]+"${PROJECT_ARGS[@]}"}
say "done: hookgate is $LINK -> $HOOKGATE"
[ -z "$PATH_NOTE" ] || say "$PATH_NOTE"
say "restart your agents so they load the hooks"
