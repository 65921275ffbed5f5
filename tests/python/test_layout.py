"""The C++ tree's layering: every include points down (cpp/src/README.md)."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "cpp" / "src"

#: Folder -> layer, as cpp/src/README.md's table gives them.
LAYERS = {
    "runtime": 0, "errors": 0, "common": 0, "json": 1, "path": 2, "jsonata": 2, "intrinsics": 3,
    "payload": 4, "choice": 5, "asl": 6, "engine": 7, "api": 8, "http": 9,
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/', re.M)


def test_every_folder_has_a_layer() -> None:
    folders = {p.name for p in SRC.iterdir() if p.is_dir()}
    assert folders <= set(LAYERS), f"folders without a layer in the table: {sorted(folders - set(LAYERS))}"


def test_includes_point_down() -> None:
    upward = []
    for path in SRC.rglob("*"):
        if path.suffix not in (".h", ".cpp", ".inc"):
            continue
        here = path.relative_to(SRC).parts[0]
        for target in INCLUDE.findall(path.read_text(encoding="utf-8")):
            if target in LAYERS and LAYERS[target] > LAYERS[here]:
                upward.append(f"{path.relative_to(SRC)} includes {target}/")
    assert not upward, "includes that point up a layer:\n" + "\n".join(upward)
