from tests.cases.conftest import categories, english, people  # noqa: F401  (shared fixtures)
