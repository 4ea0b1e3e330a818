"""Bad inputs at the data entry points: loaders (real file formats) and simulators.

Each case calls one loader or simulator with one wrong input and asserts the
exception type and a substring of the message (the argument, the file or the
row). Loader cases write tiny files in the real formats into a temporary
folder (PNG via imageio / PIL, TIFF via tifffile, MRC via mrcfile, CSV, NPZ).
Families: intensities, label files and folders, shapes and lengths,
simulators. The positive tests at the end check the one intensity rule
against imageio / scikit-image reads and the writers' round trips.
"""

import os
import warnings

import imageio.v3 as iio
import mrcfile
import numpy as np
import pytest
import skimage.io
import tifffile

import imbkeras as ik

D = ik.datasets
SYN = ik.synthetic
U8 = np.full((4, 4), 100, np.uint8)
DISC = np.zeros((6, 6), bool)
DISC[1:5, 1:5] = True


# -- writers of tiny files in the real formats ----------------------------------------------
def _write(path, arr):
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".tif":
        tifffile.imwrite(path, arr)
    else:
        iio.imwrite(path, arr)
    return path


def _folder(tmp, files):
    """``{"class/name.ext": array}`` under ``tmp/data``."""
    root = tmp / "data"
    for rel, arr in files.items():
        _write(root / rel, arr)
    return root


def _hpa(tmp, rows, plane=U8):
    root = tmp / "hpa"
    (root / "train").mkdir(parents=True)
    (root / "train.csv").write_text("Id,Target\n" + "".join(f"{i},{t}\n" for i, t in rows))
    for i, _ in rows:
        if i:
            for ch in ("red", "green", "blue", "yellow"):
                _write(root / "train" / f"{i}_{ch}.png", plane)
    return root


def _particles(tmp, files=None, img=None, mask=None):
    """``files``: ``{"class/stem": (image, mask)}``; default one class of one particle."""
    img = (DISC * 200).astype(np.uint8) if img is None else img
    mask = DISC.astype(np.uint8) * 255 if mask is None else mask
    files = {"a/0": (img, mask)} if files is None else files
    root = tmp / "p"
    for rel, (im, m) in files.items():
        ext = ".tif" if im.dtype.kind in "fi" and im.dtype != np.uint8 else ".png"
        _write(root / f"{rel}{ext}", im)
        if m is not None:
            _write(root / f"{rel}_mask{ext}", m)
    return root


def _volume(path, data=None, stack=False):
    path.parent.mkdir(parents=True, exist_ok=True)
    with mrcfile.new(path, overwrite=True) as mrc, warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # mrcfile warns about NaN data
        mrc.set_data(np.zeros((4, 4, 4), np.float32) if data is None else data)
        if stack:
            mrc.set_image_stack()
    return path


def _subtomo(tmp, table, files=("a.mrc", "b.mrc")):
    root = tmp / "sub"
    for f in files:
        _volume(root / f)
    (root / "labels.csv").write_text(table)
    return root


def _npz(tmp, **arrays):
    path = tmp / "s.npz"
    np.savez(path, **arrays)
    return path


def _link(target, link):
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, link)
    return link


def _dangling_image_folder(tmp):
    root = _folder(tmp, {"a/0.png": U8})
    _link(tmp / "gone.png", root / "a" / "1.png")
    return root


def _dangling_hpa(tmp):
    root = _hpa(tmp, [("a1", "0")])
    (root / "train" / "a1_blue.png").unlink()
    _link(tmp / "gone.png", root / "train" / "a1_blue.png")
    return root


def _dangling_mrc(tmp):
    root = _subtomo(tmp, "file,label\na.mrc,0\nb.mrc,1\n", files=("a.mrc",))
    _link(tmp / "gone.mrc", root / "b.mrc")
    return root


def _dangling_mask(tmp):
    root = _particles(tmp, {"a/0": (U8[:, :], None)})
    _link(tmp / "gone.png", root / "a" / "0_mask.png")
    return root


def _stack_mrc(tmp):
    return _volume(tmp / "stack.mrc", np.zeros((3, 4, 4), np.float32), stack=True)


