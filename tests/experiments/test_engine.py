"""The experiment engine: config, grid, store, runner, resume, concurrency, executors."""

import json
import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
import yaml

import imbkeras as ik
from imbkeras.experiments import Experiment, ResultStore, expand, groups, run_experiment
from imbkeras.experiments._store import Lock

TIMING = ["train_seconds"]


def _stable(df):
    return df.drop(columns=TIMING).reset_index(drop=True)


def _cli(*args, env=None, **kw):
    code = "import sys; from imbkeras.experiments._cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw)


def _env(fixture_dir, **extra):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(fixture_dir), env.get("PYTHONPATH", "")])
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    env.update(extra)
    return env


# -- config -------------------------------------------------------------------

def test_config_roundtrips_through_yaml(tmp_path, blob_config):
    exp = Experiment.from_dict(blob_config())
    path = tmp_path / "c.yaml"
    path.write_text(exp.to_yaml())
    again = Experiment.from_yaml(path)
    assert again == exp
    assert again.validate() is again


@pytest.mark.parametrize("change, match", [
    ({"seedz": [1]}, "Did you mean 'seeds'"),
    ({"datasets": ["nope"]}, "Known: .*digits"),
    ({"methods": {"m": {"trainer": "nope"}}}, "Unknown trainer 'nope'"),
    ({"methods": {"m": {"trainr": "x"}}}, "Did you mean 'trainer'"),
    ({"methods": {}}, "at least one method"),
    ({"cv": {"kind": "stratified_kfold", "folds": 1}}, "cv.folds"),
    ({"cv": {"kind": "kfold"}}, "cv.kind"),
    ({"folds": [5]}, r"folds.*\[0, 1\]"),
    ({"scenarios": [{"kind": "step", "ratio": 0.5, "mu": 0.5}]}, "ratio"),
    ({"scenarios": [{"kind": "step", "ratio": 10}]}, "mu"),
    ({"scenarios": [{"kind": "stepp", "ratio": 10}]}, "kind"),
    ({"scenarios": [{"kind": "linear", "rato": 10}]}, "Did you mean 'ratio'"),
    ({"seeds": [-1]}, "seeds"),
    ({"dataset_params": {"nn": 3}}, "Did you mean 'n'"),
    ({"report": {"hooks": ["nope"]}}, "report hook"),
    ({"imports": ["no_such_module_xyz"]}, "no_such_module_xyz"),
])
def test_bad_configs_are_named(blob_config, change, match):
    with pytest.raises((ValueError, TypeError), match=match):
        Experiment.from_dict(blob_config(**change)).validate()


def test_overrides(blob_config):
    exp = Experiment.from_dict(blob_config())
    o = exp.with_overrides(seeds=[3], methods=["noisy"], ratios=[8], sets=["params.noise=0.5",
                                                                           "cv.folds=3"])
    assert o.seeds == [3] and list(o.methods) == ["noisy"]
    assert o.params["noise"] == 0.5 and o.cv["folds"] == 3
    assert [s.get("ratio") for s in o.expand_scenarios()] == [None, 8]
    with pytest.raises(ValueError, match="Did you mean 'noise'"):
        exp.with_overrides(sets=["params.nois=1"])
    with pytest.raises(ValueError, match="unknown"):
        exp.with_overrides(methods=["magic"])
    with pytest.raises(ValueError, match="iterations"):
        exp.with_overrides(iterations=5)
    with pytest.raises(ValueError, match="no scenario .* `mu`"):
        Experiment.from_dict(blob_config(scenarios=[{"kind": "none"}])).with_overrides(mus=[.5])


def test_preset_config_with_overrides():
    exp = Experiment.from_dict({"preset": "buda2018", "profile": "smoke", "seeds": [4]})
    assert exp.seeds == [4] and "baseline" in exp.methods
    with pytest.raises(ValueError, match="Known: .*buda2018"):
        Experiment.from_dict({"preset": "nopaper"})


# -- grid -----------------------------------------------------------------------

