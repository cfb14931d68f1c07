"""ONNX models as bytes, written directly in protobuf's wire format (no ``onnx`` import).

The graphs of :mod:`aecodec.codec.engines.onnx_graphs` need only a few messages (model, graph, node,
attribute, tensor, value info), so they are written here field by field from the ONNX schema
(``onnx/onnx.proto``). The ``onnx`` package would do the same, but importing it loads NumPy
extensions (``ml_dtypes``) that cost a command-line decode more time than the whole decode of a
small image; the tests parse these bytes with ``onnx`` and run its checker on them.

>>> model = Model("tiny", [Node("Abs", ["x"], ["y"])], [], [Value("x", (1, "n"))], [Value("y", (1, "n"))])
>>> len(model.to_bytes()) > 0
True
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np

IR_VERSION = 8
"""The ONNX IR version that opset 17 goes with."""
OPSET = 17
_FLOAT, _DOUBLE = 1, 11
_ELEMENT_TYPES = {np.dtype(np.float32): _FLOAT, np.dtype(np.float64): _DOUBLE}
_ATTRIBUTE_FLOAT, _ATTRIBUTE_INT, _ATTRIBUTE_STRING, _ATTRIBUTE_INTS = 1, 2, 3, 7


def _varint(value: int) -> bytes:
    """A protobuf varint; negative numbers as their 64-bit two's complement."""
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _tag(number: int, wire_type: int) -> bytes:
    return _varint(number << 3 | wire_type)


def _int(number: int, value: int) -> bytes:
    return _tag(number, 0) + _varint(value)


def _bytes(number: int, value: bytes) -> bytes:
    return _tag(number, 2) + _varint(len(value)) + value


def _text(number: int, value: str) -> bytes:
    return _bytes(number, value.encode())


@dataclass(frozen=True)
class Node:
    """An operator: ``op`` with its inputs, outputs and attributes (int, float, str or int list)."""

    op: str
    inputs: list[str]
    outputs: list[str]
    attributes: dict[str, int | float | str | list[int]] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        fields = [_text(1, name) for name in self.inputs] + [_text(2, name) for name in self.outputs]
        fields.append(_text(4, self.op))
        fields += [_bytes(5, _attribute(name, value)) for name, value in self.attributes.items()]
        return b"".join(fields)


def _attribute(name: str, value: int | float | str | list[int]) -> bytes:
    """AttributeProto: name 1, f 2, i 3, s 4, ints 8, type 20."""
    if isinstance(value, (bool, int)):
        body, kind = _int(3, int(value)), _ATTRIBUTE_INT
    elif isinstance(value, float):
        body, kind = _tag(2, 5) + struct.pack("<f", value), _ATTRIBUTE_FLOAT
    elif isinstance(value, str):
        body, kind = _text(4, value), _ATTRIBUTE_STRING
    else:
        body, kind = b"".join(_int(8, int(item)) for item in value), _ATTRIBUTE_INTS
    return _text(1, name) + body + _int(20, kind)


@dataclass(frozen=True)
class Value:
    """A graph input or output: a float32 (or float64) tensor with fixed or named dimensions."""

    name: str
    shape: tuple[int | str, ...]
    dtype: np.dtype = np.dtype(np.float32)

    def to_bytes(self) -> bytes:
        dims = b"".join(_bytes(1, _text(2, dim) if isinstance(dim, str) else _int(1, dim)) for dim in self.shape)
        tensor_type = _int(1, _ELEMENT_TYPES[np.dtype(self.dtype)]) + _bytes(2, dims)
        return _text(1, self.name) + _bytes(2, _bytes(1, tensor_type))


def _tensor(name: str, array: np.ndarray) -> bytes:
    """TensorProto: dims 1, data_type 2, name 8, raw_data 9 (little-endian)."""
    data = np.ascontiguousarray(array)
    dims = b"".join(_int(1, size) for size in data.shape)
    return dims + _int(2, _ELEMENT_TYPES[data.dtype]) + _text(8, name) + _bytes(9, data.astype(data.dtype.newbyteorder("<")).tobytes())


@dataclass(frozen=True)
class Model:
    """A one-graph model of the default ONNX domain at :data:`OPSET`."""

    name: str
    nodes: list[Node]
    initializers: list[tuple[str, np.ndarray]]
    inputs: list[Value]
    outputs: list[Value]

    def to_bytes(self) -> bytes:
        """The serialized ``ModelProto``."""
        graph = b"".join([*(_bytes(1, node.to_bytes()) for node in self.nodes), _text(2, self.name),
                          *(_bytes(5, _tensor(name, array)) for name, array in self.initializers),
                          *(_bytes(11, value.to_bytes()) for value in self.inputs),
                          *(_bytes(12, value.to_bytes()) for value in self.outputs)])
        opset = _text(1, "") + _int(2, OPSET)
        return _int(1, IR_VERSION) + _text(2, "aecodec") + _bytes(7, graph) + _bytes(8, opset)
