"""Let pytest rewrite the asserts of the shared validity checks, for its detailed failure reports."""
import pytest

pytest.register_assert_rewrite("harness")