def test_grid_ids_and_shared_trainings(blob_config):
    exp = Experiment.from_dict(blob_config())
    runs = expand(exp)
    assert len(runs) == 3 * 2 * 2 * 4  # scenarios x folds x seeds x methods
    assert runs[0].run_id == "fixture.blobs__none__fold0__seed0__centroid"
    assert runs[6].run_id == "fixture.blobs__none__fold0__seed1__sharp"
    assert len({r.run_id for r in runs}) == len(runs)
    g = groups(runs)
    assert len(g) == 3 * 2 * 2 * 2  # centroid, +thr and sharp share a training
    assert {r.method for r in g[0].runs} == {"centroid", "centroid+thr", "sharp"}
    assert g[0].wanted == {"default", "sharp"}
    # The fingerprint follows the settings; the id does not.
    other = expand(Experiment.from_dict(blob_config(params={"noise": 0.2})))
    assert other[0].run_id == runs[0].run_id and other[0].fingerprint != runs[0].fingerprint


def test_protocol_nested_across_ratio_and_reshuffled_per_fold(blob_config, tmp_path):
    from imbkeras.experiments._grid import prepare
    from imbkeras.experiments._runner import _bundle

    exp = Experiment.from_dict(blob_config(scenarios=[{"kind": "step", "ratio": [2, 4],
                                                       "mu": [0.4]}], seeds=[0]))
    exp.validate()
    runs = [r for r in expand(exp) if r.method == "centroid"]
    bundle = _bundle(exp, "fixture.blobs")
    cache = {}
    data = {(r.scenario["ratio"], r.fold): prepare(bundle, exp, r, cache) for r in runs}
    for fold in (0, 1):
        x2, x4 = data[(2, fold)][0], data[(4, fold)][0]
        rows2 = {a.tobytes() for a in x2}
        assert all(a.tobytes() in rows2 for a in x4)  # nested: ratio 4 within ratio 2
        assert ik.experiments.realised_ratio(data[(4, fold)][1]) == pytest.approx(4, rel=0.1)
    minority = [np.argmin(np.bincount(data[(4, f)][1])) for f in (0, 1)]
    tests = [set(map(bytes, data[(2, f)][2].reshape(len(data[(2, f)][2]), -1))) for f in (0, 1)]
    assert not tests[0] & tests[1]  # disjoint test folds
    assert len(minority) == 2


def test_imbalanced_subsets_take_a_named_seed_child_and_old_draws_are_not_resumed(blob_config):
    from imbkeras import protocols
    from imbkeras._validation import child_seed
    from imbkeras.experiments._grid import SUBSET_SEED, protocol_indices

    y = np.repeat([0, 1, 2], 50)
    scen = {"kind": "step", "ratio": 5, "mu": 0.34}
    for fold in (0, 1):
        want = protocols.imbalance_indices(y, "step", 5, 0.34, max_per_class=None,
                                           seed=child_seed(3, "imbalance", fold))
        np.testing.assert_array_equal(protocol_indices(y, scen, {}, 3, fold), want)
    # Runs on an imbalanced subset carry the seeding in their fingerprints (the current and
    # the legacy one), so results drawn with `seed + 1000 * fold` are never taken as done.
    exp = Experiment.from_dict(blob_config(scenarios=[{"kind": "none"}, scen], seeds=[0]))
    runs = expand(exp)
    plain = [r for r in runs if r.scenario["kind"] == "none"]
    imb = [r for r in runs if r.scenario["kind"] == "step"]
    assert plain and imb and SUBSET_SEED.startswith("child_seed")
    from imbkeras.experiments._grid import _dumps, _norm, _sha

    r = imb[0]
    without = {"dataset": r.dataset, **_norm({"dataset_params": exp.dataset_params,
                                              "cv": exp.cv, "protocol": exp.protocol})[0],
               "scenario": _norm(r.scenario)[0], "fold": r.fold, "seed": r.seed,
               "trainer": r.spec.trainer, "params": _norm(r.params)[0]}
    assert _sha(_dumps(without)) != r.training_key
    assert _sha(_dumps({**without, "subset_seed": SUBSET_SEED})) == r.training_key


# -- store ------------------------------------------------------------------------

