"""Training crops: shapes, range, crops that are flipped windows of the photos, padding."""

import pytest

torch = pytest.importorskip("torch", reason="needs torch (pip install 'aecodec[torch]')")
from PIL import Image

from aecodec.tools.training.dataset import CropSampler


def windows(image: torch.Tensor, crop: int) -> set[bytes]:
    """Every ``crop``² window of ``image`` ``[3, H, W]`` under the four flips, as bytes."""
    found = set()
    _, height, width = image.shape
    for top in range(height - crop + 1):
        for left in range(width - crop + 1):
            patch = image[:, top : top + crop, left : left + crop]
            for flipped in (patch, patch.flip(1), patch.flip(2), patch.flip(1, 2)):
                found.add(flipped.contiguous().numpy().tobytes())
    return found


def test_batch_holds_flipped_windows_of_the_photos(make_image):
    photos = [torch.from_numpy(make_image(20 + i, 24, seed=i).transpose(2, 0, 1).copy()) for i in range(2)]
    sampler = CropSampler(photos, 16, seed=3)
    batch = sampler.batch(12)
    assert batch.shape == (12, 3, 16, 16) and batch.dtype == torch.float32
    assert batch.min() >= 0.0 and batch.max() <= 1.0
    allowed = windows(photos[0], 16) | windows(photos[1], 16)
    as_bytes = (batch * 255).round().to(torch.uint8)
    assert all(crop.contiguous().numpy().tobytes() in allowed for crop in as_bytes)
    assert len({crop.numpy().tobytes() for crop in as_bytes}) > 1


def test_folder_photos_are_padded_to_the_crop(tmp_path, make_image):
    Image.fromarray(make_image(40, 70)).save(tmp_path / "small.png")
    (tmp_path / "notes.txt").write_text("not an image")
    sampler = CropSampler.from_folder(tmp_path, 64)
    assert len(sampler) == 1 and sampler.images[0].shape == (3, 64, 70)
    assert sampler.batch(2).shape == (2, 3, 64, 64)


def test_rejects_images_smaller_than_the_crop_and_empty_folders(tmp_path):
    with pytest.raises(ValueError, match="smaller than"):
        CropSampler([torch.zeros(3, 32, 80, dtype=torch.uint8)], 64)
    with pytest.raises(ValueError, match="no images"):
        CropSampler.from_folder(tmp_path, 64)
