"""The Example sections of the layers docstrings run as doctests."""

import doctest
import importlib

import pytest

MODULES = ["imbkeras.layers._geometry", "imbkeras.layers._augment2d", "imbkeras.layers._augment3d",
           "imbkeras.layers._rot90", "imbkeras.layers._mixup"]


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
