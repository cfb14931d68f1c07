"""The float transforms ``g_a``, ``h_a`` and ``g_s`` as ONNX graphs, built from a weights file's arrays.

The graphs are made when a model is loaded (written by :mod:`aecodec.codec.engines.onnx_proto`), so the
package ships one copy of the weights, the ``.npz`` whose SHA-256 each release pins. They compute what
:mod:`aecodec.codec.model.transforms` computes, on ``[B, C, H, W]`` float32 tensors, with the gains as
an input so that one graph serves every quality:

- ``g_a``: ``image`` ``[B, 3, H, W]`` in [0, 1] and ``gain`` ``[1, M, 1, 1]`` to ``latent``
  ``[B, M, H/16, W/16]`` (``g_a(image) · gain``); H and W multiples of 16.
- ``h_a``: ``latent`` ``[B, M, h, w]`` (with the gain applied) to ``hyper_latent`` ``[B, N, h/4, w/4]``.
- ``g_s``: ``latent`` ``[B, M, h, w]`` (``ŷ`` before the gain) and ``gain`` to ``image``
  ``[B, 3, 16h, 16w]`` (unclamped).

A stride-2 transposed convolution can be written three ways (:class:`DeconvForm`); the default is
the one that measured fastest and leanest (see :data:`DEFAULT_FORM`). Only ``g_s`` uses them; none of this
chooses a probability table, so the engine's float rounding never touches exact decoding.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

import numpy as np

from aecodec.codec.engines.onnx_proto import Model, Node, Value

KERNEL = 5
GDN_BETA_FLOOR = np.float32(1e-6)
"""Added to ``beta`` as :class:`aecodec.codec.model.layers.SimplifiedGDN` does."""
LEAKY_SLOPE = 0.01
"""``torch.nn.LeakyReLU``'s default slope, used by ``h_a``."""


class DeconvForm(enum.Enum):
    """How a 5×5 stride-2 transposed convolution becomes ONNX nodes.

    ``CONV_TRANSPOSE``: one ``ConvTranspose``. ``SUBPIXEL``: one 3×3 ``Conv`` to the four output
    phases (``4·out`` channels, the unused taps zero) then ``DepthToSpace``. ``PHASES``: one
    ``Conv`` per phase with only its own taps (3×3, 3×2, 2×3, 2×2), ``Concat`` and ``DepthToSpace``.
    """

    CONV_TRANSPOSE = "convtranspose"
    SUBPIXEL = "subpixel"
    PHASES = "phases"


DEFAULT_FORM = DeconvForm.PHASES
"""Measured on a Kodak-size latent (``results/speed/speed.md``): the exact taps per phase took
about a third less CPU time than ``ConvTranspose`` (whose column buffer also doubled the peak
memory of a 1152-pixel tile) and a little less than ``SUBPIXEL``."""


