import pytest

# Every request passes the blocked-range check (incidents), which reads the database.
pytestmark = pytest.mark.django_db


@pytest.fixture
def image(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "products").mkdir()
    (tmp_path / "products" / "a1.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "secret.png").write_bytes(b"secret")
    (tmp_path / "products" / "notes.txt").write_text("not an image")
    return tmp_path


def test_product_image_is_served(client, image):
    response = client.get("/media/products/a1.png", secure=True)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


@pytest.mark.parametrize("path", [
    "/media/private/secret.png",          # not a public folder
    "/media/products/..%2Fprivate%2Fsecret.png",  # traversal
    "/media/products/notes.txt",          # not an image type
    "/media/products/missing.png",
    "/media/products/a%001.png",
])
def test_everything_else_is_not_found(client, image, path):
    assert client.get(path, secure=True).status_code == 404