def _particle_set(n=2, **changes):
    s = SYN.liposomes(n, class_proportions=(0.5, 0.5, 0.0), diameter=(14.0, 0.1),
                      surrounding=2, seed=0)
    for key, value in changes.items():
        setattr(s, key, value)
    return s


def _bad_image(i, value):
    s = _particle_set()
    s.images = [im.copy() for im in s.images]
    s.images[i][0, 0] = value
    return s


V4 = np.zeros((2, 4, 4, 4), np.float32)

INTENSITY = [
    ("int16 TIFF with a negative pixel", lambda t: D.load_image_folder(_folder(t, {
        "a/0.tif": np.array([[-3, 5], [0, 1]], np.int16)})), ValueError, "negative pixels"),
    ("float TIFF above 1", lambda t: D.load_image_folder(_folder(t, {
        "a/0.tif": np.full((4, 4), 300.0, np.float32)})), ValueError, r"outside \[0, 1\]"),
    ("float TIFF below 0", lambda t: D.load_image_folder(_folder(t, {
        "a/0.tif": np.full((4, 4), -0.5, np.float32)})), ValueError, r"outside \[0, 1\]"),
    ("float TIFF with NaN", lambda t: D.load_image_folder(_folder(t, {
        "a/0.tif": np.array([[0.5, np.nan]], np.float32)})), ValueError, "non-finite"),
    ("float TIFF with inf", lambda t: D.load_image_folder(_folder(t, {
        "a/0.tif": np.array([[0.5, np.inf]], np.float32)})), ValueError, "non-finite"),
    ("complex TIFF", lambda t: D.load_image_folder(_folder(t, {
        "a/0.tif": np.ones((4, 4), np.complex64)})), ValueError, "unsupported pixel dtype"),
    ("scale too small for the data", lambda t: D.load_image_folder(_folder(t, {
        "a/0.png": np.full((4, 4), 200, np.uint8)}), scale=100), ValueError, "`scale`=100"),
    ("scale zero", lambda t: D.load_image_folder(t, scale=0), ValueError, "scale"),
    ("scale negative", lambda t: D.load_image_folder(t, scale=-255), ValueError, "scale"),
    ("scale NaN", lambda t: D.load_hpa(t, scale=float("nan")), ValueError, "scale"),
    ("scale string", lambda t: D.load_image_folder(t, scale="255"), TypeError, "scale"),
    ("channels True", lambda t: D.load_image_folder(t, channels=True), ValueError, "channels"),
    ("channels 3.0", lambda t: D.load_image_folder(t, channels=3.0), ValueError, "channels"),
    ("RGB to channels=4", lambda t: D.load_image_folder(_folder(t, {
        "a/0.png": np.zeros((4, 4, 3), np.uint8)}), channels=4), ValueError, "channels=4"),
    ("HPA float channel above 1 via scale", lambda t: D.load_hpa(
        _hpa(t, [("a1", "0")], np.full((4, 4), 60000, np.uint16)), size=None, scale=255),
     ValueError, "a1_red.png"),
    ("particles int16 negative", lambda t: D.load_particles(_particles(
        t, img=np.full((6, 6), -7, np.int16), mask=DISC.astype(np.int16))), ValueError,
     "negative pixels"),
    ("particles float above 1", lambda t: D.load_particles(_particles(
        t, img=np.full((6, 6), 2.0, np.float32), mask=DISC.astype(np.float32))), ValueError,
     r"outside \[0, 1\]"),
    ("particles scale string", lambda t: D.load_particles(t, scale="max"), TypeError, "scale"),
    ("MRC with NaN", lambda t: D.read_mrc(_volume(t / "v.mrc", np.full((4, 4, 4), np.nan,
                                                                       np.float32))),
     ValueError, "non-finite"),
    ("NPZ x with inf", lambda t: D.load_subtomograms(_npz(t, x=np.full((2, 4, 4, 4), np.inf),
                                                          y=[0, 1])), ValueError, "non-finite"),
]

