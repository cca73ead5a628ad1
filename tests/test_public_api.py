"""The public names: importable from ``lpnet``, documented, and the core imports without the extras."""

import subprocess
import sys

import lpnet


def test_every_public_name_exists_and_is_documented():
    for name in lpnet.__all__:
        obj = getattr(lpnet, name)
        if name != "__version__":
            assert obj.__doc__ and obj.__doc__.strip(), f"{name} has no docstring"


def test_import_is_light():
    """``import lpnet`` pulls in neither matplotlib nor torch (optional extras)."""
    code = "import sys, lpnet; print(sorted(m for m in ('matplotlib', 'torch') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
