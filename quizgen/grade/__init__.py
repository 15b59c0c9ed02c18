"""Grading: submissions read, graded column by column into the gradebook, feedback pages per
student, item analysis, and a simulated class to rehearse with."""
