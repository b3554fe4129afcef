"""The training modules: Markdown files shipped in ``modules/``, plus any the owner adds
or edits in ``<STRONGROOM_DATA_DIR>/training/`` (same file name: the owner's wins).

A module file is front matter (``title``, ``version``, ``pass_mark`` in percent,
``roles``: ``all`` or role names), a Markdown body, and a ``## Quiz`` section of
``### question`` headings each followed by ``- [ ]`` / ``- [x]`` options. Raising the
version asks everyone for a retake. The correct answers stay on the server: the quiz
page gets questions and option texts only (``Question.public``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from strongroom.protection.access.roles import Role

SHIPPED = Path(__file__).parent / "modules"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_OPTION = re.compile(r"^- \[( |x|X)\] (.+)$")


class CatalogError(ValueError):
    """A module file that cannot be read as a module (the check training.E001 shows it)."""


@dataclass(frozen=True)
class Question:
    text: str
    options: tuple[str, ...]
    correct: frozenset[int]  # option indexes; never leaves the server before grading


@dataclass(frozen=True)
class Module:
    slug: str
    title: str
    version: int
    pass_mark: int
    roles: frozenset[Role]
    body: str
    questions: tuple[Question, ...]

    def applies_to(self, role: Role | None) -> bool:
        return role is not None and role in self.roles


def module_parse(*, slug: str, text: str) -> Module:
    if not SLUG.match(slug):
        raise CatalogError(f"{slug}: a module file name is lowercase letters, digits, dashes")
    if not text.startswith("---\n"):
        raise CatalogError(f"{slug}: no front matter (--- ... ---)")
    head, sep, rest = text[4:].partition("\n---\n")
    if not sep:
        raise CatalogError(f"{slug}: front matter is not closed by ---")
    meta = dict(line.split(":", 1) for line in head.splitlines() if ":" in line)
    meta = {k.strip(): v.strip() for k, v in meta.items()}
    try:
        version, pass_mark = int(meta["version"]), int(meta.get("pass_mark", "80"))
        title = meta["title"]
    except (KeyError, ValueError) as exc:
        raise CatalogError(f"{slug}: needs title and an integer version ({exc})") from None
    roles_raw = meta.get("roles", "all").split()
    try:
        roles = frozenset(Role) if roles_raw == ["all"] else frozenset(Role(r) for r in roles_raw)
    except ValueError:
        raise CatalogError(f"{slug}: unknown role in roles: {' '.join(roles_raw)}") from None
    body, sep, quiz = rest.partition("\n## Quiz\n")
    questions = _questions(slug, quiz) if sep else ()
    if not questions:
        raise CatalogError(f"{slug}: no quiz (a '## Quiz' section with ### questions)")
    if not 1 <= pass_mark <= 100 or version < 1:
        raise CatalogError(f"{slug}: pass_mark is 1-100 and version at least 1")
    return Module(slug, title, version, pass_mark, roles, body.strip(), questions)


def _questions(slug: str, quiz: str) -> tuple[Question, ...]:
    out: list[Question] = []
    for block in ("\n" + quiz).split("\n### ")[1:]:
        lines = [x.strip() for x in block.strip().splitlines() if x.strip()]
        options, correct = [], set()
        for line in lines[1:]:
            match = _OPTION.match(line)
            if not match:
                raise CatalogError(f"{slug}: not an option line: {line[:40]!r}")
            if match.group(1) != " ":
                correct.add(len(options))
            options.append(match.group(2))
        if len(options) < 2 or len(correct) != 1:
            raise CatalogError(f"{slug}: question {lines[0][:40]!r} needs options, one [x]")
        out.append(Question(lines[0], tuple(options), frozenset(correct)))
    return tuple(out)


def _sources() -> dict[str, Path]:
    files = {p.stem: p for p in sorted(SHIPPED.glob("*.md"))}
    extra = Path(settings.STRONGROOM_DATA_DIR) / "training"
    if extra.is_dir():
        files.update({p.stem: p for p in sorted(extra.glob("*.md"))})
    return files


def modules_load() -> dict[str, Module]:
    """Every module, by slug. Raises CatalogError on the first bad file."""
    return _load(tuple((slug, path, path.stat().st_mtime_ns)
                       for slug, path in _sources().items()))


@lru_cache(maxsize=4)
def _load(files: tuple[tuple[str, Path, int], ...]) -> dict[str, Module]:
    return {slug: module_parse(slug=slug, text=path.read_text(encoding="utf-8"))
            for slug, path, _ in files}
