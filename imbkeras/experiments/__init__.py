"""Paper reproductions, results store and the command line."""

from imbkeras.experiments._buda2018 import (Buda2018Config, paper_config, quick_config,
                                            run as run_buda2018)
from imbkeras.experiments._data import EXPERIMENT_DATASETS, load_split
from imbkeras.experiments._results import (load_results, plot_auc_vs_ratio, summary_table,
                                           write_results)

__all__ = ["Buda2018Config", "paper_config", "quick_config", "run_buda2018",
           "EXPERIMENT_DATASETS", "load_split", "load_results", "plot_auc_vs_ratio",
           "summary_table", "write_results"]
