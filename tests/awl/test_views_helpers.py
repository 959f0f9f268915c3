"""The form-page helpers: bind on POST only, a domain error as the form's refusal, 409 for a refusal."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from awl.errors import DomainError
from awl.views_helpers import bound, refusal_on, refusal_status


class Refused(DomainError):
    """Stands in for an app's domain error."""


class NoteForm(forms.Form):
    note = forms.CharField(max_length=20)
    attachment = forms.FileField(required=False)

    def __init__(self, *args: object, prefix_note: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.prefix_note = prefix_note


def test_a_get_gives_an_unbound_form_that_is_never_valid_and_keeps_its_options() -> None:
    form = bound(NoteForm, RequestFactory().get("/"), prefix_note="x", initial={"note": "hello"})

    assert not form.is_bound
    assert not form.is_valid()
    assert form.prefix_note == "x"
    assert form["note"].value() == "hello"


def test_a_post_binds_the_data_and_the_files() -> None:
    upload = SimpleUploadedFile("paper.txt", b"text")
    request = RequestFactory().post("/", {"note": "hi", "attachment": upload})

    form = bound(NoteForm, request, initial={"note": "ignored"})

    assert form.is_valid()
    assert form.cleaned_data["note"] == "hi"
    assert form.cleaned_data["attachment"].name == "paper.txt"


def test_a_refusal_goes_on_the_form_and_leaves_the_block() -> None:
    form = bound(NoteForm, RequestFactory().post("/", {"note": "hi"}))
    assert form.is_valid()
    reached: list[str] = []

    with refusal_on(form, Refused):
        raise Refused("Registration closed on 10 April.")
        reached.append("after")  # pragma: no cover

    assert reached == []
    assert form.non_field_errors() == ["Registration closed on 10 April."]
    assert refusal_status(form) == 409


def test_no_refusal_runs_the_whole_block_and_leaves_the_form_clean() -> None:
    form = bound(NoteForm, RequestFactory().post("/", {"note": "hi"}))
    form.is_valid()
    reached: list[str] = []

    with refusal_on(form, (Refused, DomainError)):
        reached.append("done")

    assert reached == ["done"]
    assert refusal_status(form) == 200


def test_an_error_that_is_not_a_refusal_is_not_swallowed() -> None:
    form = bound(NoteForm, RequestFactory().post("/", {"note": "hi"}))
    form.is_valid()

    try:
        with refusal_on(form, Refused):
            raise ValueError("a bug")
    except ValueError:
        pass
    else:  # pragma: no cover
        raise AssertionError("the bug was swallowed")
    assert form.non_field_errors() == []


def test_a_field_error_alone_or_an_unbound_form_is_200() -> None:
    invalid = bound(NoteForm, RequestFactory().post("/", {"note": "x" * 30}))
    assert not invalid.is_valid()
    unbound = bound(NoteForm, RequestFactory().get("/"))

    assert refusal_status(invalid) == 200
    assert refusal_status(unbound) == 200


def test_any_of_several_forms_refused_is_409() -> None:
    clean = bound(NoteForm, RequestFactory().post("/", {"note": "hi"}))
    refused = bound(NoteForm, RequestFactory().post("/", {"note": "hi"}))
    refused.is_valid()
    refused.add_error(None, "Nominations are closed.")

    assert refusal_status(clean, refused) == 409
