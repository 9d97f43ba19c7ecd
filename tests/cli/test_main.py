"""The ``ovbuild`` parser: generated help for every subcommand, one error policy."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from ovbuild.cli.main import build_parser, load_subcommands, main
from tests.conftest import REPO, run_cli


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (group,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(group.choices)


def test_help_for_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    commands = load_subcommands()
    assert {"build", "validate", "ls", "show", "bench", "gc", "report", "doctor", "check"} <= set(commands)
    for name, parser in _subparsers().items():
        with pytest.raises(SystemExit) as exited:
            main([name, "--help"])
        assert exited.value.code == 0, name
        out = capsys.readouterr().out
        assert out.startswith(f"usage: ovbuild {name}"), out
        undocumented = [a.dest for a in parser._actions if not a.help]
        assert not undocumented, f"{name}: options without help: {undocumented}"


def test_validate_help_is_help_not_a_hydra_override() -> None:
    done = run_cli("validate", "--help")
    assert done.returncode == 0, done.stderr
    assert "usage: ovbuild validate" in done.stdout and "Lexer" not in done.stdout + done.stderr


def test_doctor_help_does_not_run_doctor() -> None:
    done = run_cli("doctor", "--help")
    assert done.returncode == 0 and "usage: ovbuild doctor" in done.stdout
    assert "devices:" not in done.stdout.lower().split("usage")[0]


def test_readme_table_lists_every_command() -> None:
    table = (REPO / "README.md").read_text().split("## Commands", 1)[1].split("\n\n", 2)[1]
    listed = set(re.findall(r"`ovbuild (\w+)", table))
    assert set(load_subcommands()) <= listed, set(load_subcommands()) - listed


def test_unknown_command_and_option_exit_2() -> None:
    assert run_cli("bogus").returncode == 2
    done = run_cli("ls", "--bogus")
    assert done.returncode == 2 and "usage: ovbuild ls" in done.stderr and "--bogus" in done.stderr


def test_new_subcommand_is_one_class(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from ovbuild.cli.subcommand import Subcommand

    class Hello(Subcommand):
        name, help = "hello-test", "print a greeting"

        def add_arguments(self, parser: argparse.ArgumentParser) -> None:
            parser.add_argument("who", help="whom to greet")

        def run(self, args: argparse.Namespace) -> int:
            print(f"hello {args.who}")
            return 0

    try:
        assert main(["hello-test", "world"]) == 0
        assert capsys.readouterr().out == "hello world\n"
    finally:
        del Subcommand.registry["hello-test"]


def test_hydra_flags_pass_through_build() -> None:
    done = run_cli("build", "recipe=silero_vad", "--cfg", "job")
    assert done.returncode == 0, done.stderr
    assert "name: silero_vad" in done.stdout
