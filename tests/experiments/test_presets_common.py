"""Common checks over every registered paper preset and profile, and the declared parameters.

One parametrised test runs over every ``(preset, profile)`` pair of the
registry, so a new preset or profile is checked without a line here: it
builds, validates, expands into runs with unique ids, names only registered
trainers, post-processors and report hooks, and every parameter it declares
(experiment ``params``) is taken by a trainer of it. Then the bad inputs of
the declared parameters: a method parameter the trainer does not declare
(the closest name suggested), a value of the wrong type, a sampler spec
naming an unknown sampler, each refused before the output directory exists.
Nothing trains here.
"""

from __future__ import annotations

import dataclasses

import pytest

import imbkeras as ik
from imbkeras.experiments import Experiment, expand, groups
from imbkeras.experiments._config import load_yaml
from imbkeras.experiments._params import declared
from imbkeras.experiments._registry import POSTPROCESSORS, PRESETS, REPORTS, TRAINERS


def _pairs():
    ik.experiments.list_presets()  # loads the engine and the bundled presets
    return [(name, profile) for name in PRESETS.names()
            for profile in PRESETS.get(name).profiles
            if not name.startswith(("toy", "test"))]  # presets other tests register


PAIRS = _pairs()


def _trainer_params(exp) -> dict:
    """``{parameter: trainers declaring it}`` over the trainers of ``exp``."""
    out: dict = {}
    for spec in exp.methods.values():
        names, _ = declared(TRAINERS.get(spec.trainer), skip=1)
        for n in names:
            out.setdefault(n, set()).add(spec.trainer)
    return out


def test_every_bundled_preset_is_checked():
    assert {name for name, _ in PAIRS} >= {"buda2018", "koziarski2020", "luo2019",
                                           "gryshkevych2016", "aljoudi2023"}


@pytest.mark.parametrize("paper,profile", PAIRS, ids=[f"{p}-{q}" for p, q in PAIRS])
def test_preset_profile(paper, profile):
    exp = ik.experiments.get_preset(paper).profile(profile)
    assert isinstance(exp, Experiment)
    assert (exp.preset, exp.profile) == (paper, profile)
    exp.validate()
    # What experiment.yaml stores reads back as a valid configuration.
    stored = Experiment.from_dict(load_yaml(exp.to_yaml())).validate()
    assert stored.to_dict() == exp.to_dict()
    runs = expand(exp)
    assert runs, f"{paper}/{profile} expands into no run"
    ids = [r.run_id for r in runs]
    assert len(set(ids)) == len(ids)
    assert len(groups(runs)) <= len(runs)
    for name, spec in exp.methods.items():
        assert spec.trainer in TRAINERS, f"{paper}/{profile}: method {name!r}"
        if spec.post is not None:
            assert spec.post in POSTPROCESSORS, f"{paper}/{profile}: method {name!r}"
    for hook in exp.report.get("hooks", ()):
        assert hook in REPORTS
    taken = _trainer_params(exp)
    unused = sorted(k for k in exp.params if k not in taken)
    assert not unused, f"{paper}/{profile} declares params no trainer of it takes: {unused}"
    for name, spec in exp.methods.items():
        names, takes_any = declared(TRAINERS.get(spec.trainer), skip=1)
        assert takes_any or set(spec.params) <= set(names), (paper, profile, name)


@pytest.mark.parametrize("trainer", sorted(n for n in TRAINERS.names()
                                           if n.split(".")[0] in {p for p, _ in PAIRS}))
def test_preset_trainers_declare_their_parameters(trainer):
    """A preset's trainer takes ``ctx`` and keyword parameters with defaults only where
    the paper's profiles set them (no ``**params``: every parameter is declared)."""
    names, takes_any = declared(TRAINERS.get(trainer), skip=1)
    assert not takes_any, f"{trainer} takes **params: declare each parameter instead"
    assert names, f"{trainer} declares no parameter"


# -- bad input: refused by validate(), before the directory exists -----------------------
def _smoke(paper="buda2018"):
    return ik.experiments.get_preset(paper).profile("smoke")


def _with_method_params(exp, method, **params):
    spec = exp.methods[method]
    methods = {**exp.methods, method: dataclasses.replace(spec, params={**spec.params, **params})}
    return exp.replace(methods=methods)


def test_unknown_method_parameter_suggests_the_declared_name():
    exp = _with_method_params(_smoke(), "ROS", samplr="rus")
    with pytest.raises(ValueError, match=r"`methods\.ROS\.params\.samplr`='rus'.*method 'ROS'"
                                         r".*Did you mean 'sampler'\?"):
        exp.validate()


def test_unknown_shared_parameter_is_refused():
    exp = _smoke().replace(params={**_smoke().params, "learnin_rate": 0.1})
    with pytest.raises(ValueError, match=r"`params\.learnin_rate`=0\.1.*no trainer.*"
                                         r"Did you mean 'learning_rate'\?"):
        exp.validate()


def test_shared_parameter_of_another_method_of_the_profile_is_kept():
    # --methods GSVM-RU keeps the profile's params of the multi-path trainer.
    exp = _smoke("luo2019").with_overrides(methods=["GSVM-RU"])
    exp.validate()


