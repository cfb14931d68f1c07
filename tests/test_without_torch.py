"""A torch-free installation: compress (effort 0), decompress, info and the Pillow plugin run in a
process where ``import torch`` is refused, with the shipped release on a small image."""

import json
import subprocess
import sys

import numpy as np
from PIL import Image

_REFUSE_TORCH = """
import sys
class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] == 'torch':
            raise ImportError('torch is not installed here')
sys.meta_path.insert(0, Refuse())
"""

_API_AND_PILLOW = _REFUSE_TORCH + """
import io, json
import numpy as np
from PIL import Image
import aecodec
from aecodec.codec.encoder.api import compress_with
from aecodec.codec.weights.registry import load_encoder
image = np.asarray(Image.open(sys.argv[1]).convert('RGB'))
data = aecodec.compress(image, quality=40)
decoded = np.asarray(aecodec.decompress(data))
buffer = io.BytesIO()
Image.fromarray(image).save(buffer, format='AEC', quality=40)
buffer.seek(0)
with Image.open(buffer) as opened:
    via_pillow = np.asarray(opened.convert('RGB'))
try:
    aecodec.compress(image, effort=1)
    effort_error = None
except ModuleNotFoundError as error:
    effort_error = str(error)
print(json.dumps({'same_file_as_pillow': buffer.getvalue() == data, 'error': float(np.abs(decoded.astype(int) - image).mean()),
                  'pillow_matches': bool(np.array_equal(via_pillow, decoded)), 'effort_error': effort_error,
                  'float_matches': aecodec.decompress(data, output='float').shape == image.shape,
                  'torch_loaded': 'torch' in sys.modules}))
"""

_CLI = _REFUSE_TORCH + """
from aecodec.tools.cli.main import main
main(sys.argv[1:])
"""


def _image(tmp_path, make_image):
    path = tmp_path / "small.png"
    Image.fromarray(make_image(48, 72, seed=4)).save(path)
    return path


def test_api_and_pillow_plugin_run_without_torch(tmp_path, make_image):
    path = _image(tmp_path, make_image)
    result = subprocess.run([sys.executable, "-c", _API_AND_PILLOW, str(path)], capture_output=True, text=True,
                            check=True)
    found = json.loads(result.stdout)
    assert found["torch_loaded"] is False
    assert found["same_file_as_pillow"] and found["pillow_matches"] and found["float_matches"]
    assert found["error"] < 12
    assert "aecodec[torch]" in found["effort_error"]


def test_command_line_runs_without_torch(tmp_path, make_image):
    path = _image(tmp_path, make_image)
    coded, decoded = tmp_path / "small.aec", tmp_path / "round.png"
    cli = [sys.executable, "-c", _CLI]
    subprocess.run([*cli, "compress", str(path), "-o", str(coded), "-q", "60"], check=True, capture_output=True)
    subprocess.run([*cli, "decompress", str(coded), "-o", str(decoded)], check=True, capture_output=True)
    info = subprocess.run([*cli, "info", str(coded), "--json"], check=True, capture_output=True, text=True)
    assert json.loads(info.stdout)["width"] == 72
    with Image.open(path) as original, Image.open(decoded) as result:
        assert result.size == original.size
        assert np.abs(np.asarray(result).astype(int) - np.asarray(original)).mean() < 12
    refused = subprocess.run([*cli, "compress", str(path), "-o", str(tmp_path / "e1.aec"), "-e", "1"],
                             capture_output=True, text=True)
    assert refused.returncode == 1 and "aecodec[torch]" in refused.stderr and "Traceback" not in refused.stderr
