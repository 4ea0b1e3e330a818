"""Multi-path CNN path designs: one per path, the family's names, bad names listed."""

import numpy as np
import pytest

from imbkeras.models import (PATH_VARIANTS_3D, build_path_model, create_model, multipath3d,
                             multipath_path_model, path_variants)


def test_each_path_gets_its_design_and_the_head_pools_each_path():
    m = create_model("multipath3d", input_shape=(16, 16, 16, 1), num_classes=3,
                     path=list(PATH_VARIANTS_3D), pooling="global_avg", width=0.25)
    sizes = [multipath_path_model(m, i).output_shape[1:-1] for i in range(3)]
    assert sizes[0] != sizes[1] != sizes[2]  # 5^3 stem, 3^3 stem, two modules
    assert tuple(m.get_layer("features").output.shape) == (None, 3 * 40)
    assert m.predict(np.zeros((2, 16, 16, 16, 1), "float32"), verbose=0).shape == (2, 3)


def test_width_scales_the_filters_and_the_defaults_stay_inception3d():
    full = build_path_model((20, 20, 20, 1), 0, path="inception3d")
    half = build_path_model((20, 20, 20, 1), 0, path="inception3d", width=0.5)
    assert full.output_shape[-1] == 160 and half.output_shape[-1] == 80
    assert multipath3d((40, 40, 40, 1), 4).count_params() == 13085764


def test_unknown_designs_are_named_with_the_known_ones():
    with pytest.raises(ValueError, match=r"inception3d_k3.*inception3d_deep.*'inception3d_k7'"):
        multipath3d((16, 16, 16, 1), 2, path=["inception3d", "inception3d_k7"],
                    pooling="global_avg")
    with pytest.raises(ValueError, match="one design per path"):
        multipath3d((16, 16, 16, 1), 3, path=["inception3d", "inception3d_k3"])
    with pytest.raises(ValueError, match="global_avg"):
        multipath3d((16, 16, 16, 1), 2, path=["inception3d", "inception3d_k3"], pooling="avg")
    with pytest.raises(ValueError, match="width"):
        build_path_model((16, 16, 16, 1), 0, path="dsrf3d_v2", width=0.5)
    assert set(PATH_VARIANTS_3D) <= set(path_variants(3))
    assert not set(PATH_VARIANTS_3D) & set(path_variants(2))
