"""The Example sections of the sampling docstrings run as doctests."""

import doctest
import importlib

import pytest

MODULES = ["imbkeras.sampling._base", "imbkeras.sampling._hybrid",
           "imbkeras.sampling._multilabel", "imbkeras.sampling._class_aware",
           "imbkeras.sampling._synthetic"]


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
