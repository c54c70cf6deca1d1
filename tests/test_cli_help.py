import pytest
from typer.testing import CliRunner

from newsprism.cli import app

COMMANDS = ["ingest", "run", "stories", "story", "compare", "report", "demo", "eval", "serve", "db", "watch"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    res = CliRunner().invoke(app, [command, "--help"])
    assert res.exit_code == 0
    assert "Usage" in res.output


def test_readme_documents_every_command():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for command in COMMANDS:
        assert f"newsprism {command}" in readme, command
