"""Course plumbing after grading: roster, late policy, gradebooks, LMS import files, course merge.

roster.py (who, and their LMS identities), late.py (course file, deadlines, penalties), book.py
(one assignment's gradebook), lms.py (Canvas and Moodle import CSVs), course.py (all assignments).
"""
