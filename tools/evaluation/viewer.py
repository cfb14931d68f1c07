"""The side-by-side viewer's content: for chosen images, each codec's file at the same sizes.

For every chosen image and target rate, each codec codes the whole image into its largest file
within ``target_bpp × width × height / 8`` bytes (:mod:`~aecodec.tools.evaluation.matched_size`,
starting from the qualities the run measured on that image); the decoded image is measured
(whole-file bpp, PSNR over the image and over the crop) and the crop kept as lossless WebP. The
crop is the image's most detailed square (:mod:`~aecodec.tools.evaluation.crops`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from aecodec.tools.evaluation.codecs.base import Codec
from aecodec.tools.evaluation.crops import CROP_SIDE, detail_crop, lossless_webp
from aecodec.tools.evaluation.images import load_rgb
from aecodec.tools.evaluation.records import CodecResult, Curve
from aecodec.tools.evaluation.viewer_records import CropBox, ViewerImage, ViewerPanel, ViewerRate
from aecodec.tools.evaluation.workers import run_in_workers, worker_codec

DEFAULT_RATE_POSITIONS = (0.1, 0.5, 0.9)
"""Default targets sit at these fractions (in log-rate) of the bpp range all viewer codecs measured."""
MIN_RANGE = 2.5


@dataclass(frozen=True)
class ViewerPlan:
    """What to show: ``images`` (paths), ``target_bpp`` (empty: :func:`default_targets`), ``codecs``
    (empty: every measured codec), the crop side in pixels, and where to keep the decoded images
    (``None``: nowhere)."""

    images: tuple[Path, ...]
    target_bpp: tuple[float, ...] = ()
    codecs: tuple[str, ...] = ()
    crop_side: int = CROP_SIDE
    decoded_dir: Path | None = None


@dataclass(frozen=True)
class PanelTask:
    """One size search: ``codec`` on ``image`` within ``budget`` bytes, with the run's measured
    (quality, bytes) pairs on that image as the starting bracket."""

    codec: str
    image: Path
    budget: int
    known: tuple[tuple[float, int], ...]
    box: CropBox
    decoded_to: Path | None


def default_targets(curves: Sequence[Curve]) -> tuple[float, ...]:
    """Three rates (2 significant digits) across the bpp range every curve covers, widened to a
    factor of 2.5 around its middle when narrower."""
    low = max(min(curve.bpp) for curve in curves)
    high = min(max(curve.bpp) for curve in curves)
    if high < MIN_RANGE * low:
        middle = math.sqrt(low * high) if high > low else low
        low, high = middle / math.sqrt(MIN_RANGE), middle * math.sqrt(MIN_RANGE)
    return tuple(float(f"{low * (high / low) ** position:.2g}") for position in DEFAULT_RATE_POSITIONS)


def build_viewer(plan: ViewerPlan, results: Sequence[CodecResult], codecs: dict[str, Codec],
                 jobs: int) -> tuple[ViewerImage, ...]:
    """Run every size search of ``plan`` (in ``jobs`` processes) and gather the viewer's records.
    Without ``plan.target_bpp`` each image gets :func:`default_targets` of the codecs' curves on it."""
    from tqdm import tqdm

    chosen = [r for r in results if not plan.codecs or r.name in plan.codecs]
    originals = {path: load_rgb(path) for path in plan.images}
    boxes = {path: detail_crop(_pixels(image), plan.crop_side) for path, image in originals.items()}
    targets = {path: plan.target_bpp or default_targets([_image_curve(r, path) for r in chosen])
               for path in plan.images}
    tasks = [_task(plan, result, path, originals[path].size, target, boxes[path])
             for path in plan.images for target in targets[path] for result in chosen]
    with tqdm(total=len(tasks), desc="viewer", unit="file") as progress:
        if jobs == 1:
            panels = iter(list(_local_panels(tasks, codecs, progress)))
        else:
            by_index = dict(run_in_workers(_worker_panel, tasks, jobs, progress))
            panels = iter([by_index[index] for index in range(len(tasks))])
    return tuple(_image(path, originals[path], boxes[path], targets[path], panels, len(chosen))
                 for path in plan.images)


def _image_curve(result: CodecResult, path: Path) -> Curve:
    points = [m for m in result.per_image if m.image == str(path)] or result.per_image
    return Curve(result.name, tuple(m.bpp for m in points), tuple(m.psnr for m in points))


def _task(plan: ViewerPlan, result: CodecResult, path: Path, size: tuple[int, int], target: float,
          box: CropBox) -> PanelTask:
    known = tuple((m.quality, m.file_bytes) for m in result.per_image if m.image == str(path))
    decoded_to = (plan.decoded_dir / "matched" / f"{target:g}bpp" / result.name / f"{path.stem}.png"
                  if plan.decoded_dir else None)
    return PanelTask(result.name, path, budget_bytes(target, *size), known, box, decoded_to)


def budget_bytes(target_bpp: float, width: int, height: int) -> int:
    """The whole-file byte budget of ``target_bpp`` for a ``width``×``height`` image."""
    return math.floor(target_bpp * width * height / 8)


def _image(path: Path, original, box: CropBox, targets: Sequence[float], panels: Iterator[ViewerPanel],
           per_rate: int) -> ViewerImage:
    """The image's record, taking its panels (``per_rate`` for each target in order) from ``panels``."""
    width, height = original.size
    rates = tuple(ViewerRate(target, budget_bytes(target, width, height), tuple(islice(panels, per_rate)))
                  for target in targets)
    return ViewerImage(str(path), width, height, box, lossless_webp(original.crop(box.bounds())), rates)


def _local_panels(tasks: Sequence[PanelTask], codecs: dict[str, Codec], progress) -> Iterator[ViewerPanel]:
    for task in tasks:
        yield _panel(task, codecs[task.codec])
        progress.update()


def _worker_panel(task: PanelTask) -> ViewerPanel:
    return _panel(task, worker_codec(task.codec))


def _panel(task: PanelTask, codec: Codec) -> ViewerPanel:
    """Search ``codec``'s file within the budget, decode it, measure it and keep the crop."""
    from aecodec.tools.evaluation.matched_size import encode_within
    from aecodec.tools.evaluation.metrics import bits_per_pixel, psnr

    image = load_rgb(task.image)
    found = encode_within(codec, image, task.budget, task.known)
    decoded = codec.decode(found.data).convert("RGB")
    if task.decoded_to is not None:
        task.decoded_to.parent.mkdir(parents=True, exist_ok=True)
        decoded.save(task.decoded_to, "PNG")
    crop, original_crop = decoded.crop(task.box.bounds()), image.crop(task.box.bounds())
    return ViewerPanel(task.codec, found.quality, len(found.data), bits_per_pixel(len(found.data), *image.size),
                       psnr(_pixels(image), _pixels(decoded)), psnr(_pixels(original_crop), _pixels(crop)),
                       found.within, lossless_webp(crop))


def _pixels(image):
    import numpy as np

    return np.asarray(image)
