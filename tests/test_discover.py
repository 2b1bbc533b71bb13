"""Finding sources: which files and folders discover() takes, and what it says."""

from __future__ import annotations

from pathlib import Path

from broadsheet.loaders import discover


def _write(path: Path, text: str = "Headline\n\nBody.\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_hidden_and_underscore_folders_are_skipped_and_links_not_entered(tmp_path: Path) -> None:
    content = tmp_path / "content"
    _write(content / "b.txt")
    _write(content / "a" / "deep" / "c.md", "# C\n")
    _write(content / ".hidden.txt")
    _write(content / ".git" / "d.txt")
    _write(content / "_private" / "e.txt")
    _write(tmp_path / "elsewhere" / "f.txt")
    (content / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    sources, diagnostics = discover(tmp_path, content)
    assert [s.rel for s in sources] == ["content/a/deep/c.md", "content/b.txt"]
    assert [s.path for s in sources] == [content / "a/deep/c.md", content / "b.txt"]
    assert diagnostics == []


def test_names_in_messages_are_relative_to_the_site(tmp_path: Path) -> None:
    content = tmp_path / "content"
    _write(content / "news" / "README")
    _write(content / "news" / "lonely.yaml", "tags: [x]\n")
    _, diagnostics = discover(tmp_path, content)
    assert [(d.path, d.message.split(";")[0]) for d in diagnostics] == [
        ("content/news/README", "skipped: no file extension"),
        ("content/news/lonely.yaml", "metadata file has no article beside it (lonely.txt or "
                                     "lonely.md)"),
    ]


def test_a_content_folder_that_is_the_site_folder(tmp_path: Path) -> None:
    _write(tmp_path / "a.txt")
    _write(tmp_path / "sub" / "b.txt")
    sources, _ = discover(tmp_path, tmp_path)
    assert [s.rel for s in sources] == ["a.txt", "sub/b.txt"]
    assert sources[1].defaults[0]["section"].value == "Sub"

