"""The writes of conference business: motions and amendments through to their outcomes (motions), and
the rules for motions and publishing the CAC report and order paper (publication).
"""
