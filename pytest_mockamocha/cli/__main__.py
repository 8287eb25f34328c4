"""``python -m pytest_mockamocha.cli``."""

from pytest_mockamocha.cli.main import main

main()