def test_lock_is_exclusive_and_stale_locks_are_broken(tmp_path):
    a, b = Lock(tmp_path / "k.lock"), Lock(tmp_path / "k.lock")
    assert a.acquire() and not b.acquire()
    a.release()
    assert b.acquire()
    b.release()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / "k.lock").write_text(json.dumps({"pid": dead.pid, "host": os.uname().nodename,
                                                 "time": 0}))
    assert a.acquire()  # the owner is dead: stale
    a.release()


# -- running ----------------------------------------------------------------------

def test_run_writes_store_table_and_report(tmp_path, blob_config):
    exp = Experiment.from_dict(blob_config(seeds=[0]))
    df = run_experiment(exp, tmp_path, progress=False)
    st = df.attrs["status"]
    assert (st.done, st.failed, st.total) == (24, 0, 24)
    assert len(df) == 24 and df["run_id"].is_unique
    for col in ("dataset", "kind", "ratio", "mu", "fold", "seed", "method", "n_train",
                "realised_ratio", "avacc", "cba", "mavg", "macro_f1", "n_centroids"):
        assert col in df.columns
    step = df[df["kind"] == "step"]
    assert np.allclose(step["realised_ratio"], step["ratio"], rtol=0.1)
    store = ResultStore(tmp_path)
    res = store.result(df["run_id"][0])
    assert {"config", "metrics", "timings", "versions", "per_class"} <= set(res)
    assert res["versions"]["imbkeras"] == ik.__version__
    pred = store.predictions(df["run_id"][0])
    assert pred["y_prob"].shape == (len(pred["y_true"]), 3)
    # Thresholding divides by the training priors: differs from the plain output on step runs.
    a = store.predictions(step[step.method == "centroid"]["run_id"].iloc[0])["y_prob"]
    b = store.predictions(step[step.method == "centroid+thr"]["run_id"].iloc[0])["y_prob"]
    assert not np.allclose(a, b)
    assert len(store.tables("centroids")) == 24 * 3
    rep = ik.experiments.build_report(tmp_path)
    assert "Average ranks" in rep["markdown"] and "Friedman" in rep["markdown"]
    for name in ("report.md", "ranks.csv", "confusion.png", "per_class_recall.png", "ranks.png",
                 "avacc_vs_ratio.png", "table_accuracy.csv"):
        assert (tmp_path / name).stat().st_size > 100, name
    # A rerun skips everything and gives the same table.
    again = run_experiment(exp, tmp_path, progress=False)
    assert again.attrs["status"].skipped == 24 and again.attrs["status"].done == 0
    pd.testing.assert_frame_equal(_stable(again), _stable(df))


def test_failed_runs_are_recorded_and_the_grid_goes_on(tmp_path, blob_config, capsys):
    cfg = blob_config(seeds=[0], folds=[0], scenarios=[{"kind": "none"}],
                      methods={"ok": {"trainer": "fixture.centroid"},
                               "bad": {"trainer": "fixture.centroid", "params": {"fail": True}}})
    df = run_experiment(Experiment.from_dict(cfg), tmp_path, progress=False)
    assert list(df["method"]) == ["ok"] and df.attrs["status"].failed == 1
    err = json.loads((tmp_path / "runs" / "fixture.blobs__none__fold0__seed0__bad" /
                      "error.json").read_text())
    assert "asked to fail" in err["traceback"]
    assert "bad" in (tmp_path / "failed.csv").read_text()
    # Through the CLI the exit status is the number of failed runs.
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    from imbkeras.experiments._cli import main

    assert main(["run", str(path), "--out", str(tmp_path), "--no-progress"]) == 1


def test_infeasible_scenarios_are_skipped_with_a_message(tmp_path, blob_config):
    cfg = blob_config(seeds=[0], folds=[0], methods={"c": {"trainer": "fixture.centroid"}},
                      scenarios=[{"kind": "step", "ratio": [2, 1000], "mu": [0.4]}])
    df = run_experiment(Experiment.from_dict(cfg), tmp_path, progress=False)
    assert list(df["ratio"]) == [2] and df.attrs["status"].infeasible == 1


