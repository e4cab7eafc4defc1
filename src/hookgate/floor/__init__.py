"""The floor (ADR 0020): the same protected paths the hooks guard, closed by the operating
system for every program an agent runs.

- ``plan``: the policy (read-guard deny tier, write-guard block tier, self-protection) →
  concrete mounts for one project and home;
- ``bwrap``: a plan → a bubblewrap command line, and whether bubblewrap works here;
- ``broker``: hook calls made from inside the floor are decided outside it, where the
  ledger is writable;
- ``native``: the agents' own sandbox settings (Claude Code, Gemini CLI, Cursor) written
  by ``hookgate install`` from the same plan; ``codex``: Codex's permission profile;
- ``doctor`` / ``probe``: ``hookgate doctor``'s floor checks, and the live must-deny probe run
  through each agent's own sandbox.
"""
