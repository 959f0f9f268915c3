"""The URLs of business: members' motions, seconding and amendments; the CAC's business pages, the CAC
report and the order paper; outcomes, the text as carried and the policy record.
"""

from django.urls import URLPattern, path

from conference.business.views import cac, motions, outcomes

urlpatterns: list[URLPattern] = [
    # motions
    path("conference/<slug:slug>/motions/", motions.motion_list, name="motions"),
    path("conference/<slug:slug>/motions/propose/", motions.motion_add, name="motion_add"),
    path("conference/second/<str:token>/", motions.second, name="second"),
    path("conference/motions/<int:pk>/", motions.motion_detail, name="motion_detail"),
    path("conference/motions/<int:pk>/edit/", motions.motion_edit, name="motion_edit"),
    path("conference/motions/<int:pk>/withdraw/", motions.motion_withdraw, name="motion_withdraw"),
    path("conference/motions/<int:pk>/amend/", motions.amendment_add, name="amendment_add"),
    path("conference/amendments/<int:pk>/answer/", motions.amendment_answer, name="amendment_answer"),
    # cac
    path("conference/<slug:slug>/business/rules/", cac.business_rules, name="business_rules"),
    path("conference/<slug:slug>/business/rulings/", cac.business_page, name="business"),
    path("conference/business/<str:kind>/<int:pk>/rule/", cac.rule, name="rule"),
    path("conference/<slug:slug>/business/composite/", cac.composite, name="composite"),
    path("conference/<slug:slug>/business/order/", cac.business_order, name="business_order"),
    path("conference/<slug:slug>/business/publish/", cac.business_publish, name="business_publish"),
    path("conference/<slug:slug>/cac-report/", cac.cac_report, name="cac_report"),
    path("conference/<slug:slug>/order-paper/", cac.order_paper_page, name="order_paper"),
    path("conference/<slug:slug>/order-paper.pdf", cac.order_paper_pdf, name="order_paper_pdf"),
    # outcomes
    path("conference/<slug:slug>/outcomes/", outcomes.outcomes, name="outcomes"),
    path("conference/outcomes/<str:kind>/<int:pk>/", outcomes.record_outcome, name="record_outcome"),
    path("conference/carried/<int:pk>/", outcomes.as_carried, name="as_carried"),
    path("policy/", outcomes.policy, name="policy"),
]
