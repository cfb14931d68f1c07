"""The float transforms ``g_a``, ``h_a`` and ``g_s`` on an engine, torch-free: the common interface
and cache (``base``), onnxruntime (``onnx_engine``, graphs built from the weights in
``onnx_graphs``), NumPy (``numpy_engine``, ``g_s`` only), overlapping tiles (``tiling``) and the
ONNX export for deployment. The torch engine is :mod:`aecodec.codec.model.torch_engine`. No
engine chooses a probability table."""
