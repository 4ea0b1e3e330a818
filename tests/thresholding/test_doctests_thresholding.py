"""The Example sections of the docstrings run as doctests."""

import doctest
import importlib

import pytest

MODULES = [
    "imbkeras.thresholding._prior",
    "imbkeras.thresholding._tune",
    "imbkeras.layers._prior_correction",
]


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module):
    mod = importlib.import_module(module)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
