"""The demo's open-data files: written once the demo data is in place, so that /open-data/
offers downloads at once (the nightly task writes them again)."""

from opendata.services.datasets import opendata_generate


def seed_open_data(log=print):
    """Write every open dataset's files from the current data. Side effects: files under
    settings.OPEN_DATA_ROOT."""
    manifest = opendata_generate()
    log(f"Open data: {len(manifest)} datasets written.")
    return manifest
