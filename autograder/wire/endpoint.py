"""One side of the request/reply conversation between the grader and a worker; both sides use it.

Either side may send a request while it waits for the answer to one of its own: the worker
calls back into a grader object it was handed (an objective, a reference dependency), and that
callback may call the student's code again. So `request` sends a frame and then serves every
request that arrives before its own reply, to any depth:

    grader: request(call sigmoid_neuron)  ->  worker: serve -> student code -> stand-in(x)
    grader: serve(call stand-in) <- request(call stand-in)
    grader: reply(return) -> ... ->  worker: reply(return) -> grader: its value

A request carries an id; the trusted side numbers its requests 1, 2, ... and the worker -1, -2,
..., and a reply must carry the id of the request it answers. Objects that are not plain data
stay on their side: `register` puts one in this side's table and sends a `protocol.Handle`;
`resolve` turns a handle of this side back into the object and one of the peer's into a proxy
(`make_proxy`). A proxy of the peer's object travels back as its own handle: it defines
``__wire_handle__()``.

Runs inside the sandbox too (the worker imports it by file name), so it depends on nothing but
the protocol module beside it.
"""
if __package__:
    from . import protocol
else:  # the worker's copy, imported by file name inside the sandbox
    import protocol


class RemoteError(Exception):
    """The peer answered a request with an error: `error` is its description (type, message, ...)."""

    def __init__(self, error):
        self.error = error if isinstance(error, dict) else {}
        super().__init__(f"{self.error.get('type')}: {self.error.get('message')}")


class Endpoint:
    """Sends requests, serves the peer's, and keeps this side's objects the peer holds handles to.

    `stream` has ``recv_into`` and ``sendall`` (a socket, `protocol.PipeEnds`, or a wrapper that
    keeps deadlines). `side` is "t" (trusted) or "w" (worker). `handle_request(message)` answers
    one request of the peer with ``(value, meta)``; `describe_error(exc)` turns what it raised into
    the error sent back, or returns None to let it propagate out of the loop (the trusted side's
    protocol violations and faults end the conversation instead of being answered)."""

    def __init__(self, stream, side, *, max_frame_bytes, make_proxy, handle_request, describe_error):
        self.stream, self.side = stream, side
        self._max_frame_bytes = max_frame_bytes
        self._make_proxy, self._handle_request, self._describe_error = make_proxy, handle_request, describe_error
        self._objects = {}
        self._last_id = 0
        self._id_sign = 1 if side == "t" else -1

    # -- handles
    def register(self, obj):
        """A handle for `obj`: the peer's own handle for a proxy of its object, else a new one of ours."""
        own_handle = getattr(type(obj), "__wire_handle__", None)
        if own_handle is not None:
            return own_handle(obj)
        handle_id = len(self._objects) + 1
        self._objects[handle_id] = obj
        return protocol.Handle(handle_id, self.side, self._type_name(obj))

    def _type_name(self, obj):
        """What a handle says it is: a grader callable's own name (messages name the objective),
        the class of a worker's object (messages say "a Counter object")."""
        if self.side == "t":
            return getattr(obj, "__name__", type(obj).__name__)
        return type(obj).__name__

    def resolve(self, handle):
        if handle.side != self.side:
            return self._make_proxy(handle)
        return self.local(handle.id)

    def local(self, handle_id):
        """The object of ours that the peer refers to by `handle_id`."""
        try:
            return self._objects[handle_id]
        except (KeyError, TypeError):
            raise protocol.ProtocolViolation(f"unknown handle {handle_id!r}") from None

    def forget(self):
        """Drop every object of ours the peer was handed (their handles become unknown)."""
        self._objects = {}

    # -- frames
    def send(self, message):
        protocol.send(self.stream, message, self.register)

    def receive(self):
        return protocol.recv(self.stream, self._max_frame_bytes, self.resolve)

    # -- the loop
    def request(self, message):
        """Send `message` as a new request; serve the peer's requests until its reply arrives.
        Returns ``(value, meta)``; raises `RemoteError` when the peer answered with an error."""
        self._last_id += 1
        rid = self._id_sign * self._last_id
        protocol.send(self.stream, dict(message, id=rid), self.register)
        while True:
            reply = protocol.recv(self.stream, self._max_frame_bytes, self.resolve)
            op = reply["op"]
            if op not in ("return", "raise"):
                self.serve(reply)
                continue
            if reply.get("id") != rid:
                raise protocol.ProtocolViolation("reply to an unknown request")
            if op == "raise":
                raise RemoteError(reply.get("error"))
            meta = reply.get("meta")
            return reply.get("value"), (meta if isinstance(meta, dict) else {})

    def serve(self, message):
        """Answer one request of the peer (its value, or its error as `describe_error` says)."""
        try:
            value, meta = self._handle_request(message)
            reply = {"op": "return", "id": message.get("id"), "value": value}
            if meta:
                reply["meta"] = meta
        except BaseException as exc:  # noqa: B036 - the student's SystemExit/KeyboardInterrupt too
            error = self._describe_error(exc)
            if error is None:
                raise
            reply = {"op": "raise", "id": message.get("id"), "error": error}
        try:
            self.send(reply)
        except TypeError:
            self.send({"op": "raise", "id": message.get("id"),
                       "error": {"type": "TypeError", "message": "returned a value that cannot be sent",
                                 "where": "", "lineno": None, "traceback": ""}})

    def serve_forever(self):
        """Serve the peer's requests until it closes the channel."""
        while True:
            try:
                message = self.receive()
            except EOFError:
                return
            self.serve(message)
