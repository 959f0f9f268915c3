"""Elections: nominations, secret ranked ballots (online and paper), tellers, the count and its result.
The count itself is in counting, which knows nothing of Django.
"""
