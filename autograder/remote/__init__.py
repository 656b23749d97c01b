"""The trusted side's handle on the student's code, which runs in a sandboxed worker."""
