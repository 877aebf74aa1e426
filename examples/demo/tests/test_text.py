def slugify(text):
    return "-".join(text.lower().split())


def test_slugify():
    assert slugify("Hello  World") == "hello-world"


def test_slugify_keeps_digits():
    assert slugify("Route 66") == "route-66"
