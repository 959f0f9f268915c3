"""The URLs of elections: the list of elections, an election's page and setting one up; nominating,
statements and withdrawing; voting, receipts, tellers and paper ballots; the count, the count sheet,
confirming the result and BLT files.
"""

from django.urls import URLPattern, path

from conference.elections.views import ballots, elections, nominations, results

urlpatterns: list[URLPattern] = [
    # elections
    path("elections/", elections.election_list, name="election_list"),
    path("elections/new/", elections.election_add, name="election_add"),
    path("elections/<int:pk>/", elections.election_detail, name="election_detail"),
    path("elections/<int:pk>/edit/", elections.election_edit, name="election_edit"),
    path(
        "elections/<int:pk>/returning-officer/",
        elections.returning_officer_change,
        name="election_returning_officer",
    ),
    # nominations
    path("elections/<int:pk>/nominate/", nominations.nomination_add, name="nomination_add"),
    path("elections/nominations/<int:pk>/statement/", nominations.nomination_edit, name="nomination_edit"),
    path(
        "elections/nominations/<int:pk>/withdraw/",
        nominations.nomination_withdraw,
        name="nomination_withdraw",
    ),
    path(
        "elections/nominations/<int:pk>/ballot-name/",
        nominations.nomination_ballot_name,
        name="nomination_ballot_name",
    ),
    path("elections/respond/<str:token>/", nominations.nomination_respond, name="nomination_respond"),
    path("elections/respond/<str:token>/decline/", nominations.nomination_decline, name="nomination_decline"),
    # ballots
    path("elections/<int:pk>/ballot/", ballots.ballot_vote, name="ballot_vote"),
    path("elections/<int:pk>/ballot/receipt/", ballots.ballot_receipt, name="ballot_receipt"),
    path("elections/<int:pk>/receipts/", ballots.ballot_receipts, name="ballot_receipts"),
    path("elections/<int:pk>/tellers/", ballots.teller_manage, name="teller_manage"),
    path("elections/<int:pk>/tellers/<int:teller_pk>/remove/", ballots.teller_remove, name="teller_remove"),
    path("elections/<int:pk>/paper-ballots/", ballots.teller_issue, name="teller_issue"),
    path(
        "elections/<int:pk>/paper-ballots/<int:member_pk>/",
        ballots.teller_issue_member,
        name="teller_issue_member",
    ),
    path("elections/<int:pk>/papers/", ballots.teller_enter, name="teller_enter"),
    path("elections/<int:pk>/papers/reconciliation/", ballots.teller_reconcile, name="teller_reconcile"),
    # results
    path("elections/<int:pk>/count/", results.count_page, name="result_count"),
    path("elections/<int:pk>/import/", results.import_ballots, name="result_import"),
    path("elections/<int:pk>/counted-off-system/", results.off_system, name="result_off_system"),
    path("elections/<int:pk>/result/", results.result_detail, name="result_detail"),
    path("elections/<int:pk>/ballots.blt", results.ballots_file, name="result_blt"),
    path("elections/counts/<int:pk>/", results.sheet, name="result_sheet"),
    path("elections/counts/<int:pk>/sheet.csv", results.sheet_csv, name="result_sheet_csv"),
    path("elections/counts/<int:pk>/confirm/", results.confirm, name="result_confirm"),
]
