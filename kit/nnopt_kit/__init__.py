"""nnopt-kit: the students' self-check for the nnopt course (SPEC §2.1).

`python -m nnopt_kit check --assignment NAME PATH` runs the visible checks of one assignment on a
submission, as the course's grader does, with the reference's results recorded at release
(`nnopt_kit.replay`): the kit holds neither the reference solutions nor the hidden checks.
"""
__version__ = "0.1.0"
