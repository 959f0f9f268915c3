"""The forms of elections: setting one up (elections), ballots and paper entries (ballots), the count
(results).
"""
