"""The files okrtui ships beside its code: the stylesheets and the sample company.

They live at the top of the repository (styles/, sample_data/) and are mapped into
the package when a wheel is built (pyproject.toml), so an installed okrtui finds
them inside itself and a source checkout (an editable install) at its top.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def asset_dir(name: str) -> Path:
    """`styles` or `sample_data`: the installed package's copy, else the checkout's."""
    packaged = Path(str(files("okrtui") / name))
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"okrtui is installed without its {name}/ folder (reinstall it: pip install okrtui)")
