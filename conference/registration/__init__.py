"""Registration: who is entitled to vote (the eligibility rule and its snapshot), registering and its
fees and payments, the check-in desk and credentials, and the CAC's reports (needs lists,
accommodation, registrations by branch and band).
"""
