"""Modules imported at their first use, so that importing the trusted client stays cheap."""
from __future__ import annotations

import importlib.util
import sys


def import_on_first_use(name: str):
    """Module `name`, executed at its first attribute access (the stdlib's `LazyLoader` recipe).

    The wire modules import numpy, which the trusted side first needs once a worker is launched:
    a self-check starts the worker first and imports numpy and pytest while the worker boots."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
