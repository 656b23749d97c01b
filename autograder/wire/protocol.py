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
    {"$s": array}                   list of STACK_MIN or more arrays of one dtype and shape
                                    (ndim >= 1), sent as one stacked array (an optimizer's steps)
    {"$z": [array, ...]}            list of tuples, position i of every tuple from the
                                    i-th stacked array (e.g. a `map`'s argument tuples)

Decoding is strict: anything else is a `ProtocolViolation`. Nothing is ever unpickled,
and decoded arrays are fresh base-class `numpy.ndarray` objects that own their data.
This module is imported by both sides and so depends on nothing but numpy.
"""
import json
import os
import socket
import struct

import numpy as np

_HEADER = struct.Struct("<II")
MAX_HEADER_BYTES = 4 << 20
SMALL_PAYLOAD_BYTES = 64 << 10  # up to this, arrays are copied into the header's buffer: one send
FIRST_READ_BYTES = 4 << 10  # a frame up to this size arrives with one read
MAX_DEPTH = 64
STACK_MIN = 4  # shorter lists of arrays go element by element: np.stack costs about two arrays' encoding
MAX_ITEMS = 1_000_000
ALLOWED_DTYPES = frozenset(
    np.dtype(t).str
    for t in ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
              "uint64", "float16", "float32", "float64", "complex64", "complex128")
)
_DTYPES = {name: np.dtype(name) for name in ALLOWED_DTYPES}  # wire string -> dtype
_WIRE_NAMES = {}  # dtype -> wire string, filled as arrays of allowed dtypes are sent
_ARRAY_KEYS = frozenset({"$a", "dtype", "shape", "scalar"})
_JSON_VALUES = frozenset({type(None), bool, int, float, str})  # travel as themselves
_dump_json = json.JSONEncoder(allow_nan=True, separators=(",", ":")).encode
_load_json = json.JSONDecoder().decode


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
    if type(value) in _JSON_VALUES:
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
        if len(value) >= STACK_MIN:
            if _stackable(value):
                return {"$s": _encode_array(np.stack(value), buffers)}
            columns = _columns(value)
            if columns is not None:
                return {"$z": [_encode_array(np.stack(column), buffers) for column in columns]}
        return [encode(v, register, buffers) for v in value]
    if type(value) is dict and all(type(k) is str for k in value):
        return {"$d": [[k, encode(v, register, buffers)] for k, v in value.items()]}
    return encode(register(value), register, buffers)


def _stackable(items):
    """Whether `items` are base-class arrays (ndim >= 1) of one allowed dtype and one shape."""
    first = items[0]
    if type(first) is not np.ndarray or first.ndim == 0 or _wire_dtype(first) not in ALLOWED_DTYPES:
        return False
    dtype, shape = first.dtype, first.shape
    return all(type(item) is np.ndarray and item.dtype == dtype and item.shape == shape for item in items)


def _columns(items):
    """The columns of a list of equal-length tuples whose every position is `_stackable`, else None."""
    first = items[0]
    if type(first) is not tuple or not first or not all(type(t) is tuple and len(t) == len(first) for t in items):
        return None
    columns = [[t[i] for t in items] for i in range(len(first))]
    return columns if all(_stackable(column) for column in columns) else None


def _wire_dtype(value):
    """The little-endian dtype string an array (or numpy scalar) travels as."""
    dtype = value.dtype
    name = _WIRE_NAMES.get(dtype)
    if name is None:
        name = dtype.newbyteorder("<").str
        if name in ALLOWED_DTYPES:  # a bounded cache: student code may make any number of other dtypes
            _WIRE_NAMES[dtype] = name
    return name


def _encode_array(value, buffers):
    """The array's bytes go to `buffers` as a view: of the array itself when it is a C-ordered
    base-class array in its wire dtype, else of such a copy. Frames are sent before anything else
    runs in the sending thread, so the view is never seen changed."""
    scalar = isinstance(value, np.generic)
    wire = _wire_dtype(value)
    if type(value) is np.ndarray and value.flags.c_contiguous and value.dtype.str == wire:
        arr = value
    else:
        arr = np.array(value, dtype=wire, order="C", subok=False, copy=True)
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
    if t in _JSON_VALUES:
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
    if "$s" in obj and len(obj) == 1:
        return _decode_rows(obj["$s"], payload, budget)
    if "$z" in obj and len(obj) == 1 and type(obj["$z"]) is list and obj["$z"]:
        columns = [_decode_rows(column, payload, budget) for column in obj["$z"]]
        if len({len(column) for column in columns}) != 1:
            raise ProtocolViolation("columns of different lengths")
        return list(zip(*columns))
    if "$h" in obj:
        if set(obj) != {"$h", "side", "type"} or type(obj["$h"]) is not int \
                or obj["side"] not in ("w", "t") or type(obj["type"]) is not str:
            raise ProtocolViolation("malformed handle")
        return make_handle(Handle(obj["$h"], obj["side"], obj["type"][:200]))
    raise ProtocolViolation("unknown tagged value")


def _decode_array(obj, payload):
    arr = _array_view(obj, payload).copy()
    return arr[()] if obj["scalar"] is True else arr


def _decode_rows(obj, payload, budget):
    """A stacked array's rows, each a fresh array that owns its data."""
    if type(obj) is not dict or "$a" not in obj:
        raise ProtocolViolation("malformed stacked arrays")
    block = _array_view(obj, payload)
    if obj["scalar"] is True or block.ndim < 2:
        raise ProtocolViolation("stacked arrays need ndim >= 2")
    budget[0] -= len(block)
    if budget[0] < 0:
        raise ProtocolViolation("message too large or too deeply nested")
    return [row.copy() for row in block]


def _array_view(obj, payload):
    """An encoded array, checked, as a read-only view of the frame's payload."""
    if obj.keys() != _ARRAY_KEYS:
        raise ProtocolViolation("malformed array")
    span, shape = obj["$a"], obj["shape"]
    dt = _DTYPES.get(obj["dtype"]) if type(obj["dtype"]) is str else None
    if dt is None:
        raise ProtocolViolation(f"array dtype {obj['dtype']!r} is not numeric")
    if type(span) is not list or len(span) != 2 or type(shape) is not list or len(shape) > 32:
        raise ProtocolViolation("malformed array")
    offset, nbytes = span
    count = 1
    for d in (offset, nbytes, *shape):
        if type(d) is not int or d < 0:
            raise ProtocolViolation("malformed array")
    for d in shape:
        count *= d
    if count * dt.itemsize != nbytes or offset + nbytes > len(payload):
        raise ProtocolViolation("array size does not match its data")
    if obj["scalar"] is True and shape:
        raise ProtocolViolation("scalar with a shape")
    return np.frombuffer(payload, dtype=dt, count=count, offset=offset).reshape(shape)


# ----------------------------------------------------------------------------- frames

def frame_parts(message, register=None):
    """The frame for `message` (a dict whose values are encoded) as a list of byte buffers:
    the two lengths and the header, then the arrays' bytes (small ones joined into it)."""
    buffers = Payload()
    register = register or _refuse_objects
    header = _dump_json({k: encode(v, register, buffers) for k, v in message.items()}).encode()
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
    """Read one frame; returns the decoded message dict. Raises EOFError when the peer closed.

    Requests and replies alternate, so a frame is all there is to read: a small one arrives
    with one read. Bytes after it mean the peer did not wait for an answer: a violation."""
    first = bytearray(FIRST_READ_BYTES)
    got = _recv_into(sock, first, 0, FIRST_READ_BYTES)
    while got < _HEADER.size:
        got = _recv_into(sock, first, got, FIRST_READ_BYTES)
    header_len, payload_len = _HEADER.unpack_from(first)
    if header_len > MAX_HEADER_BYTES or header_len + payload_len > max_frame_bytes:
        raise ProtocolViolation(f"frame of {header_len + payload_len} bytes exceeds the limit")
    size = _HEADER.size + header_len + payload_len
    if got > size:
        raise ProtocolViolation("data after the frame: a request or reply was sent before the answer")
    if size <= FIRST_READ_BYTES:
        body = first
    else:
        body = bytearray(size)
        body[:got] = memoryview(first)[:got]
    while got < size:
        got = _recv_into(sock, body, got, size)
    header, payload = body[_HEADER.size:_HEADER.size + header_len], memoryview(body)[_HEADER.size + header_len:size]
    try:
        raw = _load_json(header.decode())
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ProtocolViolation(f"header is not JSON: {exc}") from None
    if type(raw) is not dict or type(raw.get("op")) is not str:
        raise ProtocolViolation("message without op")
    budget = [MAX_ITEMS]
    return {k: decode(v, payload, make_handle, 1, budget) for k, v in raw.items()}


def _recv_into(sock, buffer, got, end):
    """Read into ``buffer[got:end]`` (at most 1 MiB at a time); the new fill level."""
    count = sock.recv_into(memoryview(buffer)[got:end], min(end - got, 1 << 20))
    if not count:
        raise EOFError("peer closed the channel")
    return got + count


def socket_from_fd(fd):
    return socket.socket(fileno=fd)


class PipeEnds:
    """The channel as two blocking pipe descriptors (the portable worker's stdin and stdout),
    with the two methods `send` and `recv` use on a socket. Portable: plain `os.read` and
    `os.write`, which work on pipes on Windows as on POSIX."""

    def __init__(self, read_fd, write_fd):
        self.read_fd, self.write_fd = read_fd, write_fd

    def recv_into(self, buffer, nbytes):
        """Read at most `nbytes` into `buffer` (one read: what the pipe holds); 0 at end of file."""
        chunk = os.read(self.read_fd, min(nbytes, len(buffer)))
        buffer[:len(chunk)] = chunk
        return len(chunk)

    def sendall(self, data):
        view = memoryview(data).cast("B")
        while view:
            view = view[os.write(self.write_fd, view):]

    def close(self):
        for fd in (self.read_fd, self.write_fd):
            try:
                os.close(fd)
            except OSError:
                pass
