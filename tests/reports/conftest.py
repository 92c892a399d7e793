from tests.cases.conftest import categories, english  # noqa: F401  (shared fixtures)
