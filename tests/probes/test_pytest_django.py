"""pytest-django, loaded from its pytest11 entry point, on a tiny Django project (sqlite in memory):
the settings module named by the ini key ``DJANGO_SETTINGS_MODULE`` (read in
``pytest_load_initial_conftests``, where the plugin also registers its marks on the early config),
a model, ``@pytest.mark.django_db`` (also ``transaction=True`` and as a class's ``pytestmark``), the
``db``, ``client``, ``rf``, ``admin_user``, ``settings`` and ``django_assert_num_queries`` fixtures,
database access refused without the mark, and the plugin's reordering of the tests (database tests
first)."""

from __future__ import annotations

import pytest
from probing import probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

PROJECT = {
    "pytest.ini": "[pytest]\nDJANGO_SETTINGS_MODULE = settings\n",
    "settings.py": """
SECRET_KEY = "probe"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "shop"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
ROOT_URLCONF = "urls"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
GREETING = "hello"
""",
    "shop/__init__.py": "",
    "shop/models.py": """
from django.db import models


class Product(models.Model):
    name = models.CharField(max_length=50)
    price = models.IntegerField(default=0)
""",
    "urls.py": """
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import path

from shop.models import Product


def greet(request):
    return HttpResponse(settings.GREETING)


def products(request):
    return JsonResponse({"names": [p.name for p in Product.objects.order_by("name")]})


urlpatterns = [path("greet/", greet), path("products/", products)]
""",
}

TESTS = """
import pytest
from django.conf import settings as django_settings

from shop.models import Product


@pytest.mark.django_db
def test_create_and_count():
    Product.objects.create(name="pen", price=2)
    assert Product.objects.count() == 1


@pytest.mark.django_db
def test_isolated_between_tests():
    assert Product.objects.count() == 0


def test_no_db_access_without_mark():
    Product.objects.count()


def test_db_fixture(db):
    Product.objects.create(name="ink")
    assert [p.name for p in Product.objects.all()] == ["ink"]


def test_client_and_settings(client, settings):
    settings.GREETING = "bonjour"
    response = client.get("/greet/")
    assert response.status_code == 200
    assert response.content == b"bonjour"


def test_settings_restored():
    assert django_settings.GREETING == "hello"


@pytest.mark.django_db
def test_client_with_db(client):
    Product.objects.create(name="b")
    Product.objects.create(name="a")
    assert client.get("/products/").json() == {"names": ["a", "b"]}


@pytest.mark.django_db(transaction=True)
def test_transactional():
    Product.objects.create(name="t")
    assert Product.objects.count() == 1


def test_failing(db):
    assert Product.objects.count() == 1


class TestInClass:
    pytestmark = pytest.mark.django_db

    def test_in_class(self, admin_user):
        assert admin_user.is_superuser


def test_rf(rf):
    assert rf.get("/x/").path == "/x/"


def test_num_queries(db, django_assert_num_queries):
    with django_assert_num_queries(2):
        Product.objects.create(name="q")
        Product.objects.count()
"""


def test_pytest_django(probe):  # noqa: F811 - the fixture
    mine, ref = probe({**PROJECT, "test_shop.py": TESTS}).compare()
    assert mine.outcomes() == {"passed": 10, "failed": 2}, mine.dump()
    # the header line of the plugin, and the refusal of database access without the mark
    for result in (mine, ref):
        assert "django: version: 5.2.20, settings: settings (from ini)" in result.lines, result.dump()
        assert any("Database access not allowed" in line for line in result.lines), result.dump()
    # the marks were registered (in pytest_load_initial_conftests): no unknown-mark warning
    assert "warning" not in mine.final_line(), mine.dump()
