"""Demo data for development: a dev-only app, installed only where ``seed_demo`` runs.

``make run`` (``AWL_DEMO``, see awl/settings.py) and the tests install it;
production does not, so no production app imports or registers demo code.
Each area's builder lives here (``members``, ``committees``,
``dayschools``, ``conference``, ``elections``) and still writes through the
apps' services; ``management/commands/seed_demo.py`` runs them in order.
This app may import every other app; no app imports it.
"""