LABELS = [
    ("HPA duplicate Id", lambda t: D.load_hpa(_hpa(t, [("a1", "0"), ("b2", "1"), ("a1", "2")]),
                                              size=None), ValueError, "'a1' twice: rows 2 and 4"),
    ("HPA empty Id", lambda t: D.load_hpa(_hpa(t, [("a1", "0"), ("", "1")]), size=None),
     ValueError, "row 3: Id"),
    ("HPA Id with a path", lambda t: D.load_hpa(_hpa_path_id(t), size=None), ValueError,
     "row 3: Id 'sub/b2'.*path separator"),
    ("HPA negative target", lambda t: D.load_hpa(_hpa(t, [("a1", "-1")]), size=None),
     ValueError, r"unknown \[-1\]"),
    ("HPA dangling channel link", lambda t: D.load_hpa(_dangling_hpa(t), size=None),
     FileNotFoundError, "'a1' has no blue channel.*dangling"),
    ("CSV file listed twice", lambda t: D.load_subtomograms(_subtomo(
        t, "file,label\na.mrc,0\nb.mrc,1\n./a.mrc,1\n")), ValueError, "'./a.mrc' twice: rows 2"),
    ("CSV label -1", lambda t: D.load_subtomograms(_subtomo(t, "file,label\na.mrc,-1\n")),
     ValueError, "row 2.*label -1 must be >= 0"),
    ("CSV label 0.7", lambda t: D.load_subtomograms(_subtomo(t, "file,label\na.mrc,0.7\n")),
     ValueError, "row 2.*'0.7' must be an integer"),
    ("CSV label missing", lambda t: D.load_subtomograms(_subtomo(t, "file,label\na.mrc,\n")),
     ValueError, "row 2.*must be an integer"),
    ("CSV label not a number", lambda t: D.load_subtomograms(_subtomo(
        t, "file,label\na.mrc,ribosome\n")), ValueError, "'ribosome' must be an integer"),
    ("CSV file missing", lambda t: D.load_subtomograms(_subtomo(
        t, "file,label\na.mrc,0\nc.mrc,1\n")), FileNotFoundError, "row 3 lists 'c.mrc'"),
    ("CSV dangling link", lambda t: D.load_subtomograms(_dangling_mrc(t)), FileNotFoundError,
     "dangling"),
    ("CSV without label column", lambda t: D.load_subtomograms(_subtomo(
        t, "file,class\na.mrc,0\n")),
     ValueError, "columns file,label"),
    ("CSV without rows", lambda t: D.load_subtomograms(_subtomo(t, "file,label\n")), ValueError,
     "lists no volume"),
    ("CSV one label two names", lambda t: D.load_subtomograms(_subtomo(
        t, "file,label,name\na.mrc,0,TRiC\nb.mrc,0,ribosome\n")), ValueError,
     "label 0 is named 'ribosome'"),
    ("CSV one name two labels", lambda t: D.load_subtomograms(_subtomo(
        t, "file,label,name\na.mrc,0,TRiC\nb.mrc,1,TRiC\n")), ValueError, "must differ"),
    ("class list unlike the CSV names", lambda t: D.load_subtomograms(_manifest(_subtomo(
        t, "file,label,name\na.mrc,0,TRiC\n"), "ribosome\nTRiC\n")), ValueError,
     "names label 0 'TRiC', but class list"),
    ("class list too short", lambda t: D.load_subtomograms(_manifest(_subtomo(
        t, "file,label\na.mrc,0\nb.mrc,2\n"), "a\nb\n")), ValueError, "holds label 2"),
    ("NPZ y -1", lambda t: D.load_subtomograms(_npz(t, x=V4, y=[0, -1])), ValueError,
     "non-negative class labels"),
    ("NPZ y 0.7", lambda t: D.load_subtomograms(_npz(t, x=V4, y=[0, 0.7])), ValueError,
     "non-integer value"),
    ("NPZ duplicate class_names", lambda t: D.load_subtomograms(_npz(
        t, x=V4, y=[0, 1], class_names=["a", "a"])), ValueError, "'a' twice"),
    ("NPZ too few class_names", lambda t: D.load_subtomograms(_npz(
        t, x=V4, y=[0, 2], class_names=["a", "b"])), ValueError, "label 2"),
    ("folder duplicate class_names", lambda t: D.load_image_folder(_folder(
        t, {"a/0.png": U8, "b/0.png": U8}), class_names=["a", "b", "a"]), ValueError,
     "'a' twice"),
    ("folder class_names a string", lambda t: D.load_image_folder(_folder(t, {"a/0.png": U8}),
                                                                  class_names="ab"),
     TypeError, "class_names"),
    ("folder class_names a path", lambda t: D.load_image_folder(_folder(t, {"a/0.png": U8}),
                                                                class_names=["a", "../x"]),
     ValueError, "plain folder names"),
    ("folder dangling image link", lambda t: D.load_image_folder(_dangling_image_folder(t)),
     FileNotFoundError, r"1\.png' is a dangling"),
    ("folder extensions a string", lambda t: D.load_image_folder(_folder(t, {"a/0.png": U8}),
                                                                 extensions=".png"),
     TypeError, "extensions"),
    ("particles mask without image", lambda t: D.load_particles(_particles(t, {
        "a/0": (U8, U8), "a/1_mask": (U8, None)})), ValueError, "1_mask.png' has no particle"),
    ("particles dangling mask link", lambda t: D.load_particles(_dangling_mask(t)),
     FileNotFoundError, "dangling"),
    ("particles undeclared empty folder", lambda t: D.load_particles(_mkdir(_particles(t), "z")),
     ValueError, "z' holds no particle image"),
    ("particles duplicate class_names", lambda t: D.load_particles(_particles(t),
                                                                   class_names=["a", "a"]),
     ValueError, "'a' twice"),
    ("particles bad class list file", lambda t: D.load_particles(_manifest(_particles(t),
                                                                          "a\na\n")),
     ValueError, "class_names.txt' is malformed"),
    ("particles mask_suffix empty", lambda t: D.load_particles(t, mask_suffix=""), ValueError,
     "mask_suffix"),
    ("save_particles label out of range", lambda t: SYN.save_particles(
        _particle_set(y=np.array([0, 3])), t / "o"), ValueError, "particles.y"),
    ("save_particles duplicate class names", lambda t: SYN.save_particles(
        _particle_set(class_names=["a", "a", "b"]), t / "o"), ValueError, "'a' twice"),
    ("save_subtomograms too few names", lambda t: SYN.save_subtomograms(
        V4, [0, 2], t / "o", ["a", "b"]), ValueError, "class_names"),
    ("save_subtomograms label 0.5", lambda t: SYN.save_subtomograms(V4, [0, 0.5], t / "o"),
     ValueError, "y"),
]

