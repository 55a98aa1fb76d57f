"""A kept upload (cases.core.models.files.UploadedFile: a repair material, a complaint's or an
objection's evidence) opened from its page: as an attachment under its own name and checked type,
for those who see its case; 404 for anyone else, as if it did not exist."""

from collections.abc import Callable

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from cases.core import selectors


def kept_file(request, queryset, pk: int, *, case_of: Callable[[object], int]) -> FileResponse:
    """`case_of(item)`: the id of the case the file belongs to."""
    item = get_object_or_404(queryset, pk=pk)
    if not selectors.cases_visible_to(request.user).filter(pk=case_of(item)).exists():
        raise Http404
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name,
                        content_type=item.content_type)  # fmt: skip
