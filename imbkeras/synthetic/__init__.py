"""Embedded data generators: TEM liposomes (2D, with masks), 4-channel multi-label cells,
cryo-ET subtomograms (3D, with CTF, noise and missing wedge).

Simulators return data in the same form as the loaders of
:mod:`imbkeras.datasets` and can write it in the real file formats.
"""

from imbkeras.synthetic._liposomes import (PROBLEMS, ParticleSet, liposomes,
                                           save_particles, select_input_mode,
                                           stack_input_modes)
from imbkeras.synthetic._subtomograms import (CLASS_NAMES as SUBTOMOGRAM_CLASSES, LUO_COUNTS,
                                             LUO_PROPORTIONS, save_subtomograms,
                                             subtomograms, wedge_mask)
from imbkeras.synthetic._protein_cells import HPA_FREQUENCIES, draw_labels, protein_cells

__all__ = ["HPA_FREQUENCIES", "PROBLEMS", "ParticleSet", "draw_labels", "liposomes",
           "protein_cells", "save_particles", "SUBTOMOGRAM_CLASSES", "LUO_COUNTS",
           "LUO_PROPORTIONS",
           "save_subtomograms", "select_input_mode", "stack_input_modes", "subtomograms",
           "wedge_mask"]
