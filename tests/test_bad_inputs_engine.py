"""Bad inputs of the experiment engine and its command line: named errors, nothing written.

The style of ``tests/test_bad_inputs.py``: each case calls one entry point with
one wrong input and asserts the exception type and a substring naming the
argument (or the value). The families: the shape of a configuration, the
experiment-level trainer parameters the CLI sets, YAML files, report metric
names, and results directories that a run must not adopt (a directory of
other files, another configuration's directory, a path that is a file).
"""

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest

import imbkeras as ik
from imbkeras.experiments import Experiment, check_store, run_experiment
from imbkeras.experiments._store import Lock

_TMP = Path(tempfile.mkdtemp(prefix="imbk_bad_engine_"))
atexit.register(shutil.rmtree, _TMP, True)


def _smoke(**changes):
    """The buda2018 smoke profile (valid, nothing trained here) with ``changes``."""
    return ik.experiments.get_preset("buda2018").profile("smoke").replace(**changes)


def _dict(**changes):
    data = _smoke().to_dict()
    data.update(changes)
    return data


def _from(**changes):
    return Experiment.from_dict(_dict(**changes)).validate()


def _yaml_file(text: str) -> Path:
    path = Path(tempfile.mkdtemp(dir=_TMP)) / "config.yaml"
    path.write_text(text)
    return path


def _dir(files: dict | None = None, exp: Experiment | None = None) -> Path:
    """A directory holding ``files`` ({name: text}) and, given ``exp``, its experiment.yaml."""
    d = Path(tempfile.mkdtemp(dir=_TMP))
    for name, text in (files or {}).items():
        (d / name).parent.mkdir(parents=True, exist_ok=True)
        (d / name).write_text(text)
    if exp is not None:
        (d / "experiment.yaml").write_text(exp.to_yaml())
    return d


def _refused(exp, out, **kw):
    """``run_experiment`` must raise before writing anything into ``out``."""
    before = sorted(p.name for p in Path(out).iterdir()) if Path(out).is_dir() else None
    try:
        run_experiment(exp, out, progress=False, **kw)
    finally:
        after = sorted(p.name for p in Path(out).iterdir()) if Path(out).is_dir() else None
        assert after == before, f"{out} changed: {before} -> {after}"


