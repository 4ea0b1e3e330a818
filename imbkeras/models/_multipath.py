"""Multi-path CNN (Luo et al. 2019): one parallel path per class, filter concat.

Layer choices (the paper gives no layer table, only Fig. 2 and the text:
"each path ... inspired from Inception 3D", "all paths will be concatenated",
"enters the new pooling layer through a filter [concat]", "the final
classification result is obtained by softmax through the full connection"):

- **Path** ``path_i`` (a nested ``keras.Model``, one per class by default):
  Inception3D's convolutional part -- conv 32 5^3 valid -> maxpool 2^3 ->
  inception module [1^3 x32 | 1^3 x32 -> 3^3 x64 | 1^3 x16 -> 5^3 x32 |
  maxpool 2^3/1 -> 1^3 x32] = 160 channels (``path="inception3d"``, the
  default); its variants ``"inception3d_k3"`` (3^3 kernels where Inception3D
  has 5^3: finer detail, a smaller receptive field) and ``"inception3d_deep"``
  (a second inception module after a maxpool 2^3: a larger receptive field);
  or DSRF3D-v2's three [2 x conv 3^3, maxpool 2^3] blocks with 32/64/128
  filters (``path="dsrf3d_v2"``). ``path`` takes one design per path, so each
  class gets the design that recognises it best (the paper's "best structure
  to recognize a single type"; :func:`imbkeras.training.select_paths`), and
  ``width`` scales the Inception paths' filters. Every path has its own
  weights.
- **Filter concat**: the path feature maps are concatenated along channels
  (layer ``filter_concat``; 4 x 160 = 640 channels for four paths).
- **Pooling**: ``pooling="avg"`` (default) is Inception3D's average pooling
  2^3 with stride 1 followed by flatten, so one path + this head is exactly an
  Inception3D; ``"global_avg"`` / ``"global_max"`` use global pooling instead
  (far fewer head parameters). The pooled vector is the layer ``features``.
- **Head**: dropout 0.7 -> [optional hidden FC layers ``dense_units``, each
  followed by dropout] -> dense ``num_classes`` softmax.
- **One-vs-rest pretraining** (the paper's "identification of each path"):
  :func:`build_path_classifier` puts the *same* head design with one sigmoid
  unit on a single path. Train each path alone on ``y == i``, then
  :func:`assemble_multipath` joins the trained paths (sharing their weights)
  under a fresh multi-class head, or copy a path's weights into an existing
  multi-path model with ``multipath_path_model(model, i).set_weights(...)`` /
  ``.load_weights(...)``.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence

import keras

from imbkeras.models._designs import PATH_VARIANTS_3D  # noqa: F401 - re-exported
from imbkeras.models._common import (avg_pool_cls, check_activation, check_choice,
                                      check_input_shape, check_int_tuple,
                                      check_output_activation, check_rate,
                                      dense_act, global_pool_cls, min_input_size)
from imbkeras.models._registry import register_model
from imbkeras.models._subtomo import (conv_blocks, conv_blocks_size, inception_stem,
                                      inception_stem_size)

# name -> (feature function, output-size function, rank it is restricted to, options)
_INCEPTION_VARIANTS = {"": {}, "_k3": {"kernel": 3}, "_deep": {"modules": 2}}
_PATH_KINDS: dict[str, tuple[Callable, Callable, int | None, dict]] = {}
for _suffix, _opts in _INCEPTION_VARIANTS.items():
    for _base, _rank in (("inception", None), ("inception3d", 3), ("inception2d", 2)):
        _PATH_KINDS[_base + _suffix] = (inception_stem, inception_stem_size, _rank, _opts)
_PATH_KINDS["vgg"] = (conv_blocks, conv_blocks_size, None, {})
_PATH_KINDS["dsrf3d_v2"] = (conv_blocks, conv_blocks_size, 3, {})
_POOLINGS = ("avg", "global_avg", "global_max")


def path_variants(rank: int | None = None) -> list[str]:
    """Names of the path designs (for ``path=``), all or those valid for ``rank``-D inputs.

    Examples:
        >>> [p for p in path_variants(3) if p.startswith("inception3d")]
        ['inception3d', 'inception3d_k3', 'inception3d_deep']
    """
    return [k for k, v in _PATH_KINDS.items() if rank is None or v[2] in (None, rank)]


def _resolve_path(path, rank: int):
    if not isinstance(path, str) or path not in _PATH_KINDS:
        raise ValueError(f"`path` must be one of the path designs {list(_PATH_KINDS)}; "
                         f"received {path!r}.")
    fn, size_fn, only_rank, opts = _PATH_KINDS[path]
    if only_rank is not None and only_rank != rank:
        raise ValueError(
            f"`path`={path!r} is a {only_rank}D path but the input is {rank}D; use "
            f"one of {', '.join(repr(k) for k in path_variants(rank))}."
        )
    size = (lambda n: size_fn(n, **opts)) if opts else size_fn
    return (lambda x, **kw: fn(x, **opts, **kw)), size


def _check_width(width) -> float:
    if isinstance(width, bool) or not isinstance(width, numbers.Real) or not 0 < width <= 8:
        raise ValueError(f"`width` must be a number in (0, 8] (the filter multiplier of the "
                         f"Inception paths); received {width!r}.")
    return float(width)


def _min_size(size_fn, pooling: str) -> int:
    need = 2 if pooling == "avg" else 1
    return min_input_size(lambda n: size_fn(n) - need + 1)


def _rank_of(input_shape) -> int:
    try:
        rank = len(input_shape) - 1
    except TypeError:
        raise TypeError(
            f"`input_shape` must be a tuple of ints (spatial dims + channels); "
            f"received {input_shape!r}."
        ) from None
    if rank not in (2, 3):
        raise ValueError(
            "`input_shape` must be (height, width, channels) or (depth, height, width, "
            f"channels); received {input_shape!r}."
        )
    return rank


def _check_index(index) -> int:
    if isinstance(index, bool) or not isinstance(index, numbers.Integral) or index < 0:
        raise ValueError(f"`index` must be an int >= 0; received {index!r}.")
    return int(index)


def build_path_model(input_shape, index: int = 0, *, path: str = "inception",
                     pooling: str = "avg", activation: str = "relu",
                     batch_norm: bool = False, width: float = 1.0,
                     name: str | None = None) -> keras.Model:
    """One path of the multi-path CNN: input -> feature maps, named ``path_{index}``.

    Args:
        input_shape: ``(depth, height, width, channels)`` or
            ``(height, width, channels)``.
        index: path number (the class it is meant to recognise).
        path: a path design (:func:`path_variants`): ``"inception"`` /
            ``"inception3d"`` / ``"inception2d"`` (the Inception3D stem),
            their ``_k3`` variants (3^r kernels instead of 5^r) and ``_deep``
            variants (a second inception module after a 2^r max-pool), or
            ``"vgg"`` / ``"dsrf3d_v2"`` (DSRF3D-v2's conv blocks); the
            rank-specific names check the rank.
        pooling: the pooling the head will use (only to compute the minimum
            input size): ``"avg"``, ``"global_avg"`` or ``"global_max"``.
        activation: activation after every convolution.
        batch_norm: batch normalisation after every convolution.
        width: filter multiplier of the Inception designs (1: Inception3D's
            filters; each count at least 4); must be 1 for the others.
        name: model name; default ``f"path_{index}"``.

    Returns:
        A functional ``keras.Model`` mapping the input to feature maps.

    Raises:
        ValueError: for a bad shape (too small: the message says the minimum),
            unknown ``path`` (the known designs are listed) or activation, a
            negative index or a bad ``width``.

    Examples:
        >>> build_path_model((40, 40, 40, 1), 0).output_shape
        (None, 18, 18, 18, 160)
        >>> build_path_model((40, 40, 40, 1), 1, path="inception3d_deep", width=0.5).output_shape
        (None, 9, 9, 9, 80)

    Reference:
        Luo et al. (2019), section III.C and Fig. 2.
    """
    rank = _rank_of(input_shape)
    index = _check_index(index)
    fn, size_fn = _resolve_path(path, rank)
    width = _check_width(width)
    if width != 1.0 and not path.startswith("inception"):
        raise ValueError(f"`width`={width!r} applies to the Inception path designs only; "
                         f"received path={path!r}.")
    check_choice(pooling, "pooling", _POOLINGS)
    shape = check_input_shape(input_shape, rank=rank, min_spatial=_min_size(size_fn, pooling))
    activation = check_activation(activation)
    name = name or f"path_{index}"
    inputs = keras.Input(shape, name=f"{name}_input")
    extra = {"width": width} if path.startswith("inception") else {}
    outputs = fn(inputs, rank=rank, activation=activation, batch_norm=batch_norm, **extra)
    return keras.Model(inputs, outputs, name=name)


def _pool(x, rank: int, pooling: str):
    if pooling == "avg":
        x = avg_pool_cls(rank)(2, strides=1, name="pool")(x)
        return keras.layers.Flatten(name="features")(x)
    kind = "avg" if pooling == "global_avg" else "max"
    return global_pool_cls(rank, kind)(name="features")(x)


def _head(x, num_classes, *, dense_units, dropout, activation, output_activation):
    x = keras.layers.Dropout(dropout, name="dropout")(x)
    for i, units in enumerate(dense_units, start=1):
        x = dense_act(x, units, name=f"fc{i}", activation=activation)
        x = keras.layers.Dropout(dropout, name=f"fc{i}_dropout")(x)
    # Arguments are checked by the callers (a path classifier may have 1 logit).
    return keras.layers.Dense(num_classes, activation=output_activation,
                              name="predictions")(x)


def _find_path_model(obj) -> keras.Model:
    if isinstance(obj, keras.Model):
        if obj.name.startswith("path_") and not any(
                isinstance(layer, keras.Model) for layer in obj.layers):
            return obj
        nested = [layer for layer in obj.layers
                  if isinstance(layer, keras.Model) and layer.name.startswith("path_")]
        if len(nested) == 1:
            return nested[0]
    raise TypeError(
        "each path must be a path model (from `build_path_model`/`multipath_path_model`) "
        "or a path classifier holding one (from `build_path_classifier`); received "
        f"{getattr(obj, 'name', obj)!r}."
    )


def build_path_classifier(input_shape=None, index: int = 0, *, path: str = "inception",
                          path_model: keras.Model | None = None, pooling: str = "avg",
                          dropout: float = 0.7, dense_units=(), activation: str = "relu",
                          batch_norm: bool = False, width: float = 1.0,
                          output_activation: str | None = "sigmoid",
                          name: str | None = None) -> keras.Model:
    """A one-vs-rest binary classifier on one path (Luo's per-path pretraining).

    ``path_i`` -> the multi-path head design (pooling -> ``features`` ->
    dropout -> [FC] -> one sigmoid unit). Train it on ``(x, y == i)`` with a
    binary loss. The path is the nested layer ``path_{index}``; pass
    ``path_model`` (e.g. ``multipath_path_model(model, i)``) to train a path
    of an existing multi-path model in place (weights are shared).

    Args:
        input_shape: input shape, when a new path is built.
        index: path number; the new path is named ``path_{index}``.
        path: path design (see :func:`build_path_model`).
        path_model: an existing path model to wrap instead of building one.
        pooling: ``"avg"`` (Inception3D), ``"global_avg"`` or ``"global_max"``.
        dropout: dropout rate before the output (and after hidden FC layers).
        dense_units: hidden FC widths.
        activation: activation of convolutions and hidden FC layers.
        batch_norm: batch normalisation after every convolution.
        width: filter multiplier of a new Inception path.
        output_activation: ``"sigmoid"`` (one unit, default), ``"softmax"``
            (two units, sparse 0/1 labels) or ``None`` (one logit).
        name: model name; default ``f"path_{index}_classifier"``.

    Returns:
        A functional ``keras.Model`` with output shape ``(None, 1)`` (or
        ``(None, 2)`` for softmax).

    Raises:
        ValueError: for bad shapes or options; TypeError if ``path_model`` is
            not a path model.

    Examples:
        >>> clf = build_path_classifier((40, 40, 40, 1), index=2)
        >>> clf.get_layer("path_2").name, clf.output_shape
        ('path_2', (None, 1))

    Reference:
        Luo et al. (2019), section IV.C ("identification of each path").
    """
    check_choice(pooling, "pooling", _POOLINGS)
    dropout = check_rate(dropout, "dropout")
    dense_units = check_int_tuple(dense_units, "dense_units", allow_empty=True)
    activation = check_activation(activation)
    if path_model is None:
        if input_shape is None:
            raise ValueError("`input_shape` is required when `path_model` is None; received None.")
        path_model = build_path_model(input_shape, index, path=path, pooling=pooling,
                                      activation=activation, batch_norm=batch_norm,
                                      width=width)
    else:
        path_model = _find_path_model(path_model)
    if output_activation == "softmax":
        units = 2
    else:
        check_choice(output_activation, "output_activation", ("sigmoid", None))
        units = 1
    shape = tuple(path_model.input_shape[1:])
    rank = len(shape) - 1
    inputs = keras.Input(shape, name="volume" if rank == 3 else "image")
    x = _pool(path_model(inputs), rank, pooling)
    outputs = _head(x, units, dense_units=dense_units, dropout=dropout,
                    activation=activation, output_activation=output_activation)
    return keras.Model(inputs, outputs, name=name or f"{path_model.name}_classifier")


def multipath_path_model(model: keras.Model, index: int) -> keras.Model:
    """The nested path ``path_{index}`` of a multi-path model (shares its weights).

    Args:
        model: a model from :func:`multipath3d`, :func:`multipath2d`,
            :func:`assemble_multipath` or :func:`build_path_classifier`.
        index: path number.

    Returns:
        The nested ``keras.Model``; training it, or ``set_weights`` /
        ``load_weights`` on it, changes ``model``.

    Raises:
        ValueError: if there is no such path (the message lists the paths).

    Examples:
        >>> m = multipath3d((40, 40, 40, 1), num_classes=4)
        >>> multipath_path_model(m, 3).name
        'path_3'
    """
    index = _check_index(index)
    paths = [layer.name for layer in model.layers
             if isinstance(layer, keras.Model) and layer.name.startswith("path_")]
    if f"path_{index}" not in paths:
        raise ValueError(
            f"`index`={index} names no path of model {model.name!r}; its paths are "
            f"{', '.join(paths) or 'none'}."
        )
    return model.get_layer(f"path_{index}")


def assemble_multipath(paths: Sequence[keras.Model], num_classes: int | None = None, *,
                       pooling: str = "avg", dropout: float = 0.7, dense_units=(),
                       activation: str = "relu",
                       output_activation: str | None = "softmax",
                       name: str = "multipath") -> keras.Model:
    """Join (pretrained) paths into a multi-path CNN: filter concat -> pool -> softmax.

    The paths are reused, not copied: the new model shares their weights, so
    paths trained one at a time with :func:`build_path_classifier` carry
    their weights into it.

    Paths of different designs (feature maps of different sizes) are pooled
    one by one and then concatenated, which equals global pooling of their
    concatenation; ``pooling="avg"`` needs maps of one size.

    Args:
        paths: path models or path classifiers, all with the same input
            shape and distinct names (``path_0``, ``path_1``...).
        num_classes: number of classes; default ``len(paths)``.
        pooling: ``"avg"`` (Inception3D-style 2^r average pooling, stride 1, +
            flatten), ``"global_avg"`` or ``"global_max"``.
        dropout: dropout rate before the output (and after hidden FC layers).
        dense_units: hidden FC widths between pooling and softmax.
        activation: activation of hidden FC layers.
        output_activation: ``"softmax"`` or ``None`` for logits.
        name: model name.

    Returns:
        A functional ``keras.Model``.

    Raises:
        ValueError: for no paths, paths with different input shapes or equal
            names, or bad options. TypeError: for an object that is no path.

    Examples:
        >>> clfs = [build_path_classifier((40, 40, 40, 1), i) for i in range(4)]
        >>> assemble_multipath(clfs).output_shape
        (None, 4)

    Reference:
        Luo et al. (2019), Fig. 2 and section III.D ("filter concat").
    """
    if not isinstance(paths, Sequence) or isinstance(paths, keras.Model) or not paths:
        raise ValueError(f"`paths` must be a non-empty list of path models; received {paths!r}.")
    models = [_find_path_model(p) for p in paths]
    names = [m.name for m in models]
    if len(set(names)) != len(names):
        raise ValueError(f"`paths` must have distinct names; received {names}.")
    shapes = {tuple(m.input_shape[1:]) for m in models}
    if len(shapes) != 1:
        raise ValueError(f"`paths` must share one input shape; received {sorted(shapes)}.")
    shape = shapes.pop()
    rank = len(shape) - 1
    num_classes = len(models) if num_classes is None else num_classes
    check_output_activation(output_activation, num_classes)
    check_choice(pooling, "pooling", _POOLINGS)
    dropout = check_rate(dropout, "dropout")
    dense_units = check_int_tuple(dense_units, "dense_units", allow_empty=True)
    activation = check_activation(activation)
    spatial = models[0].output_shape[1:-1]
    if pooling == "avg" and min(spatial) < 2:
        raise ValueError(
            f"pooling='avg' needs path outputs of at least 2 per side; the paths give "
            f"{spatial} for input {shape}. Use pooling='global_avg' or a larger input."
        )
    sizes = {tuple(m.output_shape[1:-1]) for m in models}
    if len(sizes) > 1 and pooling == "avg":
        raise ValueError(
            f"paths of different designs give feature maps of different sizes {sorted(sizes)}; "
            f"pooling='avg' concatenates the maps themselves, so use pooling='global_avg' or "
            f"'global_max' (each path pooled, then concatenated).")
    inputs = keras.Input(shape, name="volume" if rank == 3 else "image")
    feats = [m(inputs) for m in models]
    if len(sizes) > 1:
        # Global pooling of the concatenated maps = concatenation of each path's pooled map.
        kind = "avg" if pooling == "global_avg" else "max"
        pooled = [global_pool_cls(rank, kind)(name=f"{m.name}_pool")(f)
                  for m, f in zip(models, feats)]
        x = keras.layers.Concatenate(name="features")(pooled)
    else:
        x = keras.layers.Concatenate(name="filter_concat")(feats) if len(feats) > 1 \
            else feats[0]
        x = _pool(x, rank, pooling)
    outputs = _head(x, num_classes, dense_units=dense_units, dropout=dropout,
                    activation=activation, output_activation=output_activation)
    return keras.Model(inputs, outputs, name=name)


def _multipath(rank, input_shape, num_classes, num_paths, path, pooling, dropout,
               dense_units, activation, batch_norm, output_activation, name, width=1.0):
    shape = check_input_shape(input_shape, rank=rank)  # rank check first
    check_output_activation(output_activation, num_classes)
    num_paths = num_classes if num_paths is None else num_paths
    if isinstance(num_paths, bool) or not isinstance(num_paths, numbers.Integral) or num_paths < 1:
        raise ValueError(f"`num_paths` must be an int >= 1 or None; received {num_paths!r}.")
    if isinstance(path, str):
        designs = [path] * num_paths
    elif isinstance(path, Sequence) and len(path) == num_paths:
        designs = list(path)
    else:
        raise ValueError(f"`path` must be one path design or a list of one design per path "
                         f"({num_paths} paths); received {path!r}. Known designs: "
                         f"{path_variants(rank)}.")
    paths = [build_path_model(shape, i, path=d, pooling=pooling, activation=activation,
                              batch_norm=batch_norm,
                              width=width if d.startswith("inception") else 1.0)
             for i, d in enumerate(designs)]
    return assemble_multipath(paths, num_classes, pooling=pooling, dropout=dropout,
                              dense_units=dense_units, activation=activation,
                              output_activation=output_activation, name=name)


@register_model("multipath3d", test_input_shape=(8, 8, 8, 1))
def multipath3d(input_shape=(40, 40, 40, 1), num_classes: int = 4, *,
                num_paths: int | None = None, path: str = "inception3d",
                pooling: str = "avg", dropout: float = 0.7, dense_units=(),
                activation: str = "relu", batch_norm: bool = False,
                output_activation: str | None = "softmax", width: float = 1.0,
                name: str = "multipath3d") -> keras.Model:
    """Luo et al.'s multi-path 3D CNN: one path per class, filter concat, softmax.

    ``num_paths`` parallel paths ``path_0`` ... (nested models; default one per
    class) -> concatenation along channels (``filter_concat``) -> pooling
    (``features``) -> dropout -> dense softmax. See the module docstring for
    the layer choices and :func:`build_path_classifier` /
    :func:`assemble_multipath` for the per-path one-vs-rest pretraining.

    Args:
        input_shape: ``(depth, height, width, channels)``; 40^3 x 1 in the
            paper; at least 7 per side for Inception paths with "avg"
            pooling.
        num_classes: number of classes (>= 2).
        num_paths: number of paths; default ``num_classes`` (the paper also
            tried 2 and 3 paths).
        path: the design of every path, or a list of one design per path
            (Luo's per-class choice): ``"inception3d"`` (default),
            ``"inception3d_k3"``, ``"inception3d_deep"`` or ``"dsrf3d_v2"``
            (see :func:`path_variants`).
        pooling: ``"avg"``, ``"global_avg"`` or ``"global_max"``.
        dropout: dropout rate before the output.
        dense_units: hidden FC widths between pooling and softmax.
        activation: activation of every convolution / hidden FC layer.
        batch_norm: batch normalisation after every convolution.
        output_activation: ``"softmax"`` or ``None`` for logits.
        width: filter multiplier of the Inception paths.
        name: model name.

    Returns:
        A functional ``keras.Model``; 13,085,764 parameters for 40^3 x 1 -> 4
        with four Inception3D paths (4 x 127,120 in the paths, 12,577,284 in
        the output layer on 4 x 786,080 pooled features); 511,044 with
        ``pooling="global_avg"``.

    Raises:
        ValueError: for a too small input (the message gives the minimum), the
            wrong rank, ``num_classes < 2``, bad ``num_paths``/``pooling``, an
            unknown path design (the known ones are listed), a list of designs
            of another length than the paths, or an unknown activation.

    Examples:
        >>> multipath3d((40, 40, 40, 1), 4).count_params()
        13085764
        >>> m = multipath3d((24, 24, 24, 1), 2, pooling="global_avg", width=0.5,
        ...                 path=["inception3d", "inception3d_k3"])
        >>> [p.count_params() for p in m.layers[1:3]]
        [32840, 18728]

    Reference:
        Luo, Zeng, Xu et al. (2019), "Deep learning based imbalanced data
        classification and information retrieval for multiple
        macromolecules in cellular electron cryo-tomograms" (multi-path CNN).
    """
    return _multipath(3, input_shape, num_classes, num_paths, path, pooling, dropout,
                      dense_units, activation, batch_norm, output_activation, name, width)


@register_model("multipath2d", test_input_shape=(8, 8, 1))
def multipath2d(input_shape=(32, 32, 1), num_classes: int = 3, *,
                num_paths: int | None = None, path: str = "inception2d",
                pooling: str = "avg", dropout: float = 0.7, dense_units=(),
                activation: str = "relu", batch_norm: bool = False,
                output_activation: str | None = "softmax", width: float = 1.0,
                name: str = "multipath2d") -> keras.Model:
    """2D sibling of :func:`multipath3d` for images (same design, 2D layers).

    Args:
        input_shape: ``(height, width, channels)``.
        num_classes: number of classes (>= 2).
        num_paths: number of paths; default ``num_classes``.
        path: the design of every path or one per path: ``"inception2d"``
            (default), ``"inception2d_k3"``, ``"inception2d_deep"`` or ``"vgg"``.
        pooling: ``"avg"``, ``"global_avg"`` or ``"global_max"``.
        dropout: dropout rate before the output.
        dense_units: hidden FC widths.
        activation: activation of every convolution / hidden FC layer.
        batch_norm: batch normalisation after every convolution.
        output_activation: ``"softmax"`` or ``None`` for logits.
        width: filter multiplier of the Inception paths.
        name: model name.

    Returns:
        A functional ``keras.Model``; 350,931 parameters for 32x32x1 -> 3.

    Raises:
        ValueError: as :func:`multipath3d`.

    Examples:
        >>> multipath2d((32, 32, 1), 3).count_params()
        350931

    Reference:
        Luo et al. (2019), transposed to 2D.
    """
    return _multipath(2, input_shape, num_classes, num_paths, path, pooling, dropout,
                      dense_units, activation, batch_norm, output_activation, name, width)
