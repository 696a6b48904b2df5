"""Grades out of gradelab and into a learning-management system: the roster and the exports."""
