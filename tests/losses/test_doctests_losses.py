"""The Example sections of the docstrings run as doctests."""

import doctest
import importlib

import pytest

MODULES = [
    "imbkeras.losses._common",
    "imbkeras.losses._focal",
    "imbkeras.losses._weighted",
    "imbkeras.losses._long_tail",
    "imbkeras.training._drw",
]


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module):
    mod = importlib.import_module(module)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
