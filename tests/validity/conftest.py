"""Wiring of the shared validity tests (harness.py) into each assignment's test module."""
import pytest

pytest.register_assert_rewrite("harness")  # detailed failure reports for the shared checks


@pytest.fixture
def validity(request):
    """The `VALIDITY` (harness.Validity) of the test module being run."""
    return request.module.VALIDITY


def pytest_generate_tests(metafunc):
    if "mutant" in metafunc.fixturenames:
        metafunc.parametrize("mutant", sorted(metafunc.module.VALIDITY.mutants))
    if "correct" in metafunc.fixturenames:
        metafunc.parametrize("correct", [pytest.param(source, id=name)
                                         for name, source in sorted(metafunc.module.CORRECT.items())])
    if "degenerate" in metafunc.fixturenames:
        metafunc.parametrize("degenerate", metafunc.module.DEGENERATE_RETURNS)
