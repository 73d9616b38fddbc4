"""Reading a README section's walkthrough: its request bodies, message files, published
messages, commands and the answers it shows (the `#=>` lines)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[2] / "README.md"


def section(title: str) -> str:
    """The README's ``## {title}`` up to the next top-level heading."""
    text = README.read_text()
    start = text.index(f"## {title}\n")
    return text[start : text.index("\n## ", start + 1)]


def request_bodies(text: str) -> list[dict[str, Any]]:
    """Every `-d '...'` body, in the order the section sends them."""
    return [json.loads(body) for body in re.findall(r"-d '(\{.*?\})'", text, re.S)]


def file_texts(text: str) -> dict[str, str]:
    """Each `cat > FILE <<JSON` of the section, as written (the shell fills it in)."""
    return dict(re.findall(r"cat > (\S+) <<JSON\n(.*?)\nJSON\n", text, re.S))


def filled(body: str, values: dict[str, str]) -> Any:
    """A file's JSON once the shell has replaced each ``$NAME`` or ``$(...)`` in ``values``."""
    for name, value in values.items():
        body = body.replace(name, value)
    return json.loads(body)


def published(text: str) -> list[tuple[str, str, str]]:
    """(topic, file, key) of each `loyalty publish`, in order."""
    return re.findall(r"\.venv/bin/loyalty publish (\S+) (\S+) --key (\S+)\n", text)


def command(text: str, start: str, values: dict[str, str]) -> list[str]:
    """The arguments of the one `loyalty` command line beginning ``start``, filled in."""
    [line] = [ln for ln in text.splitlines() if ln.startswith(f".venv/bin/loyalty {start}")]
    for name, value in values.items():
        line = line.replace(name, value)
    return shlex.split(line)[1:]


def shown_after(text: str, line_start: str) -> list[str]:
    """The `#=>` lines that directly follow the line beginning ``line_start``."""
    lines = text.splitlines()
    [at] = [i for i, ln in enumerate(lines) if ln.startswith(line_start)]
    shown = []
    for line in lines[at + 1 :]:
        if not line.startswith("#=>"):
            break
        shown.append(line[4:])
    return shown


def shown_numbers(text: str, name: str) -> list[int]:
    """Every `"name":N` the section's answers show, in order."""
    answers = "\n".join(ln for ln in text.splitlines() if ln.startswith("#=>"))
    return [int(n) for n in re.findall(rf'"{name}":(-?\d+)', answers)]


def shown_levels(text: str) -> list[str | None]:
    """Every `"level":...` of an account the section's answers show, in order."""
    answers = "\n".join(ln for ln in text.splitlines() if ln.startswith("#=>"))
    return [
        None if v == "null" else v.strip('"') for v in re.findall(r'"level":("\w+"|null)', answers)
    ]