class _Builder:
    """Nodes and initializers of one graph, with fresh names."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.initializers: list[tuple[str, np.ndarray]] = []

    def constant(self, array: np.ndarray) -> str:
        name = f"w{len(self.initializers)}"
        self.initializers.append((name, np.ascontiguousarray(array, dtype=np.float32)))
        return name

    def node(self, op: str, inputs: list[str], output: str | None = None, **attributes: int | float | str | list[int]) -> str:
        name = output or f"{op.lower()}{len(self.nodes)}"
        self.nodes.append(Node(op, inputs, [name], attributes))
        return name

    def model(self, name: str, inputs: list[Value], outputs: list[Value]) -> Model:
        return Model(name, self.nodes, self.initializers, inputs, outputs)


def _tensor(name: str, *shape: int | str) -> Value:
    return Value(name, shape)


def _channels(parameters: dict[str, np.ndarray], last: str) -> tuple[int, int]:
    """``(N, M)``: the width of the first layer's output and of ``last``'s output."""
    return parameters["0.bias"].shape[0], parameters[last].shape[0]


def analysis_graph(parameters: dict[str, np.ndarray]) -> Model:
    """``g_a`` from its parameters as stored (``"0.weight"`` ``[N, 3, 5, 5]``, ``"1.beta_root"``, ...)."""
    graph = _Builder()
    x = "image"
    index = 0
    while f"{index}.weight" in parameters:
        x = _conv(graph, x, parameters[f"{index}.weight"], parameters[f"{index}.bias"], stride=2)
        if f"{index + 1}.beta_root" in parameters:
            x = _gdn(graph, x, parameters[f"{index + 1}.beta_root"], parameters[f"{index + 1}.gamma_root"], "Div")
        index += 2
    graph.node("Mul", [x, "gain"], "latent")
    _, m = _channels(parameters, f"{index - 2}.bias")
    return graph.model("g_a", [_tensor("image", "batch", 3, "height", "width"), _tensor("gain", 1, m, 1, 1)],
                       [_tensor("latent", "batch", m, "rows", "columns")])


def hyper_analysis_graph(parameters: dict[str, np.ndarray]) -> Model:
    """``h_a``: a 3×3 convolution, then two 5×5 stride-2 ones, with leaky ReLUs between."""
    graph = _Builder()
    m = parameters["0.weight"].shape[1]
    x = _conv(graph, "latent", parameters["0.weight"], parameters["0.bias"], stride=1)
    for index in (2, 4):
        x = graph.node("LeakyRelu", [x], alpha=LEAKY_SLOPE)
        x = _conv(graph, x, parameters[f"{index}.weight"], parameters[f"{index}.bias"], stride=2,
                  output="hyper_latent" if index == 4 else None)
    n = parameters["4.bias"].shape[0]
    return graph.model("h_a", [_tensor("latent", "batch", m, "rows", "columns")],
                       [_tensor("hyper_latent", "batch", n, "hyper_rows", "hyper_columns")])


def synthesis_graph(parameters: dict[str, np.ndarray], form: DeconvForm = DEFAULT_FORM) -> Model:
    """``g_s`` from its parameters as stored (``"0.weight"`` ``[M, N, 5, 5]`` transposed-convolution
    layout, ``"1.beta_root"``, ``"1.gamma_root"`` ``[N, N, 1, 1]``, ...), its upsampling in ``form``."""
    graph = _Builder()
    m = parameters["0.weight"].shape[0]
    x = graph.node("Mul", ["latent", "gain"])
    index = 0
    while f"{index}.weight" in parameters:
        last = f"{index + 1}.beta_root" not in parameters
        x = _DECONVOLUTIONS[form](graph, x, parameters[f"{index}.weight"], parameters[f"{index}.bias"],
                                  "image" if last else None)
        if not last:
            x = _gdn(graph, x, parameters[f"{index + 1}.beta_root"], parameters[f"{index + 1}.gamma_root"], "Mul")
        index += 2
    return graph.model("g_s", [_tensor("latent", "batch", m, "rows", "columns"), _tensor("gain", 1, m, 1, 1)],
                       [_tensor("image", "batch", 3, "height", "width")])


def _conv(graph: _Builder, x: str, weight: np.ndarray, bias: np.ndarray, stride: int, output: str | None = None) -> str:
    """A 'same'-padded convolution (``weight`` ``[out, in, k, k]``) dividing the size by ``stride``."""
    kernel = weight.shape[-1]
    pad = kernel // 2
    return graph.node("Conv", [x, graph.constant(weight), graph.constant(bias)], output,
                      kernel_shape=[kernel, kernel], strides=[stride, stride], pads=[pad] * 4)


def _gdn(graph: _Builder, x: str, beta_root: np.ndarray, gamma_root: np.ndarray, op: str) -> str:
    """Simplified GDN (``op`` ``"Div"``) or its inverse (``"Mul"``): ``x op (beta + gamma ⋆ |x|)``."""
    beta = np.square(beta_root.astype(np.float32)) + GDN_BETA_FLOOR
    gamma = np.square(gamma_root.astype(np.float32))
    norm = graph.node("Conv", [graph.node("Abs", [x]), graph.constant(gamma), graph.constant(beta)], kernel_shape=[1, 1])
    return graph.node(op, [x, norm])


def _phase_taps(phase: int) -> list[tuple[int, int]]:
    """``(kernel tap, input offset)`` pairs for output ``2q + phase`` of a 5×5 stride-2 transposed
    convolution with padding 2 and output padding 1: input ``q + offset`` meets tap ``2 − 2·offset + phase``."""
    offsets = (-1, 0, 1) if phase == 0 else (0, 1)
    return [(2 - 2 * offset + phase, offset) for offset in offsets]


def phase_kernel(weight: np.ndarray, row_phase: int, col_phase: int,
                 offsets: tuple[tuple[int, ...], tuple[int, ...]]) -> np.ndarray:
    """The correlation kernel ``[out, in, len(rows), len(cols)]`` that gives output phase
    ``(row_phase, col_phase)`` from a transposed-convolution ``weight`` ``[in, out, 5, 5]``, over
    the input offsets ``offsets`` (rows, columns); offsets no tap reads stay zero."""
    rows, cols = offsets
    kernel = np.zeros((weight.shape[1], weight.shape[0], len(rows), len(cols)), dtype=np.float32)
    for tap_y, offset_y in _phase_taps(row_phase):
        for tap_x, offset_x in _phase_taps(col_phase):
            kernel[:, :, rows.index(offset_y), cols.index(offset_x)] = weight[:, :, tap_y, tap_x].T
    return kernel


def _conv_transpose(graph: _Builder, x: str, weight: np.ndarray, bias: np.ndarray, output: str | None) -> str:
    return graph.node("ConvTranspose", [x, graph.constant(weight), graph.constant(bias)], output,
                      kernel_shape=[KERNEL, KERNEL], strides=[2, 2], pads=[2] * 4, output_padding=[1, 1])


def _subpixel(graph: _Builder, x: str, weight: np.ndarray, bias: np.ndarray, output: str | None) -> str:
    every = ((-1, 0, 1), (-1, 0, 1))
    kernel = np.concatenate([phase_kernel(weight, r, c, every) for r in range(2) for c in range(2)])
    phases = graph.node("Conv", [x, graph.constant(kernel), graph.constant(np.tile(bias, 4))],
                        kernel_shape=[3, 3], pads=[1] * 4)
    return graph.node("DepthToSpace", [phases], output, blocksize=2, mode="DCR")


def _phases(graph: _Builder, x: str, weight: np.ndarray, bias: np.ndarray, output: str | None) -> str:
    parts = []
    for row_phase in range(2):
        for col_phase in range(2):
            rows = tuple(offset for _, offset in sorted(_phase_taps(row_phase), key=lambda pair: pair[1]))
            cols = tuple(offset for _, offset in sorted(_phase_taps(col_phase), key=lambda pair: pair[1]))
            kernel = phase_kernel(weight, row_phase, col_phase, (rows, cols))
            parts.append(graph.node("Conv", [x, graph.constant(kernel), graph.constant(bias)],
                                    kernel_shape=[len(rows), len(cols)],
                                    pads=[-rows[0], -cols[0], rows[-1], cols[-1]]))
    return graph.node("DepthToSpace", [graph.node("Concat", parts, axis=1)], output, blocksize=2, mode="DCR")


_DECONVOLUTIONS: dict[DeconvForm, Callable[[_Builder, str, np.ndarray, np.ndarray, str | None], str]] = {
    DeconvForm.CONV_TRANSPOSE: _conv_transpose,
    DeconvForm.SUBPIXEL: _subpixel,
    DeconvForm.PHASES: _phases,
}