SHAPES = [
    ("NPZ x and y lengths differ", lambda t: D.load_subtomograms(_npz(t, x=V4, y=[0, 1, 1])),
     ValueError, "same length"),
    ("NPZ 2-D images (n, h, w)", lambda t: D.load_subtomograms(_npz(
        t, x=np.zeros((2, 4, 4)), y=[0, 1])), ValueError, "2-D images are not volumes"),
    ("NPZ 2-D images (n, h, w, 1)", lambda t: D.load_subtomograms(_npz(
        t, x=np.zeros((2, 4, 4, 1)), y=[0, 1])), ValueError, "2-D images are not volumes"),
    ("NPZ 3 channels", lambda t: D.load_subtomograms(_npz(
        t, x=np.zeros((2, 4, 4, 4, 3)), y=[0, 1])), ValueError, r"\(n, d, h, w, 1\)"),
    ("NPZ y 2-D", lambda t: D.load_subtomograms(_npz(t, x=V4, y=[[0], [1]])), ValueError,
     "1-D"),
    ("MRC 2-D image", lambda t: D.read_mrc(_volume(t / "i.mrc", np.zeros((4, 4), np.float32))),
     ValueError, "expected a 3-D volume"),
    ("MRC image stack", lambda t: D.read_mrc(_stack_mrc(t)), ValueError, "stack of 2-D images"),
    ("TIFF z-stack as an image", lambda t: D.load_image_folder(_folder(t, {
        "a/0.tif": np.zeros((6, 5, 5), np.uint8)})), ValueError, "1 to 4 channels"),
    ("particle_inputs lengths", lambda t: D.particle_inputs([DISC * 1.0], [DISC, DISC]),
     ValueError, "same length"),
    ("particle_inputs no image", lambda t: D.particle_inputs([], []), ValueError,
     "at least one"),
    ("particle_inputs RGB image", lambda t: D.particle_inputs([np.zeros((6, 6, 3))], [DISC]),
     ValueError, "must be 2-D gray"),
    ("particle_inputs NaN image", lambda t: D.particle_inputs([np.full((6, 6), np.nan)], [DISC]),
     ValueError, "image 0 holds non-finite"),
    ("particle_inputs a string", lambda t: D.particle_inputs("img", "mask"), TypeError, "images"),
    ("particle mask of another shape", lambda t: D.load_particles(_particles(
        t, mask=np.full((5, 6), 255, np.uint8))), ValueError, "must match their images"),
    ("save_subtomograms 3-D x", lambda t: SYN.save_subtomograms(np.zeros((2, 4, 4)), [0, 1],
                                                                t / "o"), ValueError, "`x`"),
    ("save_subtomograms lengths", lambda t: SYN.save_subtomograms(V4, [0, 1, 1], t / "o"),
     ValueError, "same length"),
    ("save_subtomograms NaN", lambda t: SYN.save_subtomograms(V4 * np.nan, [0, 1], t / "o"),
     ValueError, "finite"),
    ("save_particles mask shape", lambda t: SYN.save_particles(
        _particle_set(masks=[np.ones((3, 3), bool)] * 2), t / "o"), ValueError,
     r"particles.masks\[0\]"),
    ("save_particles image above 1", lambda t: SYN.save_particles(_bad_image(1, 1.5), t / "o"),
     ValueError, r"particles.images\[1\]"),
    ("save_particles image NaN", lambda t: SYN.save_particles(_bad_image(0, np.nan), t / "o"),
     ValueError, r"particles.images\[0\]"),
    ("save_particles masks missing", lambda t: SYN.save_particles(
        _particle_set(masks=[]), t / "o"), ValueError, "same length"),
]

