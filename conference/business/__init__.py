"""Conference business: motions and amendments, seconding, compositing and rulings, the order paper,
outcomes and the policy record.
"""
