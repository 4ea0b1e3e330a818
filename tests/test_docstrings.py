"""Every docstring Example in the package runs as a doctest."""

import doctest
import importlib
import pkgutil

import pytest

import imbkeras

MODULES = sorted(m.name for m in pkgutil.walk_packages(imbkeras.__path__, "imbkeras."))


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0