@pytest.mark.parametrize("method,key,value,match", [
    ("ROS", "iterations", 2.5, r"`methods\.ROS\.params\.iterations` must be an integer; "
                               r"received 2\.5 \(float\)"),
    ("ROS", "learning_rate", "1e-3", r"must be a number; received '1e-3' \(str\).*1\.0e-3"),
    ("ROS", "cifar_lr_steps", 4, r"must be a list; received 4"),
    ("ROS", "sampler", 3, r"`methods\.ROS\.params\.sampler` must be a sampler spec"),
    ("ROS", "sampler", {"name": "smote", "k_neighbor": 3},
     r"sampler 'smote' takes no argument 'k_neighbor'\. Did you mean 'k_neighbors'\?"),
    ("ROS", "sampler", "multilabel_hybrid", r"does not take single-label targets"),
])
def test_wrong_type_is_refused(method, key, value, match):
    exp = _with_method_params(_smoke(), method, **{key: value})
    with pytest.raises((TypeError, ValueError), match=match):
        exp.validate()


@pytest.mark.parametrize("key,value,exc,match", [
    ("optimizer", "adma", ValueError,
     r"`methods\.LipNet-4\.params\.optimizer` must be one of \['adam', 'sgd'\]; received "
     r"'adma'\. Did you mean 'adam'\?"),
    ("mode", "crop", ValueError, r"must be one of \['surrounding', 'cropped', 'masked'\]; "
                                 r"received 'crop'\. Did you mean 'cropped'\?"),
    ("mode", 3, TypeError, r"must be one of \['surrounding', 'cropped', 'masked'\]; received 3 "
                           r"\(int\)"),
])
def test_a_value_outside_its_literal_choices_is_refused(key, value, exc, match):
    exp = _with_method_params(_smoke("gryshkevych2016"), "LipNet-4", **{key: value})
    with pytest.raises(exc, match=match):
        exp.validate()
    _with_method_params(_smoke("gryshkevych2016"), "LipNet-4", **{key: {
        "optimizer": "sgd", "mode": "cropped"}[key]}).validate()


def test_a_mapping_of_sampler_specs_is_checked_per_value():
    exp = _with_method_params(_smoke("koziarski2020"), "FS-RUS",
                              feature_samplers={"fs_rus": "rsu"})
    with pytest.raises(ValueError, match=r"`methods\.FS-RUS\.params\.feature_samplers\.fs_rus`="
                                         r"'rsu': Unknown sampler 'rsu'\. Did you mean 'rus'\?"):
        exp.validate()
    _with_method_params(_smoke("koziarski2020"), "FS-RUS",
                        feature_samplers={"fs_rus": {"name": "rus"}}).validate()


def test_int_is_a_float_and_a_sampler_spec_mapping_is_accepted():
    exp = _with_method_params(_smoke(), "ROS", learning_rate=1,
                              sampler={"name": "smote", "k_neighbors": 3})
    exp.validate()


def test_missing_required_parameter_is_refused():
    exp = _smoke("aljoudi2023")
    spec = exp.methods["SELU"]
    exp = exp.replace(methods={"SELU": dataclasses.replace(spec, params={})})
    with pytest.raises(ValueError, match=r"needs the parameter\(s\) \['activation'\]"):
        exp.validate()


def test_unknown_post_processor_parameter_is_refused():
    exp = _smoke()
    spec = exp.methods["thresholding"]
    exp = exp.replace(methods={**exp.methods, "thresholding": dataclasses.replace(
        spec, post_params={"outptu": "default"})})
    with pytest.raises(ValueError, match=r"`methods\.thresholding\.post_params\.outptu`.*"
                                         r"Did you mean 'output'\?"):
        exp.validate()


def test_dataset_parameter_of_the_wrong_type_is_refused():
    exp = _smoke().replace(dataset_params={"size": "big"})
    with pytest.raises(TypeError, match=r"`dataset_params\.size` must be an integer; "
                                        r"received 'big'"):
        exp.validate()


def test_unknown_sampler_fails_on_the_command_line_before_the_directory_exists(tmp_path,
                                                                                capsys):
    from imbkeras.experiments._cli import EXIT_USAGE, main

    out = tmp_path / "x"
    code = main(["reproduce", "buda2018", "--profile", "smoke", "--set",
                 "methods.ROS.params.sampler=ross", "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE
    assert "'ross'" in err and "Did you mean 'ros'?" in err
    assert not out.exists()


def test_listing_a_presets_runs_does_not_load_tensorflow():
    """``imbkeras reproduce PAPER --list`` answers without TensorFlow (presets, the engine,
    ``imbkeras.models`` and ``imbkeras.metrics`` load Keras only when a run trains)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = ("import contextlib, io, sys\n"
            "from imbkeras.experiments import _cli\n"
            "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
            "    assert _cli.main(['reproduce', 'buda2018', '--profile', 'paper', '--list']) == 0\n"
            "assert '3600 runs' in out.getvalue(), out.getvalue()[-200:]\n"
            "import imbkeras.models, imbkeras.metrics\n"
            "assert imbkeras.models.PATH_VARIANTS_3D\n"
            "loaded = sorted(m for m in ('tensorflow', 'keras') if m in sys.modules)\n"
            "assert not loaded, loaded\n")
    root = str(Path(__file__).resolve().parents[2])  # this checkout's imbkeras first
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [root] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])}
    res = subprocess.run([sys.executable, "-c", code + f"assert imbkeras.__file__.startswith("
                          f"{root!r}), imbkeras.__file__\n"], capture_output=True, text=True,
                         timeout=300, cwd=root, env=env)
    assert res.returncode == 0, res.stderr[-2000:]
