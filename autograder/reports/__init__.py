"""Reports over grading results: terminal, feedback.md/.html, figures, summary, GitHub, JUnit.

Every writer is a pure function of `autograder.results` objects; none grades anything.
Importing this package is cheap: matplotlib is imported only when a figure is drawn.
"""
