"""The conference programme: the timetable's sessions, the documents (bulletins, reports, discussion
documents) and the notices sent when they are published.
"""
