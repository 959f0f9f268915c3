from conference import (
    ballot_views,
    business_views,
    cac_views,
    desk_views,
    election_views,
    motion_views,
    nomination_views,
    outcome_views,
    programme_views,
    result_views,
    views,
)

app_name = "conference"
urlpatterns = [
    # Members: the conference page, registering, my registration; the CAC's setup,
    # entitlement and payments pages (views).
    *views.urlpatterns,
    # The check-in desk, credentials and badges (desk_views).
    *desk_views.urlpatterns,
    # The CAC's reports: registrations by branch and band, needs lists, accommodation, CSV (cac_views).
    *cac_views.urlpatterns,
    # The timetable and the papers (programme_views).
    *programme_views.urlpatterns,
    *motion_views.urlpatterns,  # members' motions, seconding, amendments (motion_views)
    # The CAC's business pages, the CAC report and the order paper (business_views).
    *business_views.urlpatterns,
    *outcome_views.urlpatterns,  # outcomes, the text as carried, the policy record (outcome_views)
    *election_views.urlpatterns,  # elections: the list, an election's page, setting one up
    *nomination_views.urlpatterns,  # nominating, the nominee's link, statements, withdrawing
    *ballot_views.urlpatterns,  # voting, the receipt, tellers and paper ballots, receipts counted
    *result_views.urlpatterns,  # the count, the count sheet, confirming the result, BLT files
]
