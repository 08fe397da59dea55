"""The Rust layer of the package (python/src) is arranged in layers whose imports point one way:
conversions and errors -> the shared store -> objects -> the runtime. lib.rs lists them."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"


def layers() -> dict[str, int]:
    """Module name -> layer number, from the numbered comments above the `mod` lines of lib.rs."""
    result: dict[str, int] = {}
    layer = 0
    for line in (SRC / "lib.rs").read_text().splitlines():
        heading = re.match(r"// (\d+)\. ", line)
        if heading:
            layer = int(heading.group(1))
        declared = re.match(r"mod (\w+);", line)
        if declared:
            assert layer, f"mod {declared.group(1)} comes before the first layer heading"
            result[declared.group(1)] = layer
    return result


def test_every_module_has_a_layer() -> None:
    files = {p.stem for p in SRC.glob("*.rs")} - {"lib"}
    assert files == set(layers())


def test_imports_point_one_way() -> None:
    layer = layers()
    wrong = []
    for name, own in layer.items():
        text = (SRC / f"{name}.rs").read_text()
        for used in sorted(set(re.findall(r"crate::(\w+)", text))):
            if used in layer and layer[used] > own:
                wrong.append(f"{name} (layer {own}) uses {used} (layer {layer[used]})")
    assert wrong == []
