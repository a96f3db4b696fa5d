"""Documentation stays true (Datasette's rule): settings, commands and layers are documented."""

from __future__ import annotations

from pathlib import Path

from tradepolicy.config import Settings

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text()
ARCH = (REPO / "docs" / "architecture.md").read_text()


def test_every_setting_is_documented() -> None:
    for name in Settings.model_fields:
        env = f"TRADEPOLICY_{name.upper()}"
        assert env in (Settings.__doc__ or ""), f"{env} missing from the Settings docstring"
        assert name.upper() in README, f"{env} missing from README's Settings section"


def test_every_top_level_command_is_in_the_readme() -> None:
    import typer

    from tradepolicy.cli import app

    group = typer.main.get_command(app)
    for name in group.commands:  # type: ignore[attr-defined]
        assert f"tradepolicy {name}" in README or f"`{name}`" in README, f"command {name!r} undocumented"


def test_architecture_names_every_package() -> None:
    pkg = REPO / "src" / "tradepolicy"
    for sub in sorted(p.name for p in pkg.iterdir() if p.is_dir() and (p / "__init__.py").exists()):
        assert f"{sub}/" in ARCH, f"docs/architecture.md does not mention {sub}/"
