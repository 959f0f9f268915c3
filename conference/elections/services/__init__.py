"""The writes of elections: setting one up and its phases (elections), nominating (nominations), voting
and tellers' paper entries (ballots), and counting and declaring (results).
"""
