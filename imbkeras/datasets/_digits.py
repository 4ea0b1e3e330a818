"""scikit-learn's bundled handwritten digits as small images (no download)."""

from __future__ import annotations

import numpy as np
import sklearn.datasets
import sklearn.model_selection
import skimage.transform

from imbkeras._validation import check_positive_int, check_same_length


def load_digits(size: int = 28) -> tuple[np.ndarray, np.ndarray]:
    """Load scikit-learn's 1,797 handwritten digits as images.

    The 8x8 originals (grey levels 0-16) are scaled to [0, 1] and resized to
    ``size x size`` with scikit-image (bilinear, ``order=1``), so they fit the
    MNIST networks unchanged.

    Args:
        size: side of the output images, >= 8. 28 matches MNIST / LeNet-5.

    Returns:
        ``(x, y)``: float32 images ``(1797, size, size, 1)`` in [0, 1] and int64
        labels 0-9 (about 180 per class).

    Raises:
        ValueError: if ``size < 8``.

    Examples:
        >>> x, y = load_digits()
        >>> x.shape, x.dtype.name, int(y.max())
        ((1797, 28, 28, 1), 'float32', 9)
    """
    size = check_positive_int(size, "size", minimum=8)
    bunch = sklearn.datasets.load_digits()
    images = bunch.images.astype(np.float64) / 16.0
    if size != 8:
        images = np.stack([
            skimage.transform.resize(im, (size, size), order=1, mode="edge",
                                     anti_aliasing=False)
            for im in images
        ])
    x = np.clip(images, 0.0, 1.0).astype(np.float32)[..., None]
    y = bunch.target.astype(np.int64)
    return x, y


def stratified_split(x, y, test_size: float | int = 0.25, seed: int = 0):
    """Stratified, seeded train/test split, returned as Keras datasets are: pairs.

    scikit-learn's ``train_test_split`` (stratified by ``y``), regrouped as
    ``(x_train, y_train), (x_test, y_test)`` like ``keras.datasets.*.load_data``
    (scikit-learn's own order, ``x_train, x_test, y_train, y_test``, is
    ``sklearn.model_selection.train_test_split(x, y, stratify=y)``).

    Args:
        x: samples, any rank; first axis indexes samples.
        y: 1-D labels used for stratification.
        test_size: fraction in (0, 1) or an absolute count.
        seed: random seed.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``.

    Raises:
        ValueError: if ``len(x) != len(y)`` or ``test_size`` is out of range.

    Examples:
        >>> x, y = load_digits(size=8)
        >>> (xtr, ytr), (xte, yte) = stratified_split(x, y, test_size=0.3, seed=0)
        >>> len(xtr) + len(xte) == len(x)
        True
    """
    check_same_length(x, y)
    if isinstance(test_size, float) and not 0.0 < test_size < 1.0:
        raise ValueError(f"`test_size` must be in (0, 1) when a float; received {test_size!r}.")
    x_tr, x_te, y_tr, y_te = sklearn.model_selection.train_test_split(
        x, y, test_size=test_size, stratify=y, random_state=seed)
    return (x_tr, y_tr), (x_te, y_te)
