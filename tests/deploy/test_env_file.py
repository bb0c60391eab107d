"""The production guide's first-administrator command loads deploy/huiwu.env.example the way
deploy/README.md says (bash: `set -a; . file`), and every value comes out whole — the same
value systemd's EnvironmentFile= gives the units.

The command is read from deploy/README.md, so the test follows the guide; only the program it
runs (flask … users create) is replaced by one that prints the environment it got, and it runs
as the current user instead of `sudo -u huiwu`.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "deploy" / "README.md"
EXAMPLE = REPO / "deploy" / "huiwu.env.example"
ENV_PATH = "/etc/huiwu/huiwu.env"
PRINT_ENVIRONMENT = "import json, os; print(json.dumps(dict(os.environ)))"
# A password as people pick them: the env file's comment says to single-quote such values.
PASSWORD_LINE = "MAIL_PASSWORD='p@ss $HOME `id` \\n \"w0rd\" <&>;'"
PASSWORD = 'p@ss $HOME `id` \\n "w0rd" <&>;'
# The forms systemd's EnvironmentFile= and bash both read the same way: NAME=, NAME=word without
# shell specials, NAME="..." without $ ` \ ", NAME='...' without '.
COMMON_FORM = re.compile(
    r"""[A-Z_][A-Z0-9_]*=(?:[^\s"'\\$`;&|<>()#!*?\[\]{}~]*|"[^"\\$`]*"|'[^']*')"""
)


def guide_commands() -> list[str]:
    """The shell commands of the guide's bash blocks, continuation lines joined."""
    commands: list[str] = []
    for block in re.findall(r"```bash\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S):
        commands += [c.strip() for c in block.replace("\\\n", " ").splitlines() if c.strip()]
    return commands


def first_administrator_command() -> list[str]:
    (command,) = [c for c in guide_commands() if "users create" in c and not c.startswith("#")]
    return shlex.split(command)


def expected_values(env_file: Path) -> dict[str, str]:
    """NAME -> value of every setting line, quotes taken off (the forms in COMMON_FORM)."""
    values = {}
    for line in env_file.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[name] = value
    return values


def test_example_env_file_lines_read_the_same_in_bash_and_systemd():
    lines = [
        line
        for line in EXAMPLE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines
    odd = [line for line in [*lines, PASSWORD_LINE] if not COMMON_FORM.fullmatch(line)]
    assert odd == []


def test_first_administrator_command_of_the_guide_gets_every_value_whole(tmp_path):
    argv = first_administrator_command()
    # sudo -u huiwu bash -c '<load the file>; exec "$@"' huiwu .venv/bin/flask … users create …
    assert argv[:3] == ["sudo", "-u", "huiwu"], argv
    assert argv[3:5] == ["bash", "-c"] and ENV_PATH in argv[5], argv
    assert argv[7:12] == [".venv/bin/flask", "--app", "app", "users", "create"], argv
    env_file = tmp_path / "huiwu.env"
    env_file.write_text(
        EXAMPLE.read_text(encoding="utf-8") + PASSWORD_LINE + "\n", encoding="utf-8"
    )
    loader = argv[5].replace(ENV_PATH, shlex.quote(str(env_file)))
    result = subprocess.run(
        ["bash", "-c", loader, argv[6], sys.executable, "-c", PRINT_ENVIRONMENT],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    environment = json.loads(result.stdout)
    expected = expected_values(env_file)
    assert expected["MAIL_DEFAULT_SENDER"] == "Huiwu <noreply@example.org>"
    assert expected["MAIL_PASSWORD"] == PASSWORD
    assert {name: environment.get(name) for name in expected} == expected
