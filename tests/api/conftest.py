import pytest
from rest_framework.test import APIClient


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for():
    """An API client logged in as ``user`` (a user object or a key of ``officers``)."""

    def make(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def as_officer(officers, client_for):
    return lambda key: client_for(officers[key])
