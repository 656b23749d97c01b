"""The zygote of sandbox/zygote.py with its isolation left out: the baseline of bench.py's warm rows.

    python -I benchmarks/unisolated_zygote.py --wire WIRE_DIR --scratch DIR --control-fd N [--preload a,b]

It runs the real zygote's request loop (`zygote.serve`: the same control protocol, the same
fork per request, the same reaping), started as an ordinary process instead of inside
bubblewrap, and its forked child does what the real one does (`zygote._become_worker`) minus
every isolation step: no new mount or IPC namespace, no tmpfs, no rlimits, no capability or uid
drop, no no_new_privs. The submission is copied to a folder of `--scratch` instead of a private
/scratch. A deliberate, trimmed parallel of `_become_worker` for benchmarks only: never a way to
grade (it isolates nothing).

`zygote._sweep`, which kills every process of the worker's uid in the zygote's own pid namespace,
is replaced: outside a pid namespace that would be every process of the machine's uid.
"""
import argparse
import os
import random
import sys
from pathlib import Path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wire", required=True)
    parser.add_argument("--scratch", required=True)
    options, rest = parser.parse_known_args()
    sys.path.insert(0, options.wire)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "autograder" / "sandbox"))
    import numpy as np
    import worker
    import zygote

    def become_worker(request, channel_fd, output_fd, submission_fd):
        status = 0
        try:
            zygote._keep_only({channel_fd, output_fd, submission_fd})
            os.setsid()
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            os.dup2(output_fd, 1)
            os.dup2(output_fd, 2)
            os.close(devnull)
            os.close(output_fd)
            scratch = os.path.join(options.scratch, str(os.getpid()))
            os.mkdir(scratch)
            path = os.path.join(scratch, os.path.basename(str(request["filename"])))
            with os.fdopen(submission_fd, "rb") as source, open(path, "wb") as target:
                target.write(source.read())
            os.chdir(scratch)
            np.random.seed()
            random.seed()
            sys.argv = [path]
            worker.serve_submission(channel_fd, str(request["module"]), path)
        except BaseException:  # noqa: B036 - the child must not return into the loop
            status = 70
        finally:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except BaseException:  # noqa: B036
                    pass
            os._exit(status)

    zygote._become_worker = become_worker
    zygote._sweep = lambda uid: True  # the forked child is reaped by `_status`; nothing else is ours
    sys.argv = [zygote.__file__, "--wire", options.wire, *rest]
    zygote.main()


if __name__ == "__main__":
    main()
