import pytest

from municipalities.models import District, Municipality, Province

pytestmark = pytest.mark.django_db


def test_serving_is_the_district_municipality_where_there_is_one():
    yakutiye = District.objects.get(province=25, name="Yakutiye")
    assert Municipality.objects.serving(yakutiye.province, yakutiye).name == "Yakutiye Belediyesi"


def test_serving_a_central_district_is_the_provincial_municipality():
    centre = District.objects.get(province=36, is_central=True)
    assert Municipality.objects.serving(centre.province, centre).name == "Kars Belediyesi"


def test_serving_without_a_district_is_the_metropolitan_municipality():
    erzurum = Province.objects.get(plate=25)
    assert Municipality.objects.serving(erzurum).kind == Municipality.Kind.METROPOLITAN
