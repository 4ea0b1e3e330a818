"""Embedded data generators: TEM liposomes (2D, with masks).

Simulators return data in the same form as the loaders of
:mod:`imbkeras.datasets` and can write it in the real file formats.
"""

from imbkeras.synthetic._liposomes import PROBLEMS, ParticleSet, liposomes, save_particles

__all__ = ["PROBLEMS", "ParticleSet", "liposomes", "save_particles"]