def test_a_directory_of_another_config_is_refused(tmp_path, blob_config):
    cfg = blob_config(seeds=[0], folds=[0], scenarios=[{"kind": "none"}])
    run_experiment(Experiment.from_dict(cfg), tmp_path, progress=False)
    before = (tmp_path / "results.csv").read_bytes()
    other = Experiment.from_dict(blob_config(seeds=[0], folds=[0], scenarios=[{"kind": "none"}],
                                             params={"noise": 0.3, "sleep": 0.0}))
    with pytest.raises(ValueError, match="different configuration"):
        run_experiment(other, tmp_path, progress=False)
    assert (tmp_path / "results.csv").read_bytes() == before
    df = run_experiment(other, tmp_path, force=True, progress=False)
    assert df.attrs["status"].done == 4


def test_cli_checks_everything_before_touching_the_directory(tmp_path, blob_config, capsys):
    from imbkeras.experiments._cli import main

    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml.safe_dump(blob_config(seeds=[0], folds=[0], scenarios=[{"kind": "none"}]), sort_keys=False))
    out = tmp_path / "out"
    assert main(["run", str(cfg), "--out", str(out), "--set", "params.nosie=1"]) == 2
    assert "Did you mean 'noise'" in capsys.readouterr().err and not out.exists()
    assert main(["run", str(cfg), "--out", str(out), "--folds", "7"]) == 2
    assert not out.exists()
    assert main(["run", str(tmp_path / "missing.yaml")]) == 2
    assert main(["run", str(cfg), "--out", str(out), "--list"]) == 0
    assert "4 runs, 2 trainings" in capsys.readouterr().out and not out.exists()
    assert main(["run", str(cfg), "--out", str(out), "--no-progress"]) == 0
    table = (out / "results.csv").read_bytes()
    assert main(["run", str(cfg), "--out", str(out), "--methods", "nope"]) == 2
    assert main(["reproduce", "buda2018", "--out", str(out), "--profile", "nope"]) == 2
    assert (out / "results.csv").read_bytes() == table
    assert main(["report", str(tmp_path / "nothing")]) == 2
    with pytest.raises(SystemExit):
        main(["reproduce", "nopaper"])


def test_kill_and_resume_gives_the_uninterrupted_table(tmp_path, blob_config, fixture_dir):
    """SIGKILL `imbkeras run` at random points, rerun: same table, no run lost or repeated."""
    cfg = blob_config(params={"sleep": 0.15, "noise": 0.1})
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    reference = run_experiment(Experiment.from_dict(cfg), tmp_path / "ref", progress=False)
    out = tmp_path / "killed"
    rng = np.random.default_rng(0)
    kills = 0
    for delay in rng.uniform(3.5, 9.0, size=3):
        proc = _cli("run", str(path), "--out", str(out), "--no-progress", env=_env(fixture_dir))
        time.sleep(delay)
        if proc.poll() is None:
            proc.kill()
            kills += 1
        proc.wait()
    proc = _cli("run", str(path), "--out", str(out), "--no-progress", env=_env(fixture_dir))
    assert proc.wait(timeout=300) == 0, proc.stdout.read().decode()
    final = pd.read_csv(out / "results.csv")
    assert kills >= 1
    assert final["run_id"].is_unique and len(final) == len(reference) == 48
    ref = pd.read_csv(tmp_path / "ref" / "results.csv")
    pd.testing.assert_frame_equal(_stable(final), _stable(ref))


def test_two_concurrent_runners_share_the_grid(tmp_path, blob_config, fixture_dir):
    cfg = blob_config(params={"sleep": 0.2, "noise": 0.1}, seeds=[0])
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    log = tmp_path / "trainings.log"
    env = _env(fixture_dir, IMBK_TRAIN_LOG=str(log))
    procs = [_cli("run", str(path), "--out", str(tmp_path / "out"), "--no-progress", env=env)
             for _ in range(2)]
    for p in procs:
        assert p.wait(timeout=300) == 0, p.stdout.read().decode()
    starts = [line.split()[2] for line in log.read_text().splitlines() if line.startswith("start")]
    assert len(starts) == len(set(starts)) == 12  # every training once, none twice
    assert len({line.split()[1] for line in log.read_text().splitlines()}) >= 1
    df = pd.read_csv(tmp_path / "out" / "results.csv")
    assert len(df) == 24 and df["run_id"].is_unique


