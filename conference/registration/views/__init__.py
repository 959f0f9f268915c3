"""The registration pages: members registering (registration), the check-in desk (desk) and the CAC's
reports (reports).
"""
