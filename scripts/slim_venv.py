"""Drop the debug information that some wheels ship inside their compiled extensions (`make demo`).

The wheels of spaCy, thinc, blis and their helpers (srsly, preshed, cymem, murmurhash) carry the
DWARF debug sections of their Cython extensions: about 120 MB of a 460 MB runtime venv.
`strip --strip-debug` removes those sections and nothing else; the demo builds byte-identical
graphs before and after. Libraries that auditwheel bundled into a wheel (`*.libs/`) are left
alone: patchelf has rewritten them, and stripping one (numpy's OpenBLAS) breaks its loading.
Without binutils' `strip` nothing is done.

    python scripts/slim_venv.py .venv
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


def size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def debug_extensions(root: Path) -> list[Path]:
    """Compiled extensions (ELF shared objects) with a .debug_info section, outside `*.libs/` folders."""
    found = []
    for path in sorted(root.rglob("*.so")):
        if any(part.endswith(".libs") for part in path.parts) or path.is_symlink() or not path.is_file():
            continue
        with path.open("rb") as f:
            if f.read(4) != b"\x7fELF":
                continue
            if b".debug_info" in f.read():
                found.append(path)
    return found


def main() -> int:
    venv = Path(sys.argv[1] if len(sys.argv) > 1 else ".venv")
    strip = shutil.which("strip")
    if strip is None:
        print("slim_venv: no `strip` (binutils); the venv keeps its debug information")
        return 0
    before = size(venv)
    targets = debug_extensions(venv / "lib")
    for path in targets:
        subprocess.run([strip, "--strip-debug", str(path)], check=True)
    print(f"slim_venv: debug information dropped from {len(targets)} extensions:"
          f" {before / 2**20:.0f} MB -> {size(venv) / 2**20:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
