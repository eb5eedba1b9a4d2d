"""URLs of /ngos/. Each views module lists its own routes; fixed paths come before ``<slug>/``.
The members pages (``<slug>/members/``…) are in members/urls.py."""

from ngos.views import capabilities, directory, imports, onboarding, verification

app_name = "ngos"
urlpatterns = [
    *verification.urlpatterns,
    *capabilities.urlpatterns,
    *imports.urlpatterns,
    *onboarding.urlpatterns,
    *directory.urlpatterns,  # "" and "<slug>/" last
]
