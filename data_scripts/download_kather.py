"""Download and prepare the Kather 2016 colorectal cancer texture tiles (Koziarski 2020).

8 classes x 625 tiles of 150 x 150 px (RGB TIF): 01_TUMOR, 02_STROMA,
03_COMPLEX, 04_LYMPHO, 05_DEBRIS, 06_MUCOSA, 07_ADIPOSE, 08_EMPTY, from the
Zenodo record 53169 (Kather et al. 2016, "Multi-class texture analysis in
colorectal cancer histology", Scientific Reports 6).

Usage::

    python data_scripts/download_kather.py ~/.imbkeras/kather
    python data_scripts/download_kather.py ~/.imbkeras/kather --zip PATH  # offline, a zip you have
    python data_scripts/download_kather.py --mobilenet-weights  # the ImageNet weights the paper uses
    export IMBKERAS_KATHER_DIR=~/.imbkeras/kather
    imbkeras reproduce koziarski2020 --profile paper

The archive is downloaded with resume (an interrupted download continues
where it stopped), checked against the MD5 that Zenodo publishes for it (or
``--md5``), unpacked, and the result is checked: 8 class folders of 625
readable 150 x 150 x 3 tiles. Only the Python standard library is needed for
the download; the final check imports imbkeras.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import urllib.request
import zipfile
from pathlib import Path

RECORD = "https://zenodo.org/api/records/53169"
ARCHIVE = "Kather_texture_2016_image_tiles_5000.zip"
FOLDER = "Kather_texture_2016_image_tiles_5000"
CLASSES = ("01_TUMOR", "02_STROMA", "03_COMPLEX", "04_LYMPHO", "05_DEBRIS", "06_MUCOSA",
           "07_ADIPOSE", "08_EMPTY")
PER_CLASS = 625


def md5sum(path: Path) -> str:
    h = hashlib.md5()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def record_file(timeout: float = 30) -> tuple[str, str]:
    """``(download URL, md5)`` of the archive from Zenodo's record API."""
    with urllib.request.urlopen(RECORD, timeout=timeout) as resp:
        record = json.load(resp)
    for f in record.get("files", []):
        if f.get("key") == ARCHIVE:
            return f["links"]["self"], f["checksum"].split(":", 1)[-1]
    raise RuntimeError(f"the Zenodo record {RECORD} lists no file {ARCHIVE!r}.")


def download(url: str, dest: Path, timeout: float = 60) -> Path:
    """Download ``url`` to ``dest``, resuming a partial ``dest.part``."""
    part = dest.with_suffix(dest.suffix + ".part")
    done = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={done}-"} if done else {})
    with urllib.request.urlopen(request, timeout=timeout) as resp:
        if done and resp.status != 206:
            done = 0  # the server ignored the range: start again
        total = int(resp.headers.get("Content-Length", 0)) + done
        with open(part, "ab" if done else "wb") as fh:
            while True:
                block = resp.read(1 << 20)
                if not block:
                    break
                fh.write(block)
                done += len(block)
                print(f"\r{dest.name}: {done / 2**20:.1f} / {total / 2**20:.1f} MiB", end="",
                      file=sys.stderr)
    print(file=sys.stderr)
    part.replace(dest)
    return dest


def unpack(archive: Path, dest: Path) -> Path:
    try:
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(dest)
    except zipfile.BadZipFile as err:
        raise SystemExit(f"{archive} is not a valid zip archive ({err}); delete it and "
                         f"download again.") from err
    inner = dest / FOLDER
    return inner if inner.is_dir() else dest


def check(root: Path) -> None:
    """8 class folders of 625 readable 150 x 150 x 3 tiles, else exit naming the problem."""
    from imbkeras.datasets import load_image_folder

    x, y, names = load_image_folder(root, class_names=CLASSES, as_source=True)
    counts = {n: int((y == i).sum()) for i, n in enumerate(names)}
    bad = {n: c for n, c in counts.items() if c != PER_CLASS}
    if bad:
        raise SystemExit(f"expected {PER_CLASS} tiles per class in {root}; found {bad}.")
    if x.sample_shape != (150, 150, 3):
        raise SystemExit(f"expected 150x150x3 tiles; the first tile is {x.sample_shape}.")
    print(f"ok: {len(y)} tiles, 8 classes x {PER_CLASS}, in {root}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, nargs="?", help="directory for the dataset")
    parser.add_argument("--zip", type=Path, help="an already-downloaded archive (offline)")
    parser.add_argument("--md5", help="expected MD5 of the archive (default: Zenodo's)")
    parser.add_argument("--mobilenet-weights", action="store_true",
                        help="fetch the MobileNet ImageNet weights into the Keras cache")
    args = parser.parse_args(argv)
    if args.mobilenet_weights:
        from imbkeras.models import mobilenet_classifier, mobilenet_weights_path

        mobilenet_classifier((150, 150, 3), 8, weights="imagenet")
        print(f"ok: {mobilenet_weights_path(1.0, 150)}")
        if args.dest is None:
            return 0
    if args.dest is None:
        parser.error("give the dataset directory `dest` (or only --mobilenet-weights)")
    args.dest.mkdir(parents=True, exist_ok=True)
    archive = args.zip or args.dest / ARCHIVE
    if args.zip is not None and not archive.is_file():
        raise SystemExit(f"--zip {archive} does not exist.")
    expected = args.md5
    if args.zip is None and not archive.exists():
        try:
            url, zenodo_md5 = record_file()
        except OSError as err:
            raise SystemExit(f"cannot reach Zenodo ({err}). Download {ARCHIVE} by hand from "
                             f"https://zenodo.org/records/53169 and pass it with --zip.") from err
        expected = expected or zenodo_md5
        download(url, archive)
    if expected:
        got = md5sum(archive)
        if got != expected:
            raise SystemExit(f"MD5 mismatch for {archive}: {got}, expected {expected}; delete "
                             f"it and download again.")
        print(f"md5 ok: {got}")
    root = unpack(archive, args.dest)
    check(root)
    print(f"export IMBKERAS_KATHER_DIR={root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
