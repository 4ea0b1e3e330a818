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

import importlib

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

_LOADED = False


def _load() -> None:
    """Import the engine, then the bundled datasets and paper presets (which register
    themselves); once per process. Engine entry points reached without this package's
    names (a worker process running a group) call it through
    ``Experiment.import_modules``."""
    global _LOADED
    if _LOADED:
        return
    for module, names in _EXPORTS.items():
        mod = importlib.import_module(f"{__name__}.{module}")
        globals().update({name: getattr(mod, name) for name in names})
    importlib.import_module(f"{__name__}._datasets")  # digits, mnist, post-processors
    importlib.import_module(f"{__name__}.presets")  # the five papers
    _LOADED = True


def __getattr__(name):
    if name in __all__:
        _load()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
