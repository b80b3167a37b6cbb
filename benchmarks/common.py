"""What several benchmarks share: running the foedus CLI in a fresh process, as a user does."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time


def run_foedus(args: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    """Run ``foedus ARGS`` (through ``uv run`` when uv is on the PATH) in a fresh process with
    ``env``; the wall time in seconds and the finished process. Exits on a failed run."""
    uv = shutil.which("uv")
    cmd = [uv, "run", "--quiet", "foedus"] if uv else [sys.executable, "-m", "foedus"]
    t = time.perf_counter()
    r = subprocess.run([*cmd, *args], capture_output=True, text=True, env=env)
    dt = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit(f"foedus {' '.join(args)} failed:\n{r.stderr}")
    return dt, r
