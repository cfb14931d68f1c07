"""Writing a release's float transforms as ONNX files for deployment (no torch).

``aecodec export-onnx -o DIR`` writes ``g_a.onnx``, ``h_a.onnx`` and ``g_s.onnx`` (the graphs of
:mod:`aecodec.codec.engines.onnx_graphs`, inputs and outputs named there) and ``gains.json``: the quality
scale and the log-gain tables ``[L, M]`` that turn a quality into the ``gain`` input. For quality
``q`` in [0, 100], position ``t = q / 100 · (L − 1)``, ``i = min(floor(t), L − 2)``, and
``gain = exp(table[i] · (1 − (t − i)) + table[i + 1] · (t − i))``, shaped ``[1, M, 1, 1]``.
The exact ``h_s``, context and entropy coding are not float graphs and stay in aecodec.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from aecodec.codec.encoder.model import EncoderModel
from aecodec.codec.engines import onnx_graphs


@dataclass(frozen=True)
class ExportedFiles:
    """The files written, in order."""

    paths: list[Path]


def export_onnx(model: EncoderModel, folder: Path) -> ExportedFiles:
    """Write ``model``'s transforms and gain tables under ``folder`` (created if missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    parameters = model.decoder.engines.parameters
    graphs = {"g_a": onnx_graphs.analysis_graph(parameters.encoder_part("g_a")),
              "h_a": onnx_graphs.hyper_analysis_graph(parameters.encoder_part("h_a")),
              "g_s": onnx_graphs.synthesis_graph(parameters.g_s)}
    paths = []
    for name, graph in graphs.items():
        path = folder / f"{name}.onnx"
        path.write_bytes(graph.to_bytes())
        paths.append(path)
    gains = {"weights_hash": model.weights_hash.hex(), "levels": model.rate_scale.levels,
             "lambda_min": model.rate_scale.lambda_min, "lambda_max": model.rate_scale.lambda_max,
             "log_encoder_gain": model.log_encoder_table.tolist(),
             "log_decoder_gain": model.decoder.log_decoder_gain.tolist()}
    path = folder / "gains.json"
    path.write_text(json.dumps(gains) + "\n")
    paths.append(path)
    return ExportedFiles(paths)
