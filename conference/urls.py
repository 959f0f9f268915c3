from conference.business.views import cac as business_views
from conference.business.views import motions as motion_views
from conference.business.views import outcomes as outcome_views
from conference.elections.views import ballots as ballot_views
from conference.elections.views import elections as election_views
from conference.elections.views import nominations as nomination_views
from conference.elections.views import results as result_views
from conference.programme import views as programme_views
from conference.registration.views import desk as desk_views
from conference.registration.views import registration as views
from conference.registration.views import reports as cac_views

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
