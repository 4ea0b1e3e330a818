#!/usr/bin/env python
"""Download the four original MNIST IDX files, verify them and print the class counts.

Usage:
    python data_scripts/download_mnist.py DEST [--mirror URL]

Fetches ``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
``t10k-images-idx3-ubyte.gz`` and ``t10k-labels-idx1-ubyte.gz`` into the
directory DEST (created if needed), checks each against the MD5 checksum that
torchvision also uses for these files, then loads both splits with
``imbkeras.datasets.load_mnist(DEST, kind=...)`` and prints the class counts.
Files already present with the right checksum are not downloaded again.

Mirrors tried in order (the original http://yann.lecun.com/exdb/mnist/ now
often refuses downloads):
    https://ossci-datasets.s3.amazonaws.com/mnist/        (PyTorch / torchvision)
    https://storage.googleapis.com/cvdf-datasets/mnist/   (Google CVDF / TensorFlow)

Use the data with ``export IMBKERAS_MNIST_DIR=DEST`` so that
the experiment engine's ``mnist`` dataset (``--dataset mnist``) finds it (the default directory is
``~/.imbkeras/mnist``).

Only the Python standard library is needed for the download (urllib, hashlib);
the final check imports imbkeras (installed, or from this checkout).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

# MD5 of the original gzipped files, as in torchvision.datasets.MNIST.resources.
MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
EXPECTED_COUNTS = {"train": 60000, "test": 10000}
TIMEOUT_S = 60
CHUNK = 1 << 20


def md5sum(path: Path) -> str:
    digest = hashlib.md5()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(url: str, target: Path) -> None:
    """Stream ``url`` into ``target`` via a ``.part`` file (no partial file left behind)."""
    part = target.with_name(target.name + ".part")
    request = urllib.request.Request(url, headers={"User-Agent": "imbkeras-data-scripts"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response, part.open("wb") as out:
            while True:
                block = response.read(CHUNK)
                if not block:
                    break
                out.write(block)
        os.replace(part, target)
    finally:
        if part.exists():
            part.unlink()


def download(dest: Path, mirrors: tuple[str, ...]) -> None:
    for name, md5 in MD5.items():
        target = dest / name
        if target.is_file() and md5sum(target) == md5:
            print(f"{name}: present, MD5 ok")
            continue
        errors = []
        for mirror in mirrors:
            url = mirror.rstrip("/") + "/" + name
            print(f"{name}: downloading {url}", flush=True)
            try:
                fetch(url, target)
            except (urllib.error.URLError, http.client.HTTPException, OSError) as err:
                errors.append(f"{url}: {err}")
                continue
            got = md5sum(target)
            if got == md5:
                print(f"{name}: {target.stat().st_size} bytes, MD5 ok")
                break
            target.unlink()
            errors.append(f"{url}: MD5 {got} != expected {md5}")
        else:
            raise SystemExit(f"Could not download a valid {name}:\n  " + "\n  ".join(errors))


def import_load_mnist():
    try:
        from imbkeras.datasets import load_mnist
    except ImportError:  # running from a checkout without installing imbkeras
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from imbkeras.datasets import load_mnist
    return load_mnist


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path, help="directory to store the four .gz files in")
    parser.add_argument("--mirror", action="append", default=None,
                        help="base URL to try first (repeatable); the built-in mirrors follow")
    args = parser.parse_args(argv)
    dest = args.dest.expanduser()
    dest.mkdir(parents=True, exist_ok=True)
    mirrors = tuple(args.mirror or ()) + MIRRORS
    download(dest, mirrors)

    import numpy as np

    load_mnist = import_load_mnist()
    for kind, expected in EXPECTED_COUNTS.items():
        x, y = load_mnist(dest, kind=kind)
        if len(y) != expected:
            raise SystemExit(f"{kind}: expected {expected} samples, loaded {len(y)}.")
        counts = np.bincount(y, minlength=10)
        print(f"{kind}: x {x.shape} {x.dtype}, y {y.shape} {y.dtype}; "
              f"class counts {counts.tolist()}")
    print(f"\nDone. Use it with:  export IMBKERAS_MNIST_DIR={dest.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
