"""The experiment engine: configs -> grid of runs -> kill-safe results store -> reports.

One engine runs every paper. A paper is a preset (``presets/<paper>.py``: a
config and a few registered trainers); users write their own configs in YAML
or Python and register their own datasets, trainers and post-processors.

Example:
    >>> import imbkeras as ik
    >>> exp = ik.experiments.get_preset("buda2018").profile("smoke")
    >>> [r.run_id for r in ik.experiments.expand(exp)][:2]
    ['digits__step_rho10_mu0.5__fold0__seed0__baseline', 'digits__step_rho10_mu0.5__fold0__seed0__ROS']
"""

from imbkeras.experiments._registry import (DataBundle, Preset, get_preset, list_presets,
                                            register_dataset, register_postprocessor,
                                            register_preset, register_report, register_trainer)
from imbkeras.experiments._config import Experiment, MethodSpec
from imbkeras.experiments._context import RunContext, TrainOutput
from imbkeras.experiments._grid import Run, expand, groups, realised_ratio, scenario_label
from imbkeras.experiments._store import ResultStore
from imbkeras.experiments._runner import GridStatus, check_store, run_experiment
from imbkeras.experiments._analysis import (average_ranks, block_scores, friedman_test, holm,
                                            mean_std_table, pairwise_wilcoxon, per_class_table,
                                            rank_table, summary_table)
from imbkeras.experiments._plots import (plot_confusions, plot_metric_vs_ratio, plot_per_class,
                                         plot_ranks)
from imbkeras.experiments._report import build_report, markdown_table
from imbkeras.experiments._findings import (Finding, Measurement, NotMeasured, PaperTable,
                                            check_findings, contrast_effect, findings_score,
                                            method_means,
                                            paired_effect, paper_vs_ours, select, verdict)
from imbkeras.experiments._provenance import find_reproduction, write_provenance
from imbkeras.experiments import _datasets  # noqa: F401  (registers digits, mnist, post-processors)
from imbkeras.experiments._config import import_presets as _import_presets

_import_presets()

__all__ = [
    "DataBundle", "Experiment", "Finding", "GridStatus", "Measurement", "MethodSpec",
    "NotMeasured", "PaperTable", "Preset", "ResultStore", "Run", "RunContext", "TrainOutput",
    "average_ranks", "block_scores", "build_report", "check_findings", "check_store",
    "contrast_effect", "expand", "find_reproduction",
    "findings_score", "method_means", "paired_effect", "paper_vs_ours", "select", "verdict",
    "write_provenance", "friedman_test", "get_preset", "groups", "holm", "list_presets",
    "markdown_table", "mean_std_table", "pairwise_wilcoxon", "per_class_table",
    "plot_confusions", "plot_metric_vs_ratio", "plot_per_class", "plot_ranks", "rank_table",
    "realised_ratio", "register_dataset", "register_postprocessor", "register_preset",
    "register_report", "register_trainer", "run_experiment", "scenario_label", "summary_table",
]
