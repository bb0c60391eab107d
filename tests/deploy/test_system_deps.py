"""`make system-deps` on a machine where another apt run (unattended-upgrades on a fresh
machine) holds the locks: it waits for them instead of failing.

apt-get, dpkg and sudo are stand-ins on PATH that log their arguments: the test must not
install packages or take the machine's real dpkg lock. (apt-get install waits for the dpkg
lock by itself given DPkg::Lock::Timeout; apt-get update does not wait for the package lists'
lock, which the Makefile retries.)
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

APT_GET = """#!/bin/bash
echo "$*" >>"$STUB_LOG"
case " $* " in
  *" update "*)
    if [ ! -e "$STUB_DIR/lists-lock-released" ]; then
      touch "$STUB_DIR/lists-lock-released"
      echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)" >&2
      echo "E: Unable to lock directory /var/lib/apt/lists/" >&2
      exit 100
    fi
    echo "Reading package lists..." ;;
esac
exit 0
"""
# Every package but chromium is installed.
DPKG = """#!/bin/bash
[ "$1" = -s ] && [ "$2" = chromium ] && exit 1
exit 0
"""
SUDO = """#!/bin/bash
exec "$@"
"""


def test_system_deps_waits_for_the_apt_locks(tmp_path):
    stubs = tmp_path / "bin"
    stubs.mkdir()
    for name, script in (("apt-get", APT_GET), ("dpkg", DPKG), ("sudo", SUDO)):
        (stubs / name).write_text(script)
        (stubs / name).chmod(0o755)
    log = tmp_path / "apt-get.log"
    env = dict(
        os.environ,
        PATH=f"{stubs}:{os.environ['PATH']}",
        STUB_LOG=str(log),
        STUB_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-C",
            str(REPO),
            "system-deps",
            "APT_LOCK_RETRY_SECONDS=1",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    calls = log.read_text().splitlines()
    updates = [call for call in calls if " update" in f" {call}"]
    installs = [call for call in calls if " install" in f" {call}"]
    assert len(updates) == 2, calls  # locked once, then through
    assert len(installs) == 1 and installs[0].endswith("install -y -q chromium"), calls
    for call in calls:
        assert "-o DPkg::Lock::Timeout=600" in call, call
