"""What limits the top of the quality range: the transforms, the quantizer or the latent's width.

For each weights file, on every image of a folder (Kodak: 768×512, multiples of 16):

- **ceiling**: ``g_s`` of the unquantized latent at the top level, the PSNR the transforms allow
  with no quantization at all;
- **finer steps**: the top level's latent rounded with a quantizer step of 1, 1/2 and 1/4 (the
  top level's own step is 1), the PSNR each would give if its bits were paid;
- **channel use**: each latent channel's share of the top level's code length (the model's own
  Gaussian estimate, as a share only, not a rate), summarized as the number of channels that carry
  90% and 99% of it and the effective number ``exp(entropy of the shares)``.

And one linear bound that does not depend on training: the PSNR of an orthogonal block transform
(PCA of 16×16×3 patches, fitted on the images of ``--fit``) keeping K of its 768 coefficients per
block, for K = 192 (our M) and the wider latents published models use. A 16×16 block has as many
latent values as the model has channels, since ``g_a`` downsamples by 16.

    python -m aecodec.tools.dev.bench.capacity ../shared/data/kodak --fit ../shared/data/train-clean \
        --weights codec/weights/checkerboard-gain-128x192-v1.npz --weights tools/candidates/model-3.npz \
        --out results/capacity
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import click
import numpy as np
import torch
from PIL import Image
from tqdm import tqdm

from aecodec.codec.images.distortion import psnr_db
from aecodec.codec.images.files import list_images
from aecodec.codec.model.context import coding_parameters
from aecodec.codec.model.entropy_models import coding_scale, gaussian_likelihood
from aecodec.codec.model.fixed_point import round_ste
from aecodec.codec.model.hyperprior import HyperpriorModel
from aecodec.tools.evaluation.machine import describe_machine
from aecodec.tools.training.warm_start import model_from_weights

BLOCK = 16
STEPS = (1.0, 0.5, 0.25)
PCA_WIDTHS = (128, 192, 256, 320, 384)
FIT_PATCHES_PER_IMAGE = 400


@dataclass(frozen=True)
class TopLevelMeasure:
    """One image at a model's top level: PSNR (dB) of the unquantized latent, PSNR at each
    quantizer step in ``STEPS`` and the code-length share of each of the M channels."""

    image: str
    ceiling_psnr: float
    step_psnr: tuple[float, ...]
    channel_share: tuple[float, ...]


@dataclass(frozen=True)
class ModelSummary:
    """Means over the images for one weights file; channel counts from the mean shares."""

    weights: str
    steps_trained: int
    levels: int
    lambda_max: float
    ceiling_psnr: float
    step_psnr: tuple[float, ...]
    channels_for_90: int
    channels_for_99: int
    effective_channels: float


def psnr(reference: torch.Tensor, decoded: torch.Tensor) -> float:
    """RGB PSNR (dB) of two ``[1, 3, H, W]`` tensors in [0, 1], compared as 8-bit."""
    return psnr_db(*((image * 255).round().clamp(0, 255).numpy() for image in (reference, decoded)))


def load_image(path: Path) -> torch.Tensor:
    """An image as ``[1, 3, H, W]`` in [0, 1], cropped to multiples of 64."""
    with Image.open(path) as opened:
        array = np.asarray(opened.convert("RGB"), dtype=np.float32) / 255
    height, width = (array.shape[0] // 64) * 64, (array.shape[1] // 64) * 64
    return torch.from_numpy(array[:height, :width]).permute(2, 0, 1)[None]


@torch.no_grad()
def measure_top_level(model: HyperpriorModel, path: Path) -> TopLevelMeasure:
    """The ceiling, finer-step PSNRs and channel shares of one image at the top level."""
    x = load_image(path)
    top = torch.tensor([float(model.config.rate.levels - 1)])
    y = model.g_a(x) * model.gains.encoder_gain(top)
    decoder_gain = model.gains.decoder_gain(top)
    mean, log_scale = model.h_s(round_ste(model.h_a(y)))
    mean, log_scale = coding_parameters(model.context, y, mean, log_scale, round_ste)
    step_psnr = tuple(psnr(x, model.g_s((torch.round((y - mean) / step) * step + mean) * decoder_gain))
                      for step in STEPS)
    likelihood = gaussian_likelihood(torch.round(y - mean), coding_scale(log_scale))
    channel_bits = -torch.log2(likelihood).sum(dim=(0, 2, 3))
    share = channel_bits / channel_bits.sum()
    return TopLevelMeasure(path.name, psnr(x, model.g_s(y * decoder_gain)), step_psnr,
                           tuple(float(s) for s in share))


def summarize(weights: Path, model: HyperpriorModel, step: int, measures: list[TopLevelMeasure]) -> ModelSummary:
    """Means over the images and the channel counts of the mean code-length shares."""
    shares = np.sort(np.mean([m.channel_share for m in measures], axis=0))[::-1]
    cumulative = np.cumsum(shares)
    entropy = -float(np.sum(shares * np.log(np.maximum(shares, 1e-30))))
    return ModelSummary(
        weights.name, step, model.config.rate.levels, model.config.rate.lambda_max,
        float(np.mean([m.ceiling_psnr for m in measures])),
        tuple(float(v) for v in np.mean([m.step_psnr for m in measures], axis=0)),
        int(np.searchsorted(cumulative, 0.90) + 1), int(np.searchsorted(cumulative, 0.99) + 1),
        math.exp(entropy))


def blocks(image: np.ndarray) -> np.ndarray:
    """Non-overlapping 16×16×3 blocks of an ``[H, W, 3]`` array: ``[count, 768]``."""
    height, width = (image.shape[0] // BLOCK) * BLOCK, (image.shape[1] // BLOCK) * BLOCK
    cropped = image[:height, :width].reshape(height // BLOCK, BLOCK, width // BLOCK, BLOCK, 3)
    return cropped.transpose(0, 2, 1, 3, 4).reshape(-1, BLOCK * BLOCK * 3)


def read_array(path: Path) -> np.ndarray:
    """An image as ``[H, W, 3]`` float64 in [0, 255]."""
    with Image.open(path) as opened:
        return np.asarray(opened.convert("RGB"), dtype=np.float64)


def fit_pca(paths: list[Path], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mean ``[768]`` and principal axes ``[768, 768]`` (columns, by falling variance) of blocks
    sampled from the images."""
    generator = np.random.default_rng(seed)
    samples = []
    for path in tqdm(paths, desc="fit", unit="image"):
        image_blocks = blocks(read_array(path))
        pick = generator.choice(len(image_blocks), min(FIT_PATCHES_PER_IMAGE, len(image_blocks)), replace=False)
        samples.append(image_blocks[pick])
    data = np.concatenate(samples)
    mean = data.mean(axis=0)
    _, vectors = np.linalg.eigh(np.cov(data - mean, rowvar=False))
    return mean, vectors[:, ::-1]


