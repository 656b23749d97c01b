"""The framed, data-only protocol between the trusted grader and an untrusted worker.

A frame is ``<u32 header length><u32 payload length><header JSON><payload bytes>``.
The header is a JSON message whose values are encoded with the tags below; numeric
array data travels raw in the payload and is referenced by ``[offset, nbytes]``.

    None, bool, int, float, str     as JSON (NaN and infinities allowed)
    {"$t": [...]}                   tuple
    {"$d": [[key, value], ...]}     dict with str keys
    {"$c": [re, im]}                complex
    {"$a": [off, n], "dtype": "<f8", "shape": [...], "scalar": bool}
                                    numeric ndarray (or numpy scalar); never object arrays
    {"$h": id, "side": "w"|"t", "type": name}
                                    handle to an object that lives on one side

Decoding is strict: anything else is a `ProtocolViolation`. Nothing is ever unpickled,
and decoded arrays are fresh base-class `numpy.ndarray` objects that own their data.
This module is imported by both sides and so depends on nothing but numpy.
"""
import json
import socket
import struct

import numpy as np

_HEADER = struct.Struct("<II")
MAX_HEADER_BYTES = 4 << 20
SMALL_PAYLOAD_BYTES = 64 << 10  # up to this, arrays are copied into the header's buffer: one send
MAX_DEPTH = 64
MAX_ITEMS = 1_000_000
ALLOWED_DTYPES = frozenset(
    np.dtype(t).str
    for t in ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
              "uint64", "float16", "float32", "float64", "complex64", "complex128")
)


class ProtocolViolation(Exception):
    """The peer sent something that is not a well-formed, data-only frame."""


class Handle:
    """A reference to an object living on the `side` ("w" worker, "t" trusted)."""

    __slots__ = ("id", "side", "type")

    def __init__(self, id, side, type):
        self.id, self.side, self.type = id, side, type


# ----------------------------------------------------------------------------- encode

class Payload(list):
    """The byte buffers of a frame's arrays, in order, and their total size so far."""

    nbytes = 0


def encode(value, register, buffers: Payload):
    """JSON-able form of `value`; arrays go to `buffers`; other objects to `register(obj) -> Handle`."""
    if value is None or type(value) in (bool, str):
        return value
    if type(value) is int:
        return value
    if type(value) is float:
        return value
    if isinstance(value, Handle):
        return {"$h": value.id, "side": value.side, "type": value.type}
    if isinstance(value, (np.ndarray, np.generic)) and _wire_dtype(value) in ALLOWED_DTYPES:
        return _encode_array(value, buffers)
    if type(value) is complex:
        return {"$c": [value.real, value.imag]}
    if type(value) is tuple:
        return {"$t": [encode(v, register, buffers) for v in value]}
    if type(value) is list:
        return [encode(v, register, buffers) for v in value]
    if type(value) is dict and all(type(k) is str for k in value):
        return {"$d": [[k, encode(v, register, buffers)] for k, v in value.items()]}
    return encode(register(value), register, buffers)


def _wire_dtype(value):
    """The little-endian dtype string an array travels as."""
    return np.asarray(value).dtype.newbyteorder("<").str


def _encode_array(value, buffers):
    """The array's bytes go to `buffers` as a view of a C-ordered base-class copy (no bytes copy)."""
    scalar = isinstance(value, np.generic)
    arr = np.array(value, dtype=_wire_dtype(value), order="C", subok=False, copy=True)
    data = memoryview(arr.reshape(-1)).cast("B")
    offset = buffers.nbytes
    buffers.append(data)
    buffers.nbytes += data.nbytes
    return {"$a": [offset, data.nbytes], "dtype": arr.dtype.str, "shape": list(arr.shape),
            "scalar": scalar}


# ----------------------------------------------------------------------------- decode

