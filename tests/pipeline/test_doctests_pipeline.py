"""The Example sections of the pipeline docstrings run as doctests."""

import doctest
import importlib

import pytest

MODULES = ["imbkeras.pipeline._dataset"]


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
