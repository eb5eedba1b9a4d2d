"""/open-data/: the list of datasets (description, fields, licence, update time, checksums) and
their files."""

import datetime

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from opendata.services.datasets import DATASETS, FORMATS, LICENCE, file_path, read_manifest


@require_GET
def index(request):
    """Every public dataset with its fields, licence, update time and files."""
    manifest = read_manifest()
    datasets = []
    for dataset in DATASETS:
        files = manifest.get(dataset.slug)
        if files:
            files = {**files, "generated": datetime.datetime.fromisoformat(files["generated_at"])}
        datasets.append({"dataset": dataset, "files": files})
    return render(
        request,
        "opendata/index.html",
        {"datasets": datasets, "licence": LICENCE, "formats": sorted(FORMATS)},
    )


@require_GET
def download(request, slug, fmt):
    """One file of a dataset; its SHA-256 (also on the list) as ETag and X-Checksum-SHA256."""
    path = file_path(slug, fmt)
    if path is None:
        raise Http404
    entry = read_manifest().get(slug, {}).get("files", {}).get(fmt, {})
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name, content_type=FORMATS[fmt]
    )
    if entry.get("sha256"):
        response["ETag"] = f'"{entry["sha256"]}"'
        response["X-Checksum-SHA256"] = entry["sha256"]
    response["Access-Control-Allow-Origin"] = "*"
    return response
