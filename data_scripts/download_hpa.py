"""Prepare the Human Protein Atlas Kaggle training set (Al-joudi & Arif 2023) from its archive.

The data are distributed by Kaggle under the competition's rules, so this
script downloads nothing: get the archive with your own Kaggle account, e.g.

    pip install kaggle        # then put your API token in ~/.kaggle/kaggle.json
    kaggle competitions download -c human-protein-atlas-image-classification

and prepare it:

    python data_scripts/download_hpa.py ~/.imbkeras/hpa --zip human-protein-atlas-image-classification.zip
    export IMBKERAS_HPA_DIR=~/.imbkeras/hpa
    imbkeras reproduce aljoudi2023 --profile paper

Only ``train.csv`` and ``train/*.png`` are extracted (about 14 GB; 31,072
ids x 4 channels at 512 x 512). The result is checked with
``imbkeras.datasets.load_hpa``: every id of ``train.csv`` must have its four
channel PNGs and valid labels; any problem is named. An already-extracted
folder can be checked with ``--check-only``.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path


def extract(archive: Path, dest: Path) -> int:
    """Extract train.csv and train/*.png; return the number of files written."""
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile as err:
        raise SystemExit(f"{archive} is not a valid zip archive ({err}).") from err
    with zf:
        members = [m for m in zf.namelist()
                   if m == "train.csv" or (m.startswith("train/") and m.endswith(".png"))]
        if "train.csv" not in members:
            raise SystemExit(f"{archive} holds no train.csv: is it the HPA competition archive?")
        for k, m in enumerate(members, 1):
            target = dest / m
            if not target.exists() or target.stat().st_size != zf.getinfo(m).file_size:
                zf.extract(m, dest)
            if k % 5000 == 0:
                print(f"{k} / {len(members)} files", file=sys.stderr)
    return len(members)


def check(dest: Path) -> None:
    from imbkeras.datasets import load_hpa

    x, y, names = load_hpa(dest, size=None, as_source=True)
    print(f"ok: {len(y)} images, {len(names)} labels, {int(y.sum())} label assignments in {dest}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--zip", type=Path, help="the Kaggle competition archive")
    parser.add_argument("--check-only", action="store_true")
    args = parser.parse_args(argv)
    if not args.check_only:
        if args.zip is None or not args.zip.is_file():
            raise SystemExit(f"--zip must name the downloaded archive; received {args.zip}. "
                             f"See the instructions at the top of this script.")
        args.dest.mkdir(parents=True, exist_ok=True)
        print(f"extracted {extract(args.zip, args.dest)} files")
    try:
        check(args.dest)
    except (FileNotFoundError, ValueError) as err:
        raise SystemExit(f"the prepared folder is not usable: {err}") from err
    return 0


if __name__ == "__main__":
    sys.exit(main())
