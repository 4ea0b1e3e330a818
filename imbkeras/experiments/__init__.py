"""The experiment engine: configs -> grid of runs -> kill-safe results store -> reports.

One engine runs every paper. A paper is a preset (``presets/<paper>.py``: a
config and a few registered trainers); users write their own configs in YAML
or Python and register their own datasets, trainers and post-processors.

The engine (TensorFlow included) and the bundled presets load once, on the
first use of any name of this package (PEP 562): ``import imbkeras.experiments``
alone is cheap, so the command line answers ``--help`` at once.

Examples:
    >>> import imbkeras as ik
    >>> exp = ik.experiments.get_preset("buda2018").profile("smoke")
    >>> [r.run_id for r in ik.experiments.expand(exp)][:2]
    ['digits__step_rho10_mu0.5__fold0__seed0__baseline', 'digits__step_rho10_mu0.5__fold0__seed0__ROS']
"""

from imbkeras._lazy import lazy_exports

# public name -> the module defining it, in the order the engine loads them
_EXPORTS = {
    "_registry": ["DataBundle", "Preset", "get_preset", "list_presets", "register_dataset",
                  "register_postprocessor", "register_preset", "register_report",
                  "register_trainer"],
    "_config": ["Experiment", "MethodSpec"],
    "_context": ["RunContext", "TrainOutput"],
    "_grid": ["Run", "expand", "groups", "realised_ratio", "scenario_label"],
    "_store": ["ResultStore"],
    "_runner": ["GridStatus", "check_store", "run_experiment"],
    "_analysis": ["average_ranks", "block_scores", "friedman_test", "holm", "mean_std_table",
                  "pairwise_wilcoxon", "per_class_table", "rank_table", "summary_table"],
    "_plots": ["plot_confusions", "plot_metric_vs_ratio", "plot_per_class", "plot_ranks"],
    "_report": ["build_report", "markdown_table"],
    "_findings": ["Finding", "Measurement", "NotMeasured", "PaperTable", "check_findings",
                  "contrast_effect", "findings_score", "method_means", "paired_effect",
                  "paper_vs_ours", "select", "verdict"],
    "_provenance": ["find_reproduction", "write_provenance"],
}

__all__ = sorted(name for names in _EXPORTS.values() for name in names)

# ``_load()`` imports the engine, then the bundled datasets and post-processors
# (``_datasets``) and the paper presets (which register themselves); once per process.
# Engine entry points reached without this package's names (a worker process running a
# group) call it through ``Experiment.import_modules``.
_load, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, then=("_datasets", "presets"))