def decode(obj, payload, make_handle, depth=0, budget=None):
    """Inverse of `encode`, strict; `make_handle(Handle) -> object` resolves handles."""
    if budget is None:
        budget = [MAX_ITEMS]
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise ProtocolViolation("message too large or too deeply nested")
    t = type(obj)
    if obj is None or t in (bool, int, float, str):
        return obj
    if t is list:
        return [decode(v, payload, make_handle, depth + 1, budget) for v in obj]
    if t is not dict or len(obj) == 0:
        raise ProtocolViolation(f"unexpected JSON value of type {t.__name__}")
    if "$t" in obj and len(obj) == 1 and type(obj["$t"]) is list:
        return tuple(decode(v, payload, make_handle, depth + 1, budget) for v in obj["$t"])
    if "$d" in obj and len(obj) == 1 and type(obj["$d"]) is list:
        out = {}
        for pair in obj["$d"]:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                raise ProtocolViolation("malformed dict entry")
            out[pair[0]] = decode(pair[1], payload, make_handle, depth + 1, budget)
        return out
    if "$c" in obj and len(obj) == 1:
        re_im = obj["$c"]
        if type(re_im) is not list or len(re_im) != 2 or not all(type(x) in (int, float) for x in re_im):
            raise ProtocolViolation("malformed complex")
        return complex(re_im[0], re_im[1])
    if "$a" in obj:
        return _decode_array(obj, payload)
    if "$h" in obj:
        if set(obj) != {"$h", "side", "type"} or type(obj["$h"]) is not int \
                or obj["side"] not in ("w", "t") or type(obj["type"]) is not str:
            raise ProtocolViolation("malformed handle")
        return make_handle(Handle(obj["$h"], obj["side"], obj["type"][:200]))
    raise ProtocolViolation("unknown tagged value")


def _decode_array(obj, payload):
    if set(obj) != {"$a", "dtype", "shape", "scalar"}:
        raise ProtocolViolation("malformed array")
    span, dtype, shape = obj["$a"], obj["dtype"], obj["shape"]
    if dtype not in ALLOWED_DTYPES:
        raise ProtocolViolation(f"array dtype {dtype!r} is not numeric")
    if (type(span) is not list or len(span) != 2 or not all(type(x) is int and x >= 0 for x in span)
            or type(shape) is not list or not all(type(d) is int and d >= 0 for d in shape)
            or len(shape) > 32):
        raise ProtocolViolation("malformed array")
    dt = np.dtype(dtype)
    count = 1
    for d in shape:
        count *= d
    offset, nbytes = span
    if count * dt.itemsize != nbytes or offset + nbytes > len(payload):
        raise ProtocolViolation("array size does not match its data")
    arr = np.frombuffer(payload, dtype=dt, count=count, offset=offset).reshape(shape).copy()
    if obj["scalar"] is True:
        if shape:
            raise ProtocolViolation("scalar with a shape")
        return arr[()]
    return arr


# ----------------------------------------------------------------------------- frames

def frame_parts(message, register=None):
    """The frame for `message` (a dict whose values are encoded) as a list of byte buffers:
    the two lengths and the header, then the arrays' bytes (small ones joined into it)."""
    buffers = Payload()
    register = register or _refuse_objects
    header = json.dumps({k: encode(v, register, buffers) for k, v in message.items()},
                        allow_nan=True, separators=(",", ":")).encode()
    payload_len = buffers.nbytes
    head = _HEADER.pack(len(header), payload_len) + header
    if payload_len <= SMALL_PAYLOAD_BYTES:
        return [head + b"".join(buffers)]
    return [head, *buffers]


def pack(message, register=None):
    """One frame (bytes) for `message`."""
    return b"".join(frame_parts(message, register))


def _refuse_objects(obj):
    raise TypeError(f"cannot send a {type(obj).__name__}")


def send(sock, message, register=None):
    """Send one frame; large arrays go out from their own memory, without being copied into it."""
    for part in frame_parts(message, register):
        sock.sendall(part)


def recv(sock, max_frame_bytes, make_handle):
    """Read one frame; returns the decoded message dict. Raises EOFError when the peer closed."""
    head = _recv_exact(sock, _HEADER.size)
    header_len, payload_len = _HEADER.unpack(head)
    if header_len > MAX_HEADER_BYTES or header_len + payload_len > max_frame_bytes:
        raise ProtocolViolation(f"frame of {header_len + payload_len} bytes exceeds the limit")
    body = _recv_exact(sock, header_len + payload_len)
    header, payload = bytes(body[:header_len]), memoryview(body)[header_len:]
    try:
        raw = json.loads(header)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ProtocolViolation(f"header is not JSON: {exc}") from None
    if type(raw) is not dict or type(raw.get("op")) is not str:
        raise ProtocolViolation("message without op")
    budget = [MAX_ITEMS]
    return {k: decode(v, payload, make_handle, 1, budget) for k, v in raw.items()}


def _recv_exact(sock, n):
    """Exactly `n` bytes, read straight into one buffer."""
    body = bytearray(n)
    view, got = memoryview(body), 0
    while got < n:
        count = sock.recv_into(view[got:], min(n - got, 1 << 20))
        if not count:
            raise EOFError("peer closed the channel")
        got += count
    return body


def socket_from_fd(fd):
    return socket.socket(fileno=fd)
