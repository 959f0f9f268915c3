"""The national office's import of members and contacts from a CSV file.

Upload keeps the decoded file as an ``ImportBatch``; the preview plans it
against the records each time it is shown (what would be created, updated
or left alone, and every bad line); Apply checks it once more and writes it
all in one transaction, or writes nothing. The work is in
``members.importing``; these views only bind the form and show the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from awl.views_helpers import bound
from members import importing, selectors
from members.services import MembershipError

# Created and updated rows listed on the preview; the counts always cover the whole file.
PREVIEW_ROWS_SHOWN = 500


@dataclass(frozen=True)
class UploadedCSV:
    filename: str
    text: str


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "A .csv file saved as UTF-8, at most 5 MB, with a header row. "
            "Nothing is imported until you confirm the preview."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> UploadedCSV:
        upload = self.cleaned_data["file"]
        name = upload.name or ""
        if not name.lower().endswith(".csv"):
            raise ValidationError("Upload a .csv file (in a spreadsheet: Save as, CSV UTF-8).")
        if upload.size is None or upload.size > importing.MAX_UPLOAD_BYTES:
            raise ValidationError("The file is larger than 5 MB; split it into smaller files.")
        try:
            text = importing.decode_csv(upload.read())
        except importing.ImportFileError as exc:
            raise ValidationError(str(exc)) from None
        return UploadedCSV(filename=name, text=text)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    selectors.require(request.user, importing.PERMISSION)
    form = bound(ImportUploadForm, request)
    if form.is_valid():
        uploaded: UploadedCSV = form.cleaned_data["file"]
        try:
            batch = importing.upload_import(
                actor=request.user, filename=uploaded.filename, content=uploaded.text
            )
        except MembershipError as exc:
            messages.error(request, str(exc))
        else:
            return redirect("members:import_preview", pk=batch.pk)
    context = {
        "form": form,
        "pending": importing.pending_batches(),
        "recent": importing.recent_batches(),
    }
    return render(request, "members/import/upload.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require(request.user, importing.PERMISSION)
    batch = importing.get_previewed_batch(pk)
    if batch is None:
        raise Http404("No such import waiting for a decision.")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "apply":
                plan = importing.apply_import(actor=request.user, batch=batch)
                messages.success(
                    request,
                    f"Imported {batch.filename}: {plan.total(importing.CREATE)} created, "
                    f"{plan.total(importing.UPDATE)} updated, {plan.total(importing.UNCHANGED)} unchanged.",
                )
                return redirect("members:import_upload")
            if action == "discard":
                importing.discard_import(actor=request.user, batch=batch)
                messages.info(request, f"Discarded {batch.filename}; nothing was imported.")
                return redirect("members:import_upload")
        except MembershipError as exc:
            messages.error(request, str(exc))
        return redirect("members:import_preview", pk=batch.pk)
    plan = importing.plan_import(batch.content)
    changing = plan.changing
    context = {
        "batch": batch,
        "plan": plan,
        "counts": plan.counts(),
        "changing": changing[:PREVIEW_ROWS_SHOWN],
        "changing_not_shown": max(0, len(changing) - PREVIEW_ROWS_SHOWN),
    }
    return render(request, "members/import/preview.html", context)
