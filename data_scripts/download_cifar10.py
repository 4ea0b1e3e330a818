#!/usr/bin/env python
"""Download CIFAR-10 (python version), verify it and print the class counts (Buda et al. 2018).

Usage::

    python data_scripts/download_cifar10.py ~/.imbkeras/cifar10
    python data_scripts/download_cifar10.py ~/.imbkeras/cifar10 --tar PATH   # offline, an archive you have
    export IMBKERAS_CIFAR10_DIR=~/.imbkeras/cifar10
    imbkeras reproduce buda2018 --profile paper

Fetches ``cifar-10-python.tar.gz`` (163 MB) from the CIFAR page, checks it
against the MD5 published there, unpacks ``cifar-10-batches-py/`` and loads
both splits with ``imbkeras.datasets.load_cifar10`` (50,000 / 10,000 images,
5,000 / 1,000 per class). Only the Python standard library is needed for the
download; the final check imports imbkeras.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tarfile
import urllib.request
from pathlib import Path

URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
ARCHIVE = "cifar-10-python.tar.gz"
MD5 = "c58f30108f718f92721af3b95e74349a"
FOLDER = "cifar-10-batches-py"


def md5sum(path: Path) -> str:
    h = hashlib.md5()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def download(url: str, dest: Path, timeout: float = 60) -> Path:
    part = dest.with_suffix(dest.suffix + ".part")
    with urllib.request.urlopen(url, timeout=timeout) as resp, open(part, "wb") as fh:
        while True:
            block = resp.read(1 << 20)
            if not block:
                break
            fh.write(block)
    part.replace(dest)
    return dest


def unpack(archive: Path, dest: Path) -> Path:
    try:
        with tarfile.open(archive, "r:gz") as tf:
            members = [m for m in tf.getmembers() if m.name.startswith(FOLDER + "/")
                       and m.isfile() and ".." not in Path(m.name).parts]
            tf.extractall(dest, members=members)
    except (tarfile.TarError, EOFError, OSError) as err:
        raise SystemExit(f"{archive} is not a valid CIFAR-10 archive ({err}); delete it and "
                         f"download again.") from err
    return dest / FOLDER


def check(root: Path) -> None:
    """Both splits load, with 5,000 / 1,000 images per class, else exit naming the problem."""
    import numpy as np

    from imbkeras.datasets import load_cifar10

    for kind, per_class in (("train", 5000), ("test", 1000)):
        try:
            x, y = load_cifar10(root, kind=kind)
        except (ValueError, FileNotFoundError) as err:
            raise SystemExit(str(err)) from err
        counts = np.bincount(y, minlength=10).tolist()
        if counts != [per_class] * 10:
            raise SystemExit(f"{kind}: expected {per_class} images per class in {root}; "
                             f"found {counts}.")
        print(f"ok: {kind} {x.shape}, {per_class} per class")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, help="directory for the dataset")
    parser.add_argument("--tar", type=Path, help="an already-downloaded archive (offline)")
    args = parser.parse_args(argv)
    args.dest.mkdir(parents=True, exist_ok=True)
    archive = args.tar or args.dest / ARCHIVE
    if args.tar is not None and not archive.is_file():
        raise SystemExit(f"--tar {archive} does not exist.")
    if args.tar is None and not archive.exists():
        try:
            download(URL, archive)
        except OSError as err:
            raise SystemExit(f"cannot download {URL} ({err}); fetch it by hand and pass it "
                             f"with --tar.") from err
    got = md5sum(archive)
    if got != MD5:
        raise SystemExit(f"MD5 mismatch for {archive}: {got}, expected {MD5}; delete it and "
                         f"download again.")
    root = unpack(archive, args.dest)
    check(root)
    print(f"export IMBKERAS_CIFAR10_DIR={args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
