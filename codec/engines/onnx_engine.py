"""The onnxruntime engine: sessions for the float transforms (:class:`OnnxTransforms`) and for the
exact path's float64 products (:func:`float64_product`).

onnxruntime brings its own CPU kernels (MLAS), so the speed of a decode does not depend on which
BLAS the installed NumPy was built with: NumPy 1.26's OpenBLAS ran the same products 4–5 times
slower than NumPy 2.4's on an AVX-512 CPU it did not know (``results/speed/``). Sessions are made
once per graph and process; their threads follow ``OMP_NUM_THREADS`` when it is set, else every
core this process may use.
"""

from __future__ import annotations

import functools
import os
import threading

import numpy as np
import onnxruntime

from aecodec.codec.engines import onnx_graphs
from aecodec.codec.engines.base import FloatParameters
from aecodec.codec.engines.onnx_proto import Model, Node, Value

GRAPH_OPTIMIZATION = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL


def thread_count() -> int:
    """Threads for one session: ``OMP_NUM_THREADS`` if set, else the cores this process may use."""
    setting = os.environ.get("OMP_NUM_THREADS", "")
    if setting.isdigit() and int(setting) > 0:
        return int(setting)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def session(model: Model, threads: int | None = None,
            optimization: onnxruntime.GraphOptimizationLevel = GRAPH_OPTIMIZATION,
            arena: bool = True) -> onnxruntime.InferenceSession:
    """A CPU session for ``model``: ``threads`` intra-op threads (default :func:`thread_count`) that
    sleep rather than spin between operators, one inter-op thread, and onnxruntime's memory arena
    unless ``arena`` is False.

    Spinning threads fight whatever else runs on the cores: on a 2-core machine shared with other
    work, ``g_s`` on a Kodak-size latent took 0.56 s with sleeping threads against 0.65 s spinning.

    The arena reuses the memory of one layer (and one tile) for the next instead of asking the
    system for fresh pages: ``g_s`` on a Kodak-size latent took about a fifth less time with it,
    for a tenth more peak memory (half as much more on a 1152-pixel tile of a large image).
    """
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads or thread_count()
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = optimization
    options.enable_cpu_mem_arena = arena
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(model.to_bytes(), options, providers=["CPUExecutionProvider"])


def shrinking_run() -> onnxruntime.RunOptions:
    """Run options that hand the arena's free memory back when a run ends, so a transform's
    buffers are not held while the rest of the coding (and the next image) allocates its own."""
    options = onnxruntime.RunOptions()
    options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
    return options


@functools.lru_cache(maxsize=1)
def _float64_product() -> onnxruntime.InferenceSession:
    double = np.dtype(np.float64)
    return session(Model("float64_product", [Node("MatMul", ["a", "b"], ["product"])], [],
                         [Value("a", ("m", "k"), double), Value("b", ("k", "n"), double)],
                         [Value("product", ("m", "n"), double)]))


def float64_product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for float64 ``a`` ``[m, k]`` and ``b`` ``[k, n]``, by onnxruntime's own kernel.

    On integer-valued inputs whose partial sums stay below ``2**53`` (the exact path's) every
    product and sum is exact, so the result equals NumPy's bit for bit in any summation order.
    """
    return _float64_product().run(None, {"a": np.ascontiguousarray(a), "b": np.ascontiguousarray(b)})[0]


class OnnxTransforms:
    """The transforms on onnxruntime (:class:`~aecodec.codec.engines.base.Transforms`); each graph and
    session is made on its first call."""

    def __init__(self, parameters: FloatParameters) -> None:
        self._graphs = {"g_a": lambda: onnx_graphs.analysis_graph(parameters.encoder_part("g_a")),
                        "h_a": lambda: onnx_graphs.hyper_analysis_graph(parameters.encoder_part("h_a")),
                        "g_s": lambda: onnx_graphs.synthesis_graph(parameters.g_s)}
        self._sessions: dict[str, onnxruntime.InferenceSession] = {}
        self._lock = threading.Lock()

    def _run(self, name: str, feeds: dict[str, np.ndarray]) -> np.ndarray:
        """Run graph ``name`` (its session made on first use) on float32 ``feeds``."""
        with self._lock:
            if name not in self._sessions:
                self._sessions[name] = session(self._graphs[name]())
        return self._sessions[name].run(None, {key: np.ascontiguousarray(value, dtype=np.float32)
                                               for key, value in feeds.items()}, shrinking_run())[0]

    def analysis(self, image: np.ndarray, gain: np.ndarray) -> np.ndarray:
        return self._run("g_a", {"image": image, "gain": gain})

    def hyper_analysis(self, latent: np.ndarray) -> np.ndarray:
        return self._run("h_a", {"latent": latent})

    def synthesis(self, latent: np.ndarray, gain: np.ndarray) -> np.ndarray:
        return self._run("g_s", {"latent": latent, "gain": gain})
