"""The wire protocol decodes plain data only: no pickle, no object arrays, no subclasses."""
import json
import pickle
import socket
import struct
import threading
import time

import numpy as np
import pytest

from autograder.wire import protocol


def roundtrip(message, register=None, make_handle=lambda h: h):
    a, b = socket.socketpair()
    with a, b:
        a.sendall(protocol.pack(message, register))
        return protocol.recv(b, 1 << 24, make_handle)


def raw_frame(header: dict, payload: bytes = b"") -> bytes:
    body = json.dumps(header).encode()
    return struct.pack("<II", len(body), len(payload)) + body + payload


def receive_raw(frame: bytes, limit=1 << 24):
    a, b = socket.socketpair()
    with a, b:
        a.sendall(frame)
        return protocol.recv(b, limit, lambda h: h)


def test_plain_values_roundtrip_with_types():
    value = (np.arange(6.0).reshape(2, 3), np.float64(2.5), np.int32(7), [1, 2.0, None, True, "s", 1 + 2j],
             {"x": np.zeros(0), "nested": (np.array([True, False]),)}, float("nan"), float("inf"))
    got = roundtrip({"op": "x", "v": value})["v"]
    assert type(got) is tuple and type(got[0]) is np.ndarray and got[0].dtype == np.float64
    np.testing.assert_array_equal(got[0], value[0])
    assert type(got[1]) is np.float64 and got[1] == 2.5
    assert type(got[2]) is np.int32 and got[2] == 7
    assert got[3] == [1, 2.0, None, True, "s", 1 + 2j]
    assert got[4]["x"].shape == (0,) and got[4]["nested"][0].dtype == bool
    assert np.isnan(got[5]) and got[6] == np.inf


def test_decoded_arrays_own_their_data_and_are_base_class():
    class Lying(np.ndarray):
        def __eq__(self, other):
            return True

    lying = np.arange(3.0).view(Lying)
    got = roundtrip({"op": "x", "v": lying})["v"]
    assert type(got) is np.ndarray and got.flags.owndata and got.flags.writeable
    assert not np.array_equal(got, np.zeros(3))


def test_lists_of_like_arrays_travel_stacked_and_arrive_as_separate_arrays():
    """A list of arrays of one dtype and shape, and a list of tuples of such columns (`map`'s
    argument lists), go as one stacked array each; they arrive as before: lists (of tuples) of
    base-class arrays that own their data. Anything else goes element by element."""
    steps = [np.arange(6.0).reshape(2, 3) + k for k in range(4)]
    pairs = [(np.full(3, float(k)), np.arange(3, dtype=">i4") * k) for k in range(4)]
    mixed = [np.zeros(2), np.zeros(3), np.float64(1.0), np.zeros(2)]
    short = steps[:protocol.STACK_MIN - 1]
    frame = protocol.pack({"op": "x", "steps": steps, "pairs": pairs, "mixed": mixed, "short": short})
    header_length, _ = struct.unpack("<II", frame[:8])
    header = json.loads(frame[8:8 + header_length])
    assert set(header["steps"]) == {"$s"} and set(header["pairs"]) == {"$z"}
    assert type(header["mixed"]) is list and type(header["short"]) is list
    got = roundtrip({"op": "x", "steps": steps, "pairs": pairs, "mixed": mixed})
    assert type(got["steps"]) is list and len(got["steps"]) == 4
    for sent, arrived in zip(steps, got["steps"]):
        assert type(arrived) is np.ndarray and arrived.flags.owndata and arrived.base is None
        np.testing.assert_array_equal(arrived, sent)
    assert type(got["pairs"]) is list and all(type(t) is tuple and len(t) == 2 for t in got["pairs"])
    for (w, g), (w2, g2) in zip(pairs, got["pairs"]):
        np.testing.assert_array_equal(w2, w)
        assert g2.dtype == np.dtype("<i4") and g2.tolist() == g.tolist() and g2.flags.owndata
    assert [a.shape for a in got["mixed"][:2]] == [(2,), (3,)] and type(got["mixed"][2]) is np.float64


def test_big_endian_arrays_travel_as_little_endian():
    got = roundtrip({"op": "x", "v": np.arange(4, dtype=">f8")})["v"]
    assert got.dtype == np.dtype("<f8") and got.tolist() == [0.0, 1.0, 2.0, 3.0]