SIMULATORS = [
    ("liposomes noise NaN", lambda t: SYN.liposomes(2, noise=float("nan")), ValueError, "noise"),
    ("liposomes noise inf", lambda t: SYN.liposomes(2, noise=float("inf")), ValueError, "noise"),
    ("liposomes noise string", lambda t: SYN.liposomes(2, noise="0.1"), TypeError, "noise"),
    ("liposomes diameter NaN", lambda t: SYN.liposomes(2, diameter=(float("nan"), .3)),
     ValueError, "diameter"),
    ("liposomes diameter inf", lambda t: SYN.liposomes(2, diameter=(float("inf"), .3)),
     ValueError, "diameter"),
    ("liposomes diameter string", lambda t: SYN.liposomes(2, diameter="ab"), ValueError,
     "diameter"),
    ("liposomes diameter triple", lambda t: SYN.liposomes(2, diameter=(60, .3, 1)), ValueError,
     "diameter"),
    ("liposomes sigma negative", lambda t: SYN.liposomes(2, diameter=(60, -1)), ValueError,
     r"diameter\[1\]"),
    ("liposomes median 1 px", lambda t: SYN.liposomes(2, diameter=(1, .3)), ValueError,
     r"diameter\[0\]"),
    ("liposomes surrounding 2.5", lambda t: SYN.liposomes(2, surrounding=2.5), TypeError,
     "surrounding"),
    ("liposomes n 2.0", lambda t: SYN.liposomes(2.0), TypeError, "`n`"),
    ("liposomes problem a list", lambda t: SYN.liposomes(2, ["lamellarity"]), ValueError,
     "problem"),
    ("liposomes proportions NaN", lambda t: SYN.liposomes(2, class_proportions=(np.nan, .5, .5)),
     ValueError, "class_proportions"),
    ("subtomograms snr NaN", lambda t: SYN.subtomograms(2, size=16, snr=float("nan")),
     ValueError, "snr"),
    ("subtomograms snr inf", lambda t: SYN.subtomograms(2, size=16, snr=float("inf")),
     ValueError, "snr"),
    ("subtomograms snr string", lambda t: SYN.subtomograms(2, size=16, snr="1"), TypeError,
     "snr"),
    ("subtomograms max_shift beyond the box", lambda t: SYN.subtomograms(2, size=16,
                                                                         max_shift=100),
     ValueError, "max_shift"),
    ("subtomograms max_shift NaN", lambda t: SYN.subtomograms(2, size=16,
                                                              max_shift=float("nan")),
     ValueError, "max_shift"),
    ("subtomograms max_shift negative", lambda t: SYN.subtomograms(2, size=16, max_shift=-1),
     ValueError, "max_shift"),
    ("subtomograms tilt strings", lambda t: SYN.subtomograms(2, size=16,
                                                             tilt_range=("-50", "70")),
     TypeError, "tilt_range"),
    ("subtomograms tilt NaN", lambda t: SYN.subtomograms(2, size=16,
                                                         tilt_range=(float("nan"), 70)),
     ValueError, "tilt_range"),
    ("subtomograms tilt one value", lambda t: SYN.subtomograms(2, size=16, tilt_range=(-50,)),
     ValueError, "tilt_range"),
    ("subtomograms clean string", lambda t: SYN.subtomograms(2, size=16, clean="no"),
     TypeError, "clean"),
    ("subtomograms n_jobs 0", lambda t: SYN.subtomograms(2, size=16, n_jobs=0), ValueError,
     "n_jobs"),
    ("subtomograms size 16.0", lambda t: SYN.subtomograms(2, size=16.0), TypeError, "size"),
    ("protein_cells noise inf", lambda t: SYN.protein_cells(2, 32, noise=float("inf")),
     ValueError, "noise"),
    ("protein_cells noise NaN", lambda t: SYN.protein_cells(2, 32, noise=float("nan")),
     ValueError, "noise"),
    ("protein_cells noise string", lambda t: SYN.protein_cells(2, 32, noise="a"), TypeError,
     "noise"),
    ("protein_cells frequencies strings", lambda t: SYN.protein_cells(
        2, 32, label_frequencies=["0.1"] * 28), ValueError, "label_frequencies"),
    ("protein_cells max_labels 1.5", lambda t: SYN.protein_cells(2, 32, max_labels=1.5),
     TypeError, "max_labels"),
    ("draw_labels frequencies NaN", lambda t: SYN.draw_labels(3, 0, [np.nan, .5]), ValueError,
     "frequencies"),
    ("draw_labels frequencies booleans", lambda t: SYN.draw_labels(3, 0, [True, True]),
     ValueError, "frequencies"),
    ("draw_labels max_labels 0", lambda t: SYN.draw_labels(3, 0, max_labels=0), ValueError,
     "max_labels"),
    ("wedge_mask size 0", lambda t: SYN.wedge_mask(0), ValueError, "size"),
    ("save_particles fmt jpg", lambda t: SYN.save_particles(_particle_set(), t, "jpg"),
     ValueError, "fmt"),
    ("save_particles bit_depth 12", lambda t: SYN.save_particles(_particle_set(), t,
                                                                 bit_depth=12),
     ValueError, "bit_depth"),
    ("save_particles not a ParticleSet", lambda t: SYN.save_particles([np.zeros((4, 4))], t),
     TypeError, "particles"),
]