CASES = [
    # the shape of a configuration: a named TypeError, not Python's own
    ("cv a number", lambda: _from(cv=5), TypeError, "`cv` must be a mapping"),
    ("params a number", lambda: _from(params=5), TypeError, "`params` must be a mapping"),
    ("imports a string", lambda: _from(imports="x"), TypeError, "`imports` must be a list"),
    ("scenarios a number", lambda: _from(scenarios=3), TypeError, "`scenarios` must be a list"),
    ("a scenario a number", lambda: _from(scenarios=[3]), TypeError, "`scenarios[0]`"),
    ("methods a list", lambda: _from(methods=[1]), TypeError, "`methods` must be a mapping"),
    ("datasets a number", lambda: _from(datasets=5), TypeError, "`datasets`"),
    ("seeds a string", lambda: _from(seeds="0,1"), TypeError, "`seeds`"),
    ("report a list", lambda: _from(report=["auc_ovr"]), TypeError, "`report` must be a mapping"),
    ("protocol a string", lambda: _from(protocol="step"), TypeError, "`protocol`"),
    ("config a list", lambda: Experiment.from_dict([1, 2]), TypeError, "must be a mapping"),
    # experiment-level trainer parameters the CLI sets (--iterations, --set params.X=...)
    ("iterations 0", lambda: _smoke().with_overrides(sets=["params.iterations=0"]).validate(),
     ValueError, "`params.iterations` must be >= 1; received 0"),
    ("iterations -5", lambda: _smoke().with_overrides(sets=["params.iterations=-5"]).validate(),
     ValueError, "`params.iterations`"),
    ("iterations 2.7", lambda: _smoke().with_overrides(sets=["params.iterations=2.7"]).validate(),
     TypeError, "`params.iterations` must be an integer; received 2.7"),
    ("iterations abc", lambda: _smoke().with_overrides(sets=["params.iterations=abc"]).validate(),
     TypeError, "received 'abc'"),
    ("iterations true", lambda: _smoke().with_overrides(sets=["params.iterations=true"])
     .validate(), TypeError, "`params.iterations`"),
    ("epochs 0", lambda: _from(params={**_smoke().params, "epochs": 0}), ValueError,
     "`params.epochs`"),
    ("batch_size 2.5", lambda: _from(params={**_smoke().params, "batch_size": 2.5}), TypeError,
     "`params.batch_size`"),
    ("method epochs 0", lambda: _smoke().with_overrides(
        sets=["methods.ROS.params.epochs=0"]).validate(), ValueError,
     "`methods.ROS.params.epochs`"),
    ("iterations 0 never runs", lambda: _refused(
        _smoke().with_overrides(sets=["params.iterations=0"]), _TMP / "never"), ValueError,
     "`params.iterations`"),
    # YAML files: a key defined twice is refused, naming the key and its lines
    ("duplicate top-level key", lambda: Experiment.from_yaml(_yaml_file(
        "preset: buda2018\nprofile: smoke\nseeds: [0]\nseeds: [1]\n")), ValueError,
     "key 'seeds' defined twice (line 3 and line 4)"),
    ("duplicate nested key", lambda: Experiment.from_yaml(_yaml_file(
        "preset: buda2018\nparams:\n  iterations: 20\n  iterations: 40\n")), ValueError,
     "key 'iterations' defined twice (line 3 and line 4)"),
    ("duplicate key in a flow mapping", lambda: Experiment.from_yaml(_yaml_file(
        "preset: buda2018\ncv: {kind: holdout, seed: 0, seed: 1}\n")), ValueError,
     "key 'seed' defined twice"),
    ("duplicate key in --set", lambda: _smoke().with_overrides(
        sets=["dataset_params={a: 1, a: 2}"]), ValueError, "key 'a' defined twice"),
    ("YAML not a mapping", lambda: Experiment.from_yaml(_yaml_file("- 1\n- 2\n")), TypeError,
     "must be a mapping"),
    # report metric names, checked before anything trains
    ("report.metrics typo", lambda: _from(report={"metrics": ["acuracy"]}), ValueError,
     "Did you mean 'accuracy'"),
    ("report.metrics a string", lambda: _from(report={"metrics": "accuracy"}), TypeError,
     "`report.metrics` must be a list"),
    ("report.tables metric typo", lambda: _from(report={"tables": [{"metric": "macro_f2"}]}),
     ValueError, "`report.tables[0].metric`='macro_f2'"),
    ("report.tables unknown key", lambda: _from(
        report={"tables": [{"metric": "accuracy", "indx": ["kind"]}]}), ValueError,
     "Did you mean 'index'"),
    ("report.ranks metric typo", lambda: _from(report={"ranks": {"metrics": ["cbaa"]}}),
     ValueError, "Did you mean 'cba'"),
    ("report.ranks without metrics", lambda: _from(report={"ranks": {"blocks": ["kind"]}}),
     ValueError, "`report.ranks`"),
    ("report plot metric typo", lambda: _from(report={"plots": [
        {"type": "metric_vs_ratio", "metric": "auc"}]}), ValueError, "`report.plots[0].metric`"),
    ("report plot without metric", lambda: _from(report={"plots": [
        {"type": "metric_vs_ratio"}]}), ValueError, "needs a `metric`"),
    ("report typo never runs", lambda: _refused(
        _smoke(report={"metrics": ["acuracy"]}), _TMP / "never"), ValueError, "acuracy"),
    # results directories a run must not adopt
    ("foreign results.csv", lambda: _refused(
        _smoke(), _dir({"results.csv": "subject,score\nalice,3\n"})), ValueError,
     "not an imbkeras experiment directory"),
    ("foreign results.csv with force", lambda: _refused(
        _smoke(), _dir({"results.csv": "a\n1\n"}), force=True), ValueError,
     "--force does not apply"),
    ("foreign files", lambda: check_store(_smoke(), _dir({"notes.txt": "x", "data/a.png": ""})),
     ValueError, "notes.txt"),
    ("out is a file", lambda: check_store(_smoke(), _dir({"f": "x"}) / "f"), ValueError,
     "is not a directory"),
    ("changed params", lambda: _refused(
        _smoke().with_overrides(iterations=40, seeds=[1]),
        _dir(exp=_smoke().with_overrides(iterations=20))), ValueError,
     "params.iterations: 40 here, 20 in the directory"),
    ("changed cv", lambda: check_store(
        _smoke(cv={"kind": "holdout", "test_size": 0.5}), _dir(exp=_smoke())), ValueError,
     "cv.test_size"),
    ("changed method", lambda: check_store(
        _smoke().with_overrides(sets=["methods.ROS.post=prior_correction"]),
        _dir(exp=_smoke())), ValueError, "methods.ROS.post"),
    ("unreadable experiment.yaml", lambda: check_store(
        _smoke(), _dir({"experiment.yaml": ": : :\n"})), ValueError,
     "cannot be read as a configuration"),
    ("lock timeout negative", lambda: Lock(_TMP / "k.lock", unreadable_timeout=-1), ValueError,
     "unreadable_timeout"),
    ("lock timeout a string", lambda: Lock(_TMP / "k.lock", unreadable_timeout="30"),
     ValueError, "unreadable_timeout"),
]


@pytest.mark.parametrize("call, exc, match", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_named(call, exc, match):
    import re

    with pytest.raises(exc, match=re.escape(match)):
        call()


def test_catalogue_is_large_enough():
    assert len(CASES) >= 20


def test_the_same_configuration_is_adopted():
    """The opposite of the store cases: the same config (numbers written either way)."""
    exp = _smoke()
    assert check_store(exp, _dir(exp=exp)) == []
    assert check_store(exp.with_overrides(ratios=[10.0], seeds=[0, 1]), _dir(exp=exp)) == []
    assert check_store(exp, _dir({".gitkeep": ""})) == []
