"""Adversarial and benign cases of issue 18's classes (ADR 0021), generated per class × target.

Every adversarial case is run by real bash in a fixture (``tests/unit/validators/guards/leak.py``) by
``test_guard_leaks.py``: it must leak a secret or modify a protected file there — a case that
does neither is a test defect, not a pass. Each class plants the same shape on every target,
so a fix for one instance that misses the class fails here.
"""

from __future__ import annotations

D, A = "deny", "ask"

# (path as the command writes it, the same with $HOME for places where `~` does not expand)
TARGETS = [".env", ".env.local", "secrets/db.txt", "certs/server.key", "certs/server.pem", "deploy/id_rsa",
           "~/.ssh/id_rsa", "~/.aws/credentials", "~/.netrc", "~/.kube/config"]


def _h(t: str) -> str:
    return "$HOME" + t[1:] if t.startswith("~") else t


def _split(t: str):
    """(head, tail) of a target split inside its last name: the head names no protected file."""
    t = _h(t)
    d, _, n = t.rpartition("/")
    cut = max(2, len(n) // 2)
    return (d + "/" if d else "") + n[:cut], n[cut:]


def _brace(t: str):
    t = _h(t)
    d, _, n = t.rpartition("/")
    pre = (d + "/" if d else "")
    return [f"cat {pre}{n[:-2]}{{a..z}}{{a..z}}", f"cat {pre}{n}{{,{{0..300}}}}",
            f"cat {pre}{{,x{{1..300}}}}{n}"]


def _classes():
    out = []  # (class, command, expected)
    for t in TARGETS:
        h = _h(t)
        head, tail = _split(t)
        d, _, n = h.rpartition("/")
        # 1. fuzz-found: brace expansion past the cap; assignments after && / || / if / case
        out += [("brace", c, D) for c in _brace(t)]
        out += [("merge", f'true && A={head}; cat "${{A}}{tail}"', D),
                ("merge", f"false || A={head}; cat ${{A}}{tail}", D),
                ("merge", f'[ -d src ] && A={head}; cat "${{A}}{tail}"', D),
                ("merge", f'if [ -e README.md ]; then A={head}; else A=x; fi; cat "${{A}}{tail}"', D),
                ("merge", f'case y in y) A={head};; esac; cat "${{A}}{tail}"', D)]
        # interpreter code with a value spliced into it, or handed to it as argv
        out += [("splice", f"""python3 -c "print(open('$(ls {h})').read())\"""", D),
                ("splice", f"""F=$(ls {h}); python3 -c "print(open('$F').read())\"""", D),
                ("splice", f"""python3 -c 'import sys; print(open(sys.argv[1]).read())' {h}""", D),
                ("splice", f"""node -e 'console.log(require("fs").readFileSync(process.argv[1], "utf8"))' {h}""", D),
                ("splice", f"""F=$(ls {h}); node -e "console.log(require('fs').readFileSync('$F', 'utf8'))\"""", D)]
        # 2. metadata writes
        out += [("metadata", f"chown $(id -u) {h}", D), ("metadata", f"chgrp $(id -g) {h}", D),
                ("metadata", f"touch -r README.md {h}", D), ("metadata", f"touch -d 2020-01-01 {h}", D)]
        # 3. git's ways to run a command
        out += [("git", f"""script -qc "git -c core.pager='cat {h}' -p log" /dev/null""", D),
                ("git", f"git -c alias.x='!cat {h}' x", D),
                ("git", f"git config alias.x '!cat {h}' && git x", D),
                ("git", f"git stash -q; git rebase -x 'cat {h}' HEAD~1", D),
                ("git", f"git bisect start HEAD HEAD~1 && git bisect run cat {h}", D),
                ("git", f"git difftool -y -x 'cat {h} #' HEAD~1", D),
                ("git", f"git -c protocol.ext.allow=always ls-remote 'ext::sh -c cat% {h}% >&2'", D)]
        # 4. environment variables that carry code or a file
        out += [("env", f"BASH_ENV={h} bash -c true", D),
                ("env", f"ENV={h} sh -i", D),
                ("env", f"LESSOPEN='|cat {h} %s' less README.md", D),
                ("env", f"GIT_EXTERNAL_DIFF='cat {h} #' git diff", D),
                ("env", f"""GIT_CONFIG_PARAMETERS="'core.pager=cat {h}'" script -qc 'git -p log' /dev/null""", D),
                ("env", f"GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=alias.y GIT_CONFIG_VALUE_0='!cat {h}' git y", D),
                ("env", f"PROMPT_COMMAND='cat {h}' bash -i", D),
                ("env", f"PS4='$(cat {h})'; set -x; true", D),
                ("env", f"export GIT_SSH_COMMAND='cat {h} >&2 #'; git fetch -q ssh://x/y", D),
                ("env", f"env PAGER='cat {h}' script -qc 'git -p log' /dev/null", D)]
        # 5. options of known programs that read, write or run
        out += [("options", f'sed -n "1r {h}" README.md', D), ("options", f'sed "R {h}" README.md notes.txt', D),
                ("options", f'sed "1e cat {h}" README.md', D), ("options", f'sed -n "s|.*|cat {h}|ep" README.md', D),
                ("options", f"tar cf /dev/null README.md --checkpoint=1 --checkpoint-action=exec='cat {h}'", D),
                ("options", f"tar -cf /dev/null -I 'cat {h} >&2 #' README.md", D),
                ("options", f"jq -n --rawfile a {h} '$a'", D),
                ("options", f"curl -s file://$(realpath {h})", D),
                ("options", f"vim -es -c 'r {h}' -c '%p' -c 'q!' README.md", D),
                ("options", f"ed -s README.md <<EOF\nr {h}\n,p\nQ\nEOF", D),
                ("options", f'make --eval="\\$(info \\$(file <{h}))" -f /dev/null', D),
                ("options", f"""sqlite3 :memory: "select readfile('{h}')\"""", D),
                ("options", f'sqlite3 :memory: ".read {h}"', D),
                ("options", f"gdb -batch -ex 'shell cat {h}'", D),
                ("options", f"gcc @{h}", D) if "pem" not in h and "id_rsa" not in h else ("options", f"cpp -P {h}", D),
                ("options", f"cmake -E cat {h}", D),
                ("options", f"""echo "#include \\"{h}\\"" | cpp -P""", D)]
        # 6. shell semantics that were not modelled
        out += [("semantics", f"shopt -s expand_aliases; alias x='cat {h}'\nx", D),
                ("semantics", f"cat() {{ command cat {h}; }}; cat README.md", D),
                ("semantics", f"hash -p /bin/cat ls; ls {h}", D),
                ("semantics", f"command_not_found_handle() {{ cat {h}; }}; nosuchcmd", D),
                ("semantics", f"""x='$(cat {h})'; echo "${{x@P}}\"""", D),
                ("semantics", f"a='x[$(cat {h} >&2)]'; echo $((a))", D),
                ("semantics", f"printf -v 'a[$(cat {h} >&2)]' x", D),
                ("semantics", f"x=1; echo ${{x:$(cat {h} >&2; echo 0)}}", D),
                ("semantics", f"IFS=:; F=x:{h}; cat $F", D),
                ("semantics", f"cd {d or '.'}; cd /; cd -; cat {n}", D),
                ("semantics", f"echo 'cat {h}' | source /dev/stdin", D)]
        # data flow: an empty list now may be filled before the command runs
        out += [("dataflow", f"echo x > l.txt; cat l.txt | xargs -I{{}} cat {h}", D),
                ("dataflow", f"echo x > l.txt; while read f; do cat {h}; done < l.txt", D),
                ("dataflow", f"echo x > l.txt; for f in $(cat l.txt); do cat {h}; done", D)]
    # git configuration and hooks written (modify; self-protection grade)
    out += [("git-config", c, D) for c in (
        "git config core.pager less", "git config alias.x '!true'", "git config core.hooksPath /tmp",
        "git config core.fsmonitor 'cat .env'", "git config --global alias.x '!cat .env'",
        "git config --global core.pager 'cat .env'", "echo x >> .git/config",
        "printf '[alias]\\n x = !cat .env\\n' >> .git/config", "git config filter.x.clean 'cat .env'",
        "git config diff.x.textconv cat", "git config credential.helper '!cat .env'",
        "git config core.sshCommand 'cat .env'", "git config core.editor 'cat .env'",
        "git config sequence.editor 'cat .env'", "git config include.path /tmp/evil.cfg",
        "cp README.md .git/hooks/pre-commit", "touch .git/hooks/pre-commit", "ln -s ../../README.md .git/hooks/pre-commit",
        "echo 'cat .env' > .git/hooks/post-checkout", "tee .git/hooks/pre-commit < README.md",
        "sed -i 's/x/y/' .git/config", "rm .git/config",
    )]
    out += [("git-attributes", c, A) for c in (
        "echo '*.txt filter=x' >> .gitattributes", "echo '*.py diff=x' > .gitattributes",
        "printf '* filter=lfs\\n' | tee .gitattributes",
    )]
    # scripts run by path (the fixture's scripts/ directory, build_project)
    out += [("script", c, D) for c in (
        "bash scripts/show-env.sh", "sh scripts/show-env.sh", "./scripts/show-env.sh", "source scripts/show-env.sh",
        ". scripts/show-env.sh", "bash scripts/cat-arg.sh .env", "bash scripts/cat-arg.sh secrets/db.txt",
        "python3 scripts/read.py", "python3 scripts/argv.py .env", "python3 scripts/argv.py certs/server.key",
        "node scripts/read.js", "scripts/run-py",
    )]
    # bulk readers over a directory holding protected files
    out += [("bulk", c, D) for c in (
        "grep -r KEY .", "grep -rn PASSWORD .", "grep -R postgres .", "grep -r '' certs deploy", "grep -r q ~",
        "tar cf - . | cat", "tar -cf - -C ~ .ssh | cat", "zip -0 -qr - . | cat", "cp -r . $TMPDIR/copy",
        "cp -r ~/.aws $TMPDIR/aws", "mkdir -p $TMPDIR/o && diff -rN . $TMPDIR/o", "grep -r KEY --include='.env*' .",
    )]
    return out


ADVERSARIAL_CLASSES = [(c, w) for _, c, w in _classes()]
CLASS_OF = {c: k for k, c, _ in _classes()}

BENIGN_CLASSES = [
    # git look-alikes
    "git -c color.ui=always log -1", "args=(--oneline -3); git log \"${args[@]}\"", "git -c core.quotepath=off status",
    "git -c user.name=bot commit --allow-empty -m x", "git config user.name bob", "git config --global user.email a@b.c",
    "git config --get core.pager", "git config --list", "git config --global alias.st status",
    "git config --global --unset alias.st", "git config credential.helper store", "git config pull.rebase true",
    "git log --oneline -3", "git diff HEAD~1 -- src", "git rebase main", "git bisect start",
    "git difftool --tool-help", "git -c diff.noprefix=true diff", "git config core.autocrlf input",
    "git remote add origin https://example.com/x.git", "git ls-remote origin", "git -c http.sslVerify=false fetch",
    # environment variables with harmless values
    "PAGER=cat git log -1", "GIT_PAGER=less git log", "EDITOR=vim git commit", "export EDITOR=nano",
    "GIT_SSH_COMMAND='ssh -i deploy/id_rsa.pub' git fetch", "NODE_OPTIONS=--max-old-space-size=4096 node -e 1",
    "PYTHONPATH=src python3 -c 'print(1)'", "export PATH=$HOME/.local/bin:$PATH", "export PS1='\\u@\\h:\\w\\$ '",
    "LESS=-R less README.md", "MAKEFLAGS=-j4 make", "PERL5LIB=lib perl -e 1", "RUBYOPT=-W0 ls",
    "LD_LIBRARY_PATH=/usr/local/lib ls", "GIT_AUTHOR_NAME=x git commit --allow-empty -m y",
    # options of known programs
    "sed -n 1p README.md", "sed -n '1,5p' README.md", "sed 's/foo/bar/g' README.md", "sed -i 's/a/b/' src/app.py",
    "sed '/^#/d' README.md", "sed -e '1i\\header' README.md", "sed 's/x/y/w out.txt' README.md", "sed -n '$p' notes.txt",
    "awk '{print $1}' notes.txt", "awk 'BEGIN{print 1}'", "tar czf /tmp/src.tgz src", "tar tf /tmp/a.tar",
    "tar xzf /tmp/a.tgz -C build", "jq .name package.json", "jq -n --arg a x '$a'", "curl -s https://example.com",
    "wget -q https://example.com/x.tgz", "vim -c 'set ft=python' src/app.py", "make -j4", "make test",
    "sqlite3 db.sqlite 'select 1'", "sqlite3 db.sqlite .tables", "gcc -o app src/app.c", "cmake -E make_directory build",
    "cmake -E echo hi", "openssl rand -hex 16", "ssh-keygen -lf deploy/id_rsa.pub", "gdb -batch -ex 'info functions' ./app",
    "zip -r /tmp/src.zip src", "echo '#include <stdio.h>' | cpp -P", "ed -s notes.txt <<< $',p\\nq'",
    # bulk readers over scopes without protected files, or excluding them
    "grep -rn TODO src", "grep -r TODO docs", "grep -rl KEY .", "grep -rc KEY .", "grep -rq KEY .",
    "rg TODO src", "rg -l KEY", "cp -r src /tmp/copy", "diff -r src /tmp/src", "tar cf - src | wc -c",
    "grep -r KEY . --exclude='.env*' --exclude-dir=secrets --exclude-dir=certs --exclude-dir=deploy",
    # shell semantics
    "alias ll='ls -la'", "cd src && cd - && ls", "IFS=, read a b <<< 'x,y'; echo $a", "hash -r", "f() { echo hi; }; f",
    "x=3; echo $((x+1))", "x=abc; echo ${x@Q}", "declare -A m; m[a]=1; echo ${m[a]}", "history | tail -3",
    "true && A=src; ls \"$A\"", "if [ -d src ]; then D=src; else D=docs; fi; ls $D",
    "cat {README.md,notes.txt}", "echo {1..1000} > /dev/null", "for i in {1..300}; do :; done",
    "python3 -c 'import sys; print(sys.argv)' a b", "python3 -c \"print('$(date +%s)')\"",
    "V=$(git rev-parse HEAD); python3 -c \"print('$V')\"", "node -e 'console.log(process.argv.length)' x",
    # scripts run by path that touch nothing protected
    "bash scripts/ok.sh", "./scripts/ok.sh", "source scripts/ok.sh", "bash scripts/cat-arg.sh README.md",
    "python3 scripts/argv.py README.md", "cat missing-list.txt | xargs -I{} wc -l {}",
    "for f in $(find . -name zzz); do wc -l $f; done", "while read f; do rm \"$f\"; done < missing-list.txt",
]

TOOL_CLASS_CASES = [
    ("Grep", {"pattern": "KEY", "path": "{root}", "output_mode": "content"}, D),
    ("Grep", {"pattern": "KEY", "output_mode": "content", "glob": "*.txt"}, D),
    ("Grep", {"pattern": "KEY", "path": "{root}/certs", "output_mode": "content"}, D),
    ("Grep", {"pattern": "KEY", "path": "{root}", "output_mode": "files_with_matches"}, "allow"),
    ("Grep", {"pattern": "KEY", "path": "{root}/src", "output_mode": "content"}, "allow"),
    ("Grep", {"pattern": "KEY", "path": "{root}/docs", "output_mode": "content"}, "allow"),
    ("mcp__shell__run", {"command": "cat .env"}, D), ("mcp__shell__run", {"cmd": "echo x > .env"}, D),
    ("mcp__exec__script", {"script": "git -c alias.x='!cat .env' x"}, D),
    ("mcp__shell__run", {"command": "ls src"}, "allow"), ("mcp__fs__open", {"filename": "{root}/.env"}, D),
]
