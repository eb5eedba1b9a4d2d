"""URLs of /ngos/. Each views module lists its own routes; fixed paths come before ``<slug>/``."""

from ngos.views import capabilities, directory, imports, membership, onboarding, verification

app_name = "ngos"
urlpatterns = [
    *verification.urlpatterns,
    *capabilities.urlpatterns,
    *imports.urlpatterns,
    *onboarding.urlpatterns,
    *membership.urlpatterns,
    *directory.urlpatterns,  # "" and "<slug>/" last
]