def pca_psnr(paths: list[Path], mean: np.ndarray, axes: np.ndarray) -> dict[int, float]:
    """Mean over the images of the 8-bit RGB PSNR (dB) of keeping K coefficients per block."""
    per_width: dict[int, list[float]] = {k: [] for k in PCA_WIDTHS}
    for path in paths:
        centred = blocks(read_array(path)) - mean
        coefficients = centred @ axes
        for k in PCA_WIDTHS:
            decoded = np.clip(np.round(coefficients[:, :k] @ axes[:, :k].T + mean), 0, 255)
            per_width[k].append(psnr_db(centred + mean, decoded))
    return {k: float(np.mean(v)) for k, v in per_width.items()}


def write_report(out: Path, summaries: list[ModelSummary], pca: dict[int, float], images: int, fit: int) -> None:
    """Write ``capacity.json`` and ``capacity.md`` under ``out``."""
    machine = describe_machine().as_dict()
    payload = {"machine": machine, "images": images, "fit_images": fit, "models": [asdict(s) for s in summaries],
               "pca_psnr": pca}
    (out / "capacity.json").write_text(json.dumps(payload, indent=2) + "\n")
    steps = " | ".join(f"step {s:g}" for s in STEPS)
    lines = [
        "# What limits the top of the quality range",
        "",
        f"{images} images; PSNR is 8-bit RGB, averaged per image. Machine: {machine['processor']}, "
        f"{machine['cores']} cores. Produced by `tools/dev/bench/capacity.py` (its docstring says what each "
        "column is).",
        "",
        "## The models at their top level",
        "",
        f"| weights | steps | levels, λ max | ceiling (dB) | {steps} | channels for 90% / 99% of bits | effective |",
        "|---|---:|---|---:|" + "---:|" * len(STEPS) + "---:|---:|",
    ]
    lines += [f"| {s.weights} | {s.steps_trained:,} | {s.levels}, {s.lambda_max:g} | {s.ceiling_psnr:.2f} | "
              + " | ".join(f"{v:.2f}" for v in s.step_psnr)
              + f" | {s.channels_for_90} / {s.channels_for_99} | {s.effective_channels:.0f} |" for s in summaries]
    lines += [
        "",
        f"## A linear bound: block PCA (16×16×3, fitted on {fit} other images)",
        "",
        "| coefficients kept per block | " + " | ".join(str(k) for k in PCA_WIDTHS) + " |",
        "|---|" + "---:|" * len(PCA_WIDTHS),
        "| PSNR (dB), no quantization | " + " | ".join(f"{pca[k]:.2f}" for k in PCA_WIDTHS) + " |",
    ]
    (out / "capacity.md").write_text("\n".join(lines) + "\n")


@click.command()
@click.argument("images", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--weights", "weights_files", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              multiple=True, required=True, help="An exported weights file (repeat for several).")
@click.option("--fit", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="Folder of other images to fit the block PCA on.")
@click.option("--fit-limit", type=click.IntRange(1), default=120, show_default=True, help="Images used for the fit.")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder for capacity.json and .md.")
@click.option("--threads", type=click.IntRange(1), default=2, show_default=True, help="Torch threads.")
def main(images: Path, weights_files: tuple[Path, ...], fit: Path, fit_limit: int, out: Path, threads: int) -> None:
    """Measure what limits the top quality on the images in the folder IMAGES."""
    torch.set_num_threads(threads)
    paths = list_images(images)
    summaries = []
    for weights in weights_files:
        model, step = model_from_weights(weights)
        model.eval()
        measures = [measure_top_level(model, p) for p in tqdm(paths, desc=weights.name, unit="image")]
        summaries.append(summarize(weights, model, step, measures))
    fit_images = list_images(fit)
    fit_paths = fit_images[::max(1, len(fit_images) // fit_limit)][:fit_limit]
    mean, axes = fit_pca(fit_paths)
    out.mkdir(parents=True, exist_ok=True)
    write_report(out, summaries, pca_psnr(paths, mean, axes), len(paths), len(fit_paths))
    click.echo(f"wrote {out / 'capacity.json'} and {out / 'capacity.md'}")


if __name__ == "__main__":
    main()
