"""The trusted side's handle on the student's code, which runs in a sandboxed worker.

`StudentCode` (student.py) is what checks use; the faults a call can end in are in errors.py.
"""
from autograder.remote.errors import (
    CallResult, ProtocolViolation, StudentCrash, StudentException, StudentFault, StudentTimeout, StudentValueError,
    SubmissionImportError)
from autograder.remote.proxies import Constructed, RemoteCallable, RemoteObject
from autograder.remote.student import StudentCode

__all__ = ["CallResult", "Constructed", "ProtocolViolation", "RemoteCallable", "RemoteObject", "StudentCode",
           "StudentCrash", "StudentException", "StudentFault", "StudentTimeout", "StudentValueError",
           "SubmissionImportError"]
