"""Build hook: compile the decision server's thin client (client/hookgate-client.c) into a
static binary and ship it as the script ``hookgate-client`` beside the ``hookgate`` launcher
(ADR 0025). The compiler is needed where the wheel is built, never on the user's machine.
Without a C compiler (or with ``HOOKGATE_NO_CLIENT=1``) the wheel has no client and
``hookgate install`` wires the Python launcher, which asks the server itself."""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class ClientBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version, build_data):  # noqa: ARG002
        if self.target_name != "wheel" or os.environ.get("HOOKGATE_NO_CLIENT") == "1":
            return
        src = os.path.join(self.root, "client", "hookgate-client.c")
        out_dir = os.path.join(self.root, "build", "client")
        out = os.path.join(out_dir, "hookgate-client")
        cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
        if not cc or not os.path.exists(src):
            self.app.display_warning("hookgate: no C compiler: the wheel ships without hookgate-client "
                                     "(command hooks use the Python launcher)")
            return
        os.makedirs(out_dir, exist_ok=True)
        for flags in (["-O2", "-static", "-s"], ["-O2", "-s"]):
            r = subprocess.run([cc, *flags, "-o", out, src], capture_output=True, text=True)
            if r.returncode == 0:
                break
        else:
            self.app.display_warning(f"hookgate: hookgate-client did not compile: {r.stderr[-2000:]}")
            return
        build_data["shared_scripts"][out] = "hookgate-client"
        build_data["pure_python"] = False
        build_data["tag"] = "py3-none-" + sysconfig.get_platform().replace("-", "_").replace(".", "_")
