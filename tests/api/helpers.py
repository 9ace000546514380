"""What the API tests share."""


def get(client, url, status=200, **headers):
    """GET `url`, checking the status; the response."""
    response = client.get(url, **headers)
    assert response.status_code == status, (url, response.content[:500])
    return response