def _hpa_path_id(tmp):
    root = _hpa(tmp, [("a1", "0")])
    (root / "train.csv").write_text("Id,Target\na1,0\nsub/b2,1\n")
    return root


def _mkdir(root, name):
    (root / name).mkdir()
    return root


def _manifest(root, text):
    (root / "class_names.txt").write_text(text)
    return root


FAMILIES = {"intensities": INTENSITY, "label files and folders": LABELS,
            "shapes and lengths": SHAPES, "simulators": SIMULATORS}
CASES = INTENSITY + LABELS + SHAPES + SIMULATORS


@pytest.mark.parametrize("call, exc, match", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_data_input_is_named(tmp_path, call, exc, match):
    with pytest.raises(exc, match=match):
        call(tmp_path)


def test_catalogue_is_large_enough():
    assert len(CASES) >= 35 and all(len(f) >= 5 for f in FAMILIES.values())
    assert len({c[0] for c in CASES}) == len(CASES)


# -- the one intensity rule, checked against imageio / scikit-image reads ------------------
def test_16bit_png_is_raw_over_65535(tmp_path):
    raw = np.array([[0, 1, 1000], [30000, 65534, 65535]], np.uint16)
    root = _folder(tmp_path, {"a/0.png": raw})
    x, y, _ = D.load_image_folder(root)
    np.testing.assert_array_equal(iio.imread(root / "a" / "0.png"), raw)
    np.testing.assert_array_equal(skimage.io.imread(root / "a" / "0.png"), raw)
    np.testing.assert_allclose(x[0, ..., 0], raw / 65535.0, rtol=0, atol=1e-7)
    assert x[0, 0, 1, 0] == np.float32(1 / 65535)  # never divided by 255 or by the image max


@pytest.mark.parametrize("raw, top", [
    (np.array([[0, 1], [1, 0]], np.uint8), 255),  # a very dark 8-bit image stays dark
    (np.array([[0, 7], [40000, 65535]], np.uint16), 65535),
    (np.array([[0, 5], [32767, 100]], np.int16), 32767),
    (np.array([[0, 5], [2 ** 31 - 1, 9]], np.int32), 2 ** 31 - 1),
])
def test_integer_tiffs_and_pngs_are_divided_by_the_dtype_maximum(tmp_path, raw, top):
    ext = "png" if raw.dtype in (np.uint8, np.uint16) else "tif"
    root = _folder(tmp_path, {f"a/0.{ext}": raw})
    stored = iio.imread(root / "a" / f"0.{ext}") if ext == "png" else \
        tifffile.imread(root / "a" / f"0.{ext}")
    assert stored.dtype == raw.dtype
    x = D.load_image_folder(root)[0]
    np.testing.assert_allclose(x[0, ..., 0], raw.astype(np.float64) / top, rtol=1e-6, atol=0)


def test_float_tiffs_are_kept_and_bool_pngs_give_0_1(tmp_path):
    raw = np.array([[0.0, 0.25], [0.5, 1.0]], np.float32)
    root = _folder(tmp_path, {"a/0.tif": raw, "b/0.tif": raw[::-1].copy()})
    x = D.load_image_folder(root)[0]
    np.testing.assert_array_equal(x[0, ..., 0], raw)
    from PIL import Image

    (tmp_path / "bw" / "a").mkdir(parents=True)
    Image.fromarray(np.array([[0, 255], [255, 0]], np.uint8)).convert("1").save(
        tmp_path / "bw" / "a" / "0.png")
    assert skimage.io.imread(tmp_path / "bw" / "a" / "0.png").dtype == bool
    np.testing.assert_array_equal(D.load_image_folder(tmp_path / "bw")[0][0, ..., 0],
                                  [[0, 1], [1, 0]])


def test_scale_divides_12bit_data_and_floats(tmp_path):
    raw = np.array([[0, 4095], [2048, 1]], np.uint16)
    root = _folder(tmp_path, {"a/0.png": raw})
    np.testing.assert_allclose(D.load_image_folder(root, scale=4095)[0][0, ..., 0], raw / 4095,
                               rtol=1e-6)
    np.testing.assert_allclose(D.load_image_folder(root)[0][0, ..., 0], raw / 65535, rtol=1e-6)
    f = _folder(tmp_path / "f", {"a/0.tif": np.array([[0, 300.0]], np.float32)})
    np.testing.assert_allclose(D.load_image_folder(f, scale=300)[0][0, ..., 0], [[0, 1]])


def test_colour_conversions_are_the_documented_ones(tmp_path):
    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[..., 0], rgba[..., 1], rgba[..., 2], rgba[..., 3] = 30, 60, 90, 10
    root = _folder(tmp_path, {"a/0.png": rgba})
    gray = D.load_image_folder(root, channels=1)[0]
    np.testing.assert_allclose(gray[0, ..., 0], 60 / 255, rtol=1e-6)  # mean of R, G, B
    rgb = D.load_image_folder(root, channels=3)[0]
    np.testing.assert_allclose(rgb[0, 0, 0], [30 / 255, 60 / 255, 90 / 255], rtol=1e-6)
    assert D.load_image_folder(root)[0].shape == (1, 2, 2, 4)  # as stored by default


def test_hpa_dark_8bit_and_16bit_channels(tmp_path):
    dark = np.array([[0, 1], [1, 0]], np.uint8)
    x = D.load_hpa(_hpa(tmp_path / "a", [("a1", "0")], dark), size=None)[0]
    np.testing.assert_allclose(x[0, ..., 2], dark / 255.0, rtol=1e-6)  # not 1.0
    deep = np.array([[0, 65535], [300, 40000]], np.uint16)
    x = D.load_hpa(_hpa(tmp_path / "b", [("a1", "0")], deep), size=None)[0]
    np.testing.assert_allclose(x[0, ..., 0], deep / 65535.0, rtol=1e-6)


def test_protein_cells_written_as_16bit_hpa_pngs_read_back_within_half_a_level(tmp_path):
    x, y, _ = SYN.protein_cells(2, 32, seed=0)
    root = tmp_path / "hpa"
    (root / "train").mkdir(parents=True)
    rows = []
    for i in range(len(x)):
        rows.append(f"c{i},{' '.join(str(v) for v in np.flatnonzero(y[i]))}")
        for k, ch in enumerate(("red", "green", "blue", "yellow")):
            iio.imwrite(root / "train" / f"c{i}_{ch}.png",
                        np.round(x[i, ..., k].astype(np.float64) * 65535).astype(np.uint16))
    (root / "train.csv").write_text("Id,Target\n" + "\n".join(rows) + "\n")
    x2, y2, _ = D.load_hpa(root, size=None)
    assert np.array_equal(y2, y)
    assert np.abs(x2 - x).max() <= 0.5 / 65535 + 1e-7


def test_load_particles_reads_rgb_as_the_mean_not_the_red_channel(tmp_path):
    rgb = np.zeros((6, 6, 3), np.uint8)
    rgb[..., 0], rgb[..., 1], rgb[..., 2] = 255, 0, 51
    root = _particles(tmp_path, {"a/0": (rgb, DISC.astype(np.uint8) * 255)})
    x = D.load_particles(root, size=6)[0]
    np.testing.assert_allclose(x[0, ..., 0], 102 / 255, rtol=1e-5)


@pytest.mark.parametrize("fmt, bit_depth", [("png", 16), ("tif", 16), ("png", 8)])
def test_save_particles_round_trip_within_the_format_precision(tmp_path, fmt, bit_depth):
    s = SYN.liposomes(6, class_proportions=(0.5, 0.5, 0.0), diameter=(14.0, 0.2),
                      surrounding=3, seed=1)
    assert np.bincount(s.y, minlength=3)[2] == 0  # a class without any sample
    root = SYN.save_particles(s, tmp_path / "p", fmt, bit_depth=bit_depth)
    half = 0.5 / (2 ** bit_depth - 1)
    raw = (iio.imread if fmt == "png" else tifffile.imread)(
        root / s.class_names[s.y[0]] / f"00000.{fmt}")
    assert raw.dtype == (np.uint16 if bit_depth == 16 else np.uint8)
    assert np.abs(raw / (2 ** bit_depth - 1) - s.images[0]).max() <= half + 1e-7
    x, y, names = D.load_particles(root, "surrounding", 20)  # its own output, empty class too
    assert names == s.class_names
    order = np.argsort(s.y, kind="stable")  # class folders in label order, files by index
    assert np.array_equal(y, s.y[order])
    expected = D.particle_inputs([s.images[i] for i in order], [s.masks[i] for i in order],
                                 "surrounding", 20)
    assert np.abs(x - expected).max() <= half + 1e-6
    np.testing.assert_array_equal(x[..., 1], expected[..., 1])


def test_save_subtomograms_round_trip_is_exact_with_quoted_names(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4, 4, 4, 1)).astype(np.float32)
    root = SYN.save_subtomograms(x, [0, 1, 1], tmp_path / "s", ["26S, double", "TRiC"])
    x2, y2, names = D.load_subtomograms(root)
    np.testing.assert_array_equal(x2, x)
    assert y2.tolist() == [0, 1, 1] and names == ["26S, double", "TRiC"]


def test_subtomogram_class_names_survive_classes_without_volumes(tmp_path):
    x, y, names = SYN.subtomograms(3, size=16, class_proportions=(0.5, 0.5), seed=0)
    y = np.array([0, 0, 0])  # no volume of class 1
    root = SYN.save_subtomograms(x, y, tmp_path / "s", names)
    assert D.load_subtomograms(root)[2] == names


def test_integer_mrc_densities_are_kept_as_stored(tmp_path):
    data = np.arange(-32, 32, dtype=np.int16).reshape(4, 4, 4)
    vol = D.read_mrc(_volume(tmp_path / "v.mrc", data))
    np.testing.assert_array_equal(vol[..., 0], data.astype(np.float32))