def test_processes_executor_matches_local(tmp_path, blob_config, fixture_dir, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(fixture_dir),
                                                      os.environ.get("PYTHONPATH", "")]))
    cfg = blob_config(seeds=[0], folds=[0], scenarios=[{"kind": "none"},
                                                       {"kind": "step", "ratio": 2, "mu": 0.4}])
    local = run_experiment(Experiment.from_dict(cfg), tmp_path / "a", progress=False)
    procs = run_experiment(Experiment.from_dict(cfg), tmp_path / "b", executor="processes",
                           workers=2, progress=False)
    pd.testing.assert_frame_equal(_stable(local), _stable(procs))


def test_ray_executor_matches_sequential(tmp_path, blob_config, fixture_dir, monkeypatch):
    ray = pytest.importorskip("ray")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(fixture_dir),
                                                      os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    cfg = blob_config(seeds=[0], folds=[0], scenarios=[{"kind": "none"}])  # 4 runs
    local = run_experiment(Experiment.from_dict(cfg), tmp_path / "a", progress=False)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        distributed = run_experiment(Experiment.from_dict(cfg), tmp_path / "b", executor="ray",
                                     cpus_per_run=1, progress=False)
    finally:
        ray.shutdown()
    assert len(distributed) == 4
    pd.testing.assert_frame_equal(_stable(local), _stable(distributed))


