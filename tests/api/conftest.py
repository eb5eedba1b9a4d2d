import pytest

from api.services.tokens import token_create


@pytest.fixture(autouse=True)
def _open_data_in_tmp(settings, tmp_path):
    settings.OPEN_DATA_ROOT = tmp_path / "open-data"


@pytest.fixture
def bearer():
    """``bearer(user)``: the Authorization header of a new 90-day token of ``user``."""

    def make(user, name="test"):
        _token, raw = token_create(user=user, name=name, days=90)
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return make
