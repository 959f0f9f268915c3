"""The election pages: the list and an election's page (elections), nominating (nominations), voting
and tellers (ballots), the count and result (results).
"""
