// hookgate-managed-plugin: written by `hookgate install --platform opencode`; `hookgate uninstall --platform opencode` removes it (ADR 0023). Do not edit.
// Runs `hookgate hook --platform opencode` before and after every tool call. A deny throws with
// hookgate's reason (OpenCode hands it to the model as the tool result). Fails closed: a hook that
// cannot start, exits non-zero, answers something unreadable or takes longer than 30 s denies.
import { spawn } from "node:child_process";

const HOOKGATE = "__HOOKGATE_COMMAND__";
const TIMEOUT_MS = 30000;
const notes = new Map();

function runHook(payload, cwd) {
  return new Promise((resolve) => {
    let out = "";
    let err = "";
    let done = false;
    const finish = (code, extra) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ code, out, err: extra ? err + extra : err });
    };
    let child;
    try {
      child = spawn(HOOKGATE, ["hook", "--platform", "opencode"], { cwd, stdio: ["pipe", "pipe", "pipe"] });
    } catch (e) {
      resolve({ code: -1, out: "", err: `could not run ${HOOKGATE}: ${e}` });
      return;
    }
    const timer = setTimeout(() => {
      try { child.kill("SIGKILL"); } catch (e) { /* already gone */ }
      finish(-1, `\nhookgate did not answer within ${TIMEOUT_MS / 1000} s`);
    }, TIMEOUT_MS);
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { err += d; });
    child.on("error", (e) => finish(-1, `\ncould not run ${HOOKGATE}: ${e}`));
    child.on("close", (code) => finish(code));
    child.stdin.on("error", () => {});
    child.stdin.end(JSON.stringify(payload));
  });
}

// {deny: reason} | {warn: message} | {}
function verdict(r) {
  if (r.code === 0) {
    const text = r.out.trim();
    if (!text) return {};
    try {
      const o = JSON.parse(text);
      if (o && o.decision === "deny" && typeof o.reason === "string" && o.reason) return { deny: o.reason };
      if (o && o.decision === "warn" && typeof o.message === "string") return { warn: o.message };
    } catch (e) { /* falls through: unreadable */ }
    return { deny: "hookgate: denied: the hook's answer could not be read (denied to be safe)" };
  }
  const lines = r.err.trim().split("\n").filter((l) => l.trim());
  return { deny: lines.length ? lines[lines.length - 1] : `hookgate: denied: the hook exited with status ${r.code}` };
}

export const HookgatePlugin = async ({ directory }) => ({
  "tool.execute.before": async (input, output) => {
    const r = await runHook({
      hook_event_name: "tool.execute.before", session_id: input.sessionID, call_id: input.callID,
      tool: input.tool, args: output.args, cwd: directory,
    }, directory);
    const v = verdict(r);
    if (v.deny !== undefined) throw new Error(v.deny);
    if (v.warn) notes.set(input.callID, v.warn);
  },
  "tool.execute.after": async (input, output) => {
    const r = await runHook({
      hook_event_name: "tool.execute.after", session_id: input.sessionID, call_id: input.callID,
      tool: input.tool, args: input.args ?? {}, cwd: directory,
      // the tool's output, so a permission error on a protected path is recorded (floor_denied, ADR 0020)
      output: typeof output?.output === "string" ? output.output.slice(-65536) : undefined,
    }, directory);
    const v = verdict(r);
    const text = [notes.get(input.callID), v.warn ?? (r.code === 0 ? undefined : v.deny)].filter(Boolean).join("\n\n");
    notes.delete(input.callID);
    if (text && output && typeof output.output === "string") output.output += "\n\n" + text;
  },
});
