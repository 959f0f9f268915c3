"""The business pages: members' motions and amendments (motions), the CAC's business pages (cac), and
outcomes and the policy record (outcomes).
"""