def test_non_plain_objects_become_handles_never_pickles():
    class Opaque:
        pass

    registered = []

    def register(obj):
        registered.append(obj)
        return protocol.Handle(1, "w", type(obj).__name__)

    got = roundtrip({"op": "x", "v": [Opaque(), np.array([object()], dtype=object)]}, register)["v"]
    assert all(isinstance(h, protocol.Handle) for h in got) and len(registered) == 2


@pytest.mark.parametrize("header, payload, why", [
    ({"op": "x", "v": {"$a": [0, 8], "dtype": "|O", "shape": [1], "scalar": False}}, b"\0" * 8, "object dtype"),
    ({"op": "x", "v": {"$a": [0, 16], "dtype": "<f8", "shape": [1], "scalar": False}}, b"\0" * 16, "size mismatch"),
    ({"op": "x", "v": {"$a": [8, 8], "dtype": "<f8", "shape": [1], "scalar": False}}, b"\0" * 8, "past the payload"),
    ({"op": "x", "v": {"$a": [0, 8], "dtype": "<f8", "shape": [1], "scalar": False, "x": 1}}, b"\0" * 8, "extra key"),
    ({"op": "x", "v": {"__reduce__": "os.system"}}, b"", "unknown dict"),
    ({"op": "x", "v": {"$d": [[1, 2]]}}, b"", "non-str key"),
    ({"op": "x", "v": {"$h": "1", "side": "w", "type": "T"}}, b"", "malformed handle"),
    ({"op": "x", "v": {"$s": {"$a": [0, 8], "dtype": "<f8", "shape": [1], "scalar": False}}}, b"\0" * 8,
     "stacked arrays of ndim 1 (rows would be scalars)"),
    ({"op": "x", "v": {"$s": [1, 2]}}, b"", "stacked arrays that are not an array"),
    ({"op": "x", "v": {"$z": [{"$a": [0, 16], "dtype": "<f8", "shape": [2, 1], "scalar": False},
                              {"$a": [16, 8], "dtype": "<f8", "shape": [1, 1], "scalar": False}]}}, b"\0" * 24,
     "columns of different lengths"),
    ({"v": 1}, b"", "no op"),
])
def test_malformed_frames_are_protocol_violations(header, payload, why):
    with pytest.raises(protocol.ProtocolViolation):
        receive_raw(raw_frame(header, payload))


def test_a_pickle_payload_is_not_json_and_is_refused():
    blob = pickle.dumps({"op": "return"})
    frame = struct.pack("<II", len(blob), 0) + blob
    with pytest.raises(protocol.ProtocolViolation):
        receive_raw(frame)


def test_oversized_frames_are_refused_before_reading_them():
    frame = struct.pack("<II", 10, 1 << 30)
    with pytest.raises(protocol.ProtocolViolation, match="exceeds the limit"):
        receive_raw(frame, limit=1 << 20)


def test_a_frame_sent_before_the_answer_is_a_violation():
    """Requests and replies alternate: a second frame already waiting behind the first is refused."""
    with pytest.raises(protocol.ProtocolViolation, match="data after the frame"):
        receive_raw(protocol.pack({"op": "return", "value": 1}) + protocol.pack({"op": "return", "value": 2}))


def test_a_frame_larger_than_the_first_read_arrives_whole_in_pieces():
    """A frame is read until complete, whatever the pieces the peer's sends arrive in."""
    big = np.arange(3 * protocol.FIRST_READ_BYTES, dtype=np.float64)
    frame = protocol.pack({"op": "return", "value": [big, "tail"]})
    a, b = socket.socketpair()

    def send_slowly():  # the reader sees the frame in parts
        for start in range(0, len(frame), 1000):
            a.sendall(frame[start:start + 1000])
            time.sleep(0.0005)

    with a, b:
        sender = threading.Thread(target=send_slowly)
        sender.start()
        message = protocol.recv(b, 1 << 24, lambda h: h)
        sender.join()
    value, tail = message["value"]
    np.testing.assert_array_equal(value, big)
    assert tail == "tail"


def test_deep_nesting_is_refused():
    value = []
    for _ in range(200):
        value = [value]
    with pytest.raises(protocol.ProtocolViolation):
        roundtrip({"op": "x", "v": value})
