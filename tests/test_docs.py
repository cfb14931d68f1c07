"""The documents keep their promises: a short README that starts with install-and-compress, no paths
outside the repository, relative links that resolve, and a CLI reference that covers every command
and long option the command line has."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import click
import pytest

from aecodec.tools.cli.main import main

ROOT = Path(__file__).parents[1]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
CLI_DOC = ROOT / "docs" / "cli.md"
README_LIMIT = 10_000

_FENCE = re.compile(r"^```.*?^```", flags=re.S | re.M)
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def relative_links(markdown: str) -> list[str]:
    """Targets of the inline Markdown links and images outside code, without URLs and pure anchors."""
    prose = _FENCE.sub("", markdown)
    prose = re.sub(r"`[^`\n]*`", "", prose)
    targets = [match.group(1) for match in _LINK.finditer(prose)]
    return [t for t in targets if not re.match(r"^[a-z][a-z0-9+.-]*:", t, flags=re.I) and not t.startswith("#")]


def test_relative_links_finds_links_outside_code():
    text = "See [a](docs/a.md#x) and ![b](b.png), [web](https://x.org), [top](#top).\n```\n[c](c.md)\n```\n`[d](d.md)`"
    assert relative_links(text) == ["docs/a.md#x", "b.png"]


def test_readme_is_short():
    assert len(_text(README)) <= README_LIMIT


def test_readme_starts_with_install_and_compress():
    text = _text(README)
    first_block = re.search(r"```(?:bash|sh|shell|console)\n(.*?)```", text, flags=re.S)
    assert first_block, "the README has no shell block"
    assert first_block.start() < text.find("\n## "), "the first shell block comes after the first section"
    commands = first_block.group(1)
    assert "pip install" in commands and "aecodec compress" in commands
    assert "pytest" in commands


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    headings = re.findall(r"^#{1,6} (.+)$", _FENCE.sub("", _text(path)), flags=re.M)
    return {github_anchor(heading.replace("`", "")) for heading in headings}


@pytest.mark.parametrize("path", [README, *DOCS], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_paths_outside_the_repository(path):
    assert "../shared" not in _text(path)


@pytest.mark.parametrize("path", [README, *DOCS], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_resolve(path):
    missing = [target for target in relative_links(_text(path))
               if not (path.parent / unquote(target.split("#", 1)[0])).exists()]
    assert not missing, f"{path.name} links to missing files: {missing}"


@pytest.mark.parametrize("path", [README, *DOCS], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_section_links_resolve(path):
    links = [*relative_links(_text(path)), *re.findall(r"\]\((#[^)\s]+)\)", _FENCE.sub("", _text(path)))]
    broken = []
    for target in links:
        name, _, anchor = target.partition("#")
        linked = path.parent / unquote(name) if name else path
        if anchor and linked.suffix == ".md" and linked.exists() and anchor not in anchors(linked):
            broken.append(target)
    assert not broken, f"{path.name} links to missing sections: {broken}"


def _long_options(command: click.Command) -> set[str]:
    return {opt for param in command.params if isinstance(param, click.Option)
            for opt in (*param.opts, *param.secondary_opts) if opt.startswith("--")}


def test_cli_reference_names_every_command():
    text = _text(CLI_DOC)
    missing = [name for name in main.commands if f"## {name}\n" not in text]
    assert not missing, f"docs/cli.md has no section for {missing}"


@pytest.mark.parametrize("name", sorted(main.commands))
def test_cli_reference_names_every_long_option(name):
    text = _text(CLI_DOC)
    section = re.search(rf"^## {re.escape(name)}\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M)
    assert section, f"docs/cli.md has no section for {name}"
    missing = sorted(opt for opt in _long_options(main.commands[name])
                     if opt != "--help" and not re.search(rf"`[^`]*{re.escape(opt)}(?![\w-])", section.group(1)))
    assert not missing, f"docs/cli.md's {name} section lacks {missing}"


def test_cli_reference_names_the_top_level_options():
    text = _text(CLI_DOC)
    assert all(opt in text for opt in _long_options(main) if opt != "--help")
