"""Fit the PCA baseline's basis on a folder of training photos.

    python -m aecodec.tools.evaluation.codecs.fit_pca /path/to/train [--out basis.npz]

Without ``--out`` it writes the basis the package ships (``data/pca_basis.npz`` beside this file).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import numpy as np
from PIL import Image

from aecodec.tools.evaluation.codecs.pca_basis import fit_basis, save_basis
from aecodec.tools.evaluation.images import find_images

_DEFAULT_OUT = Path(__file__).resolve().parent / "data" / "pca_basis.npz"


def _pixels(paths: list[Path]) -> Iterator[np.ndarray]:
    for path in paths:
        with Image.open(path) as image:
            yield np.asarray(image.convert("RGB"), dtype=np.uint8)


@click.command()
@click.argument("train_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=_DEFAULT_OUT,
              show_default=True, help="Where to write the basis (.npz).")
def main(train_dir: Path, out: Path) -> None:
    """Fit an 8×8 RGB block PCA basis on the photos in TRAIN_DIR."""
    paths = find_images([train_dir])
    if not paths:
        raise click.ClickException(f"no images found in {train_dir}")
    basis = fit_basis(_pixels(paths))
    out.parent.mkdir(parents=True, exist_ok=True)
    save_basis(basis, out)
    kept = float(basis.variances[:16].sum() / basis.variances.sum())
    click.echo(f"fitted on {basis.image_count} images; first 16 components hold {kept:.1%} of the variance; "
               f"wrote {out}")


if __name__ == "__main__":
    main()
