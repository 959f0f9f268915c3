from conference import (
    business_views,
    cac_views,
    desk_views,
    motion_views,
    outcome_views,
    programme_views,
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
]
