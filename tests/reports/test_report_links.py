"""A coordinator's way from a report to the full export of its scope (issue 17)."""

import html as html_module
import re

import pytest

from municipalities.models import SubRegion
from portal.models import ExportLog
from tests.factories import CoordinatorAssignmentFactory, NGOFactory
from tests.reports.test_export_all import submit
from tests.surveys.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def test_sub_region_report_links_to_the_full_export_of_its_scope(client):
    campaign = CampaignFactory(code="k2025")
    submit(NGOFactory(), campaign)
    user = CoordinatorAssignmentFactory(subregion=SubRegion.objects.get(code="14")).user
    client.force_login(user)
    page = client.get("/en/reports/subregions/14/").content.decode()
    href = re.search(r'href="(/en/surveys/export/expectations\.csv\?[^"]+)"', page)
    assert href, "no link to the full export"
    url = html_module.unescape(href.group(1))
    assert "campaign=k2025" in url and "scope=subregion%3A14" in url
    response = client.get(url)
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Erzurum-Kars" in body
    assert ExportLog.objects.get(user=user).filters["scope"] == "subregion:14"
