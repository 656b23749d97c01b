"""The contract facts of one call, observed where the call runs: the floating-point warnings it
raised, whether it used numpy's global random state, which inputs it changed in place, and which
input it returned itself.

The worker reports them for a detailed call (`call_with_details`, `watch` for an object's
methods), and the grader's `checks.contract.local_call` observes a trusted callable with the same
code. Depends on numpy only: the worker imports it by file name inside the sandbox.
"""
import ctypes
import os
import sys
import warnings

import numpy as np


def fresh_global_rng_state():
    """Put numpy's global MT19937 in a fresh random state, so that a call which reseeds it
    (``np.random.seed(0)``) changes it even when an earlier call left exactly that state."""
    state = bytearray(os.urandom(_MT19937_STATE_BYTES))
    state[-4:] = (624).to_bytes(4, sys.byteorder)  # pos = 624: the next draw regenerates the key
    set_global_rng_state(bytes(state))


def call_with_details(func, args, kwargs):
    """Call and report contract facts: FP warnings, global RNG use, and the inputs the call changed
    (`args_changed`: [index, value] pairs; `kwargs_changed`) and the index of the ndarray argument the
    call returned itself (`returned_input`, or None). An input counts as unchanged only if it
    is an ndarray with the same dtype, shape and bytes, or an immutable plain value: anything else
    (lists, objects) is always sent back."""
    fp_events = []
    fresh_global_rng_state()
    rng_before = global_rng_state()
    args_before = [_fingerprint(a) for a in args]
    kwargs_before = {k: _fingerprint(v) for k, v in kwargs.items()}
    with warnings.catch_warnings(record=True) as caught, \
            np.errstate(divide="call", over="call", invalid="call", under="ignore"):
        warnings.simplefilter("always")
        old_call = np.seterrcall(lambda kind, flag: fp_events.append(kind))
        try:
            value = func(*args, **kwargs)
        finally:
            np.seterrcall(old_call)
    fp_events += [f"{w.category.__name__}: {w.message}" for w in caught
                  if issubclass(w.category, (RuntimeWarning, FloatingPointError))]
    meta = {"fp_warnings": sorted(set(map(str, fp_events))),
            "global_rng_used": global_rng_state() != rng_before,
            "args_changed": [[i, a] for i, (a, before) in enumerate(zip(args, args_before))
                             if before is None or _fingerprint(a) != before],
            "kwargs_changed": {k: v for k, v in kwargs.items()
                               if kwargs_before[k] is None or _fingerprint(v) != kwargs_before[k]},
            "returned_input": next((i for i, a in enumerate(args) if a is value and type(a) is np.ndarray), None)}
    return value, meta


def watch(watched, func, args, kwargs):
    """`call_with_details` for a method of one object, watching that object's earlier calls too.

    `watched` is ``{"calls": number of the object's earlier detailed calls, "arrays": [[call, where,
    array, fingerprint], ...]}`` for every ndarray argument and result of those calls (``call``
    counts them from 0; ``where`` is the argument's
    index, or -1 for the returned value). An array that an earlier call received or returned and
    this call changed in place (state kept by reference: ``self.v = g`` then ``self.v *= mu``)
    is reported in ``earlier_changed`` as ``[call, where, value now]``, and watched from then on
    with its new contents.
    """
    value, meta = call_with_details(func, args, kwargs)
    changed = []
    for entry in watched["arrays"]:
        now = _fingerprint(entry[2])
        if now != entry[3]:
            changed.append([entry[0], entry[1], entry[2]])
            entry[3] = now
    meta["earlier_changed"] = changed
    for where, item in [*enumerate(args), (-1, value)]:
        if type(item) is np.ndarray and not any(item is entry[2] for entry in watched["arrays"]):
            watched["arrays"].append([watched["calls"], where, item, _fingerprint(item)])
    watched["calls"] += 1
    return value, meta


_IMMUTABLE = (type(None), bool, int, float, complex, str)


def _fingerprint(value):
    """What tells whether `value` changed during a call: an ndarray's dtype, shape and bytes; an
    immutable plain value itself; None (unknown: send it back) for anything else."""
    if type(value) is np.ndarray:
        return value.dtype.str, value.shape, value.tobytes()
    if type(value) in _IMMUTABLE:
        return type(value), value
    return None


_GLOBAL_BIT_GENERATOR = np.random.mtrand._rand._bit_generator  # behind np.random.rand, np.random.seed, ...
_MT19937_STATE_BYTES = 624 * 4 + 4  # numpy's mt19937_state: uint32 key[624]; int pos


def global_rng_state():
    """The raw bytes of numpy's global MT19937 state: what tells whether a call used it, read
    directly because `np.random.get_state` builds a dict and an array each time."""
    return ctypes.string_at(_GLOBAL_BIT_GENERATOR.ctypes.state_address, _MT19937_STATE_BYTES)



def set_global_rng_state(state):
    """Put numpy's global MT19937 back in `state` (bytes of `global_rng_state`)."""
    ctypes.memmove(_GLOBAL_BIT_GENERATOR.ctypes.state_address, state, len(state))