def test_mirrored_strategy_on_two_logical_cpus(tmp_path):
    script = f"""
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import imbkeras as ik
exp = ik.experiments.get_preset("buda2018").profile("smoke").with_overrides(methods=["baseline"])
df = ik.experiments.run_experiment(exp, {str(tmp_path)!r}, strategy="mirrored", progress=False)
print("REPLICAS", tf.distribute.MirroredStrategy(
    devices=[d.name for d in tf.config.list_logical_devices("CPU")]).num_replicas_in_sync)
print("ROWS", len(df), df.attrs["status"].failed)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=300, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert "REPLICAS 2" in out.stdout and "ROWS 1 0" in out.stdout, out.stdout + out.stderr


def test_file_sources_stay_on_disk_through_folds(tmp_path, blob_config):
    from imbkeras.experiments._grid import prepare
    from imbkeras.experiments._registry import DataBundle
    from imbkeras.pipeline import FileSource

    y = np.arange(12) % 2
    paths = []
    for i in range(12):
        paths.append(tmp_path / f"{i}.npy")
        np.save(paths[-1], np.full((2, 2, 1), i, "float32"))
    bundle = DataBundle(FileSource(paths, np.load), y)
    exp = Experiment.from_dict(blob_config(scenarios=[{"kind": "none"}], seeds=[0]))
    run = expand(exp)[0]
    x_tr, y_tr, x_te, y_te = prepare(bundle, exp, run, {})
    assert isinstance(x_tr, FileSource) and isinstance(x_te, FileSource)
    assert len(x_tr) + len(x_te) == 12
    assert x_tr[np.arange(len(x_tr))][:, 0, 0, 0].tolist() == [
        float(p.split("/")[-1][:-4]) for p in x_tr.paths]


# -- data integrity of the store ------------------------------------------------------

def _small(blob_config, **changes):
    base = dict(seeds=[0], folds=[0], scenarios=[{"kind": "none"}],
                methods={"c": {"trainer": "fixture.centroid"},
                         "c+thr": {"trainer": "fixture.centroid", "post": "prior_correction"}})
    base.update(changes)
    return blob_config(**base)


def _snapshot(root):
    """Bytes of results.csv, experiment.yaml and every result.json under ``root``."""
    files = [root / "results.csv", root / "experiment.yaml",
             *sorted(root.glob("runs/*/result.json"))]
    return {str(p.relative_to(root)): p.read_bytes() for p in files if p.is_file()}


def test_a_changed_config_with_other_seeds_is_refused_and_the_first_stays_intact(
        tmp_path, blob_config):
    """Config A, then config B (other params, other seeds) into the same directory."""
    a = Experiment.from_dict(_small(blob_config, params={"sleep": 0.0, "noise": 0.1}))
    run_experiment(a, tmp_path, progress=False)
    before = _snapshot(tmp_path)
    assert len([k for k in before if k.endswith("result.json")]) == 2
    b = a.with_overrides(seeds=[1], sets=["params.noise=0.5"])  # no run id in common with A
    with pytest.raises(ValueError, match=r"different configuration: params\.noise: 0\.5 here, "
                                         r"0\.1 in the directory.*new directory.*--force"):
        run_experiment(b, tmp_path, progress=False)
    assert _snapshot(tmp_path) == before
    # The same through the CLI: exit status 2, nothing written.
    path = tmp_path.parent / f"{tmp_path.name}_b.yaml"
    path.write_text(b.to_yaml())
    from imbkeras.experiments._cli import main

    assert main(["run", str(path), "--out", str(tmp_path), "--no-progress"]) == 2
    assert _snapshot(tmp_path) == before
    # A method's own settings count too.
    c = a.with_overrides(sets=["methods.c+thr.post=null"])
    with pytest.raises(ValueError, match=r"methods\.c\+thr\.post"):
        run_experiment(c, tmp_path, progress=False)
    assert _snapshot(tmp_path) == before
    # --force replaces: only B's runs remain, none of A's.
    df = run_experiment(b, tmp_path, force=True, progress=False)
    assert set(df["seed"]) == {1} and len(df) == 2
    assert set(pd.read_csv(tmp_path / "results.csv")["seed"]) == {1}
    assert len(list(tmp_path.glob("runs/*/result.json"))) == 2


def test_the_same_config_extends_and_resumes(tmp_path, blob_config):
    a = Experiment.from_dict(_small(blob_config))
    run_experiment(a, tmp_path, progress=False)
    more = run_experiment(a.with_overrides(seeds=[0, 1]), tmp_path, progress=False)
    assert more.attrs["status"].skipped == 2 and more.attrs["status"].done == 2
    # A subset of the methods, then all of them again: nothing is redone.
    sub = run_experiment(a.with_overrides(seeds=[0, 1], methods=["c"]), tmp_path,
                         progress=False)
    assert sub.attrs["status"].skipped == 2
    again = run_experiment(a.with_overrides(seeds=[0, 1]), tmp_path, progress=False)
    assert again.attrs["status"].skipped == 4 and again.attrs["status"].done == 0


def test_ratios_override_matches_the_config_it_came_from(tmp_path, blob_config):
    """``--ratios 2`` (a float on the command line) is the run of ``ratio: [2]``."""
    a = Experiment.from_dict(_small(blob_config, scenarios=[{"kind": "step", "ratio": [2],
                                                             "mu": [0.4]}]))
    run_experiment(a, tmp_path, progress=False)
    b = a.with_overrides(ratios=[2.0])
    assert [r.fingerprint for r in expand(b)] == [r.fingerprint for r in expand(a)]
    st = run_experiment(b, tmp_path, progress=False).attrs["status"]
    assert (st.skipped, st.done) == (2, 0)


def test_number_normalisation_keeps_fingerprints_of_int_configs(blob_config):
    from imbkeras.experiments._grid import _digest, _legacy_digest

    cfg = {"scenario": {"kind": "step", "ratio": 10, "mu": 0.5}, "params": {"epochs": 3},
           "seed": 0, "flag": True}
    assert _digest(cfg) == _legacy_digest(cfg)
    floats = {**cfg, "scenario": {"kind": "step", "ratio": 10.0, "mu": 0.5}}
    assert _digest(floats) == _digest(cfg) and _legacy_digest(floats) != _digest(cfg)
    assert _digest({"x": True}) != _digest({"x": 1})
    # A run stored by the previous release (whole floats hashed as written) is still done.
    exp = Experiment.from_dict(_small(blob_config, params={"noise": 0.1, "temperature": 10.0}))
    run = expand(exp)[0]
    assert run.legacy_fingerprint and run.legacy_fingerprint in run.fingerprints


def test_a_foreign_results_csv_is_never_overwritten(tmp_path, blob_config):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "results.csv").write_text("subject,score\nalice,3\n")
    exp = Experiment.from_dict(_small(blob_config))
    for force in (False, True):
        with pytest.raises(ValueError, match=r"not an imbkeras experiment directory.*"
                                             r"results\.csv"):
            run_experiment(exp, out, force=force, progress=False)
    assert (out / "results.csv").read_text() == "subject,score\nalice,3\n"
    assert sorted(p.name for p in out.iterdir()) == ["results.csv"]
    # Hidden files alone do not make a directory foreign.
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / ".gitkeep").write_text("")
    assert len(run_experiment(exp, empty, progress=False)) == 2


def test_report_after_a_killed_force_rerun_reports_only_complete_runs(tmp_path, blob_config):
    exp = Experiment.from_dict(_small(blob_config, seeds=[0, 1]))
    run_experiment(exp, tmp_path, progress=False)
    listed = pd.read_csv(tmp_path / "results.csv")
    assert len(listed) == 4
    # A --force rerun killed after it removed two result.json files.
    gone = list(listed["run_id"][:2])
    for rid in gone:
        (tmp_path / "runs" / rid / "result.json").unlink()
    with pytest.warns(UserWarning, match="2 run\\(s\\) with no result.json"):
        df = ResultStore(tmp_path).table()
    assert sorted(df["run_id"]) == sorted(listed["run_id"][2:])
    with pytest.warns(UserWarning, match="disagreed"):
        rep = ik.experiments.build_report(tmp_path)
    assert "2 runs;" in rep["markdown"] and "no result.json" in rep["markdown"]
    assert "no result.json" in (tmp_path / "report.md").read_text()
    assert sorted(pd.read_csv(tmp_path / "results.csv")["run_id"]) == sorted(df["run_id"])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # repaired: no warning any more
        assert len(ResultStore(tmp_path).table()) == 2
    # The rerun redoes the missing runs.
    st = run_experiment(exp, tmp_path, progress=False).attrs["status"]
    assert (st.done, st.skipped) == (2, 2)


def test_a_lagging_results_csv_is_completed_from_runs(tmp_path, blob_config):
    """Killed before the table was rebuilt: 3 complete runs, 2 rows."""
    exp = Experiment.from_dict(_small(blob_config, methods={
        "a": {"trainer": "fixture.centroid"}, "b": {"trainer": "fixture.centroid",
                                                   "post": "prior_correction"},
        "c": {"trainer": "fixture.centroid", "output": "sharp"}}))
    run_experiment(exp, tmp_path, progress=False)
    full = pd.read_csv(tmp_path / "results.csv")
    full.iloc[:2].to_csv(tmp_path / "results.csv", index=False)
    with pytest.warns(UserWarning, match="1 completed run\\(s\\) were missing"):
        df = ResultStore(tmp_path).table()
    assert list(df["run_id"]) == list(full["run_id"])  # the listed order is kept
    (tmp_path / "results.csv").unlink()
    with pytest.warns(UserWarning, match="results.csv is missing"):
        assert len(ResultStore(tmp_path).table()) == 3


def test_results_csv_is_rebuilt_after_every_training(tmp_path, blob_config, monkeypatch):
    calls = []
    original = ResultStore.rebuild_table

    def counting(self, order=None):
        df = original(self, order)
        calls.append(len(df))
        return df

    monkeypatch.setattr(ResultStore, "rebuild_table", counting)
    exp = Experiment.from_dict(_small(blob_config, seeds=[0, 1, 2]))
    run_experiment(exp, tmp_path, progress=False)
    # three trainings (one per seed; c and c+thr share one), then the final rebuild
    assert calls == [2, 4, 6, 6]


def test_an_empty_lock_file_of_any_age_never_blocks_a_runner(tmp_path, blob_config, monkeypatch):
    lock_path = tmp_path / "k.lock"
    lock_path.write_text("")
    now = time.time()
    a = Lock(lock_path, unreadable_timeout=0.6)
    assert not a.acquire()  # being written right now, perhaps: wait
    time.sleep(0.7)
    assert a.is_stale_or_free() and Lock(lock_path, unreadable_timeout=0.6).acquire()
    for mtime in (now + 3600, now - 2, now - 10 ** 6):  # future, fresh, ancient
        lock_path.unlink(missing_ok=True)
        lock_path.write_text("{garbled")
        os.utime(lock_path, (mtime, mtime))
        t0 = time.time()
        while not Lock(lock_path, unreadable_timeout=0.6).acquire():
            assert time.time() - t0 < 5, f"blocked on a lock of mtime {mtime - now:+.0f}s"
            time.sleep(0.05)
    # A pid that is not a positive integer is unreadable too (os.kill(-1, 0) must never run).
    lock_path.unlink()
    lock_path.write_text(json.dumps({"pid": -1, "host": os.uname().nodename}))
    assert Lock(lock_path).owner() is None
    # The runner: an empty lock on every training, never released by anyone.
    monkeypatch.setattr(Lock, "UNREADABLE_TIMEOUT", 1.0)
    exp = Experiment.from_dict(_small(blob_config, seeds=[0, 1]))
    for r in expand(exp):
        p = tmp_path / "out" / "locks" / f"{r.training_key}.lock"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("")
        os.utime(p, (now + 3600, now + 3600))
    (tmp_path / "out" / "experiment.yaml").write_text(exp.to_yaml())
    t0 = time.time()
    df = run_experiment(exp, tmp_path / "out", progress=False)
    assert len(df) == 4 and time.time() - t0 < 30


def test_duplicate_yaml_keys_are_refused_with_their_lines(tmp_path, blob_config, capsys):
    from imbkeras.experiments._cli import main

    text = yaml.safe_dump(_small(blob_config), sort_keys=False) + "seeds: [5]\n"
    path = tmp_path / "dup.yaml"
    path.write_text(text)
    with pytest.raises(ValueError, match=r"key 'seeds' defined twice \(line \d+ and line \d+\)"):
        Experiment.from_yaml(path)
    assert main(["run", str(path), "--out", str(tmp_path / "o")]) == 2
    assert "defined twice" in capsys.readouterr().err and not (tmp_path / "o").exists()


@pytest.mark.parametrize("value", ["0", "-5", "2.7", "abc", "true"])
def test_cli_refuses_bad_iterations_before_writing(tmp_path, blob_config, capsys, value):
    from imbkeras.experiments._cli import main

    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(_small(blob_config, params={"noise": 0.1, "iterations": 3}),
                                   sort_keys=False))
    out = tmp_path / "o"
    assert main(["run", str(path), "--out", str(out), "--set", f"params.iterations={value}"]) == 2
    assert "params.iterations" in capsys.readouterr().err and not out.exists()


def test_cli_run_validates_and_expands_the_grid_once_before_training(tmp_path, blob_config,
                                                                     monkeypatch):
    """The command line leaves validation to run_experiment, which passes its runs on to the
    store check: one validate() and one expand() before the first training."""
    from imbkeras.experiments import _runner
    from imbkeras.experiments._cli import main

    calls = {"validate": 0, "expand": 0}
    validate, expand = Experiment.validate, _runner.expand

    def counting_validate(self):
        calls["validate"] += 1
        return validate(self)

    def counting_expand(exp):
        calls["expand"] += 1
        return expand(exp)

    monkeypatch.setattr(Experiment, "validate", counting_validate)
    monkeypatch.setattr(_runner, "expand", counting_expand)
    monkeypatch.setattr(_runner, "_dispatch", lambda *a, **k: iter(()))  # no training
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(_small(blob_config), sort_keys=False))
    assert main(["run", str(path), "--out", str(tmp_path / "o"), "--no-progress"]) == 0
    assert calls == {"validate": 1, "expand": 1}
