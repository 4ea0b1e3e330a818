"""Paper presets: each module registers a paper's trainers, report hooks and profiles.

A preset is a configuration plus a few registered recipes on the one
experiment engine; ``imbkeras reproduce <paper> --profile quick|paper``
runs it.
"""

from imbkeras.experiments.presets import buda2018  # noqa: F401
from imbkeras.experiments.presets import koziarski2020  # noqa: F401
from imbkeras.experiments.presets import gryshkevych2016  # noqa: F401
from imbkeras.experiments.presets import aljoudi2023  # noqa: F401
from imbkeras.experiments.presets import luo2019  # noqa: F401
from imbkeras.experiments.presets import leaderboard  # noqa: F401
