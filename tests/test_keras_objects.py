"""A saved model that uses imbkeras' Keras objects loads in a fresh process."""

import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

import imbkeras
from imbkeras.layers import RandomRot90Flip
from imbkeras.losses import FocalLoss
from imbkeras.metrics import MacroF1


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    inputs = keras.Input((4, 4, 1))
    x = RandomRot90Flip(seed=0)(inputs)
    outputs = keras.layers.Dense(3, activation="softmax")(keras.layers.Flatten()(x))
    model = keras.Model(inputs, outputs)
    model.compile("adam", FocalLoss(), metrics=[MacroF1(3)])
    model.fit(np.zeros((6, 4, 4, 1)), keras.utils.to_categorical([0, 1, 2] * 2, 3), verbose=0)
    path = tmp_path_factory.mktemp("saved") / "model.keras"
    model.save(path)
    return path


def _load_in_fresh_process(path, prelude):
    custom = ", custom_objects=objects" if "objects =" in prelude else ""
    code = textwrap.dedent(f"""
        {prelude}
        import keras
        model = keras.models.load_model({str(path)!r}{custom})
        import numpy as np
        logs = model.evaluate(np.zeros((3, 4, 4, 1)), np.eye(3), return_dict=True, verbose=0)
        print(type(model.loss).__name__, sorted(logs))
    """)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)


def test_keras_objects_lets_a_fresh_process_load_the_model(saved):
    # registered by the call, and returned for custom_objects (passed here as well)
    run = _load_in_fresh_process(saved, "import imbkeras; objects = imbkeras.keras_objects()")
    assert run.returncode == 0, run.stderr[-2000:]
    assert "FocalLoss ['loss', 'macro_f1']" in run.stdout


def test_without_it_keras_names_the_missing_class(saved):
    run = _load_in_fresh_process(saved, "import imbkeras")
    assert run.returncode != 0 and "Could not locate class" in run.stderr


def test_every_registered_object_is_returned():
    objects = imbkeras.keras_objects()
    assert objects["imbkeras>MacroF1"] is MacroF1 and objects["imbkeras>FocalLoss"] is FocalLoss
    assert all(name.startswith("imbkeras>") for name in objects)


def test_it_returns_every_object_the_package_registers():
    # In a fresh process: what keras_objects() loads, then what importing every module adds.
    code = textwrap.dedent("""
        import importlib, pkgutil
        import keras, imbkeras
        ours = set(imbkeras.keras_objects())
        for m in pkgutil.walk_packages(imbkeras.__path__, "imbkeras."):
            importlib.import_module(m.name)
        every = {k for k in keras.saving.get_custom_objects() if k.startswith("imbkeras>")}
        print(sorted(every - ours), len(every))
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    missing, n = run.stdout.strip().rsplit(" ", 1)
    assert missing == "[]" and int(n) >= 20
