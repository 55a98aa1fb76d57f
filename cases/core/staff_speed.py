"""What staff keep to work faster, each change checked here: filters saved on the work lists (a
person's own, per list; one may be their default) and the reply phrases (常用语) a department keeps
(its head manages them; its staff insert them into the reply and reason boxes)."""

import functools

from django.db import transaction
from django.http import QueryDict
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.core import events, permissions, scaffold
from cases.core.event_types import EventType
from cases.core.exceptions import InvalidInput, NotFound, NotPermitted
from cases.core.models import ReplyPhrase, SavedFilter

# The lists a filter can be saved on, by the name of their page's URL.
LISTS = {"complaint-queue", "repair-queue", "objection-queue", "records", "deadline-board"}
# Parameters that are not part of a filter: the page, the board's fragment flag, the switch that
# opens a list without the default filter.
NOT_FILTER = ("page", "fragment", "plain", "csrfmiddlewaretoken")
PLAIN = "plain=1"
MANAGE_PHRASES = "cases.approve_department_decisions"


# --- saved filters ------------------------------------------------------------------------------


def _require_staff(actor) -> None:
    if actor is None or not actor.is_authenticated or actor.department_id is None:
        raise NotPermitted()


def filter_query(query: str) -> str:
    """A list's query string as it is kept: without the page and the other non-filter parameters,
    nor empty values."""
    params = QueryDict((query or "").lstrip("?"), mutable=True)
    for name in NOT_FILTER:
        params.pop(name, None)
    kept = QueryDict(mutable=True)
    for name, values in params.lists():
        for value in values:
            if value.strip():
                kept.appendlist(name, value.strip())
    return kept.urlencode()


def saved_filters(user, list_key: str):
    if not user.is_authenticated:
        return SavedFilter.objects.none()
    return SavedFilter.objects.filter(user=user, list_key=list_key)


def saved_filters_of_request(request, list_key: str) -> list[SavedFilter]:
    """The person's saved filters of a list, read once per request (the default filter's redirect
    and the filter bar above the list both ask)."""
    kept = request.__dict__.setdefault("_saved_filters", {})
    if list_key not in kept:
        kept[list_key] = list(saved_filters(request.user, list_key))
    return kept[list_key]


@transaction.atomic
def save_filter(*, actor, list_key: str, name: str, query: str) -> SavedFilter:
    """Keep the list's current query under a name; a name already used on that list is replaced."""
    _require_staff(actor)
    if list_key not in LISTS:
        raise NotFound()
    name = (name or "").strip()
    if not name:
        raise InvalidInput(details={"name": [_("Name the filter.")]})
    if len(name) > SavedFilter._meta.get_field("name").max_length:
        raise InvalidInput(details={"name": [_("The name is too long (at most 60 characters).")]})
    query = filter_query(query)
    if len(query) > SavedFilter._meta.get_field("query").max_length:
        raise InvalidInput(details={"query": [_("The filter is too long to keep.")]})
    saved, _created = SavedFilter.objects.update_or_create(
        user=actor, list_key=list_key, name=name, defaults={"query": query}
    )
    events.filter_event(saved=saved, actor=actor, event_type=EventType.FILTER_SAVED)
    return saved


def _own_filter(actor, filter_id: int) -> SavedFilter:
    _require_staff(actor)
    saved = SavedFilter.objects.select_for_update().filter(pk=filter_id, user=actor).first()
    if saved is None:  # another person's filter is not shown to exist
        raise NotFound()
    return saved


@transaction.atomic
def set_default_filter(*, actor, filter_id: int, default: bool = True) -> SavedFilter:
    """Make the filter the default of its list (the list opens with it), or stop it being so."""
    saved = _own_filter(actor, filter_id)
    if default:
        SavedFilter.objects.filter(user=actor, list_key=saved.list_key, is_default=True).exclude(pk=saved.pk).update(
            is_default=False
        )
    saved.is_default = default
    saved.save(update_fields=["is_default"])
    events.filter_event(saved=saved, actor=actor, event_type=EventType.FILTER_DEFAULT_SET)
    return saved


@transaction.atomic
def delete_filter(*, actor, filter_id: int) -> str:
    """Delete one of the actor's saved filters; returns its list."""
    saved = _own_filter(actor, filter_id)
    list_key = saved.list_key
    events.filter_event(saved=saved, actor=actor, event_type=EventType.FILTER_DELETED)
    saved.delete()
    return list_key


def with_default_filter(list_key: str):
    """A list page's decorator: opened with no query at all, the list redirects to the person's
    default filter, if they have one (`?plain=1` opens it without)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "GET" and not request.GET and request.user.is_authenticated:
                default = next((item for item in saved_filters_of_request(request, list_key) if item.is_default), None)
                if default is not None and default.query:
                    return redirect(f"{request.path}?{default.query}")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# --- reply phrases (常用语) ------------------------------------------------------------------------


def phrases_for(user):
    """The phrases offered to a person: their department's."""
    if not user.is_authenticated or user.department_id is None:
        return ReplyPhrase.objects.none()
    return ReplyPhrase.objects.filter(department_id=user.department_id)


def may_manage_phrases(user) -> bool:
    return user.is_authenticated and user.department_id is not None and user.has_perm(MANAGE_PHRASES)


def _clean_phrase(title: str, text: str) -> tuple[str, str]:
    title, text = (title or "").strip(), (text or "").strip()
    errors = {}
    if not title:
        errors["title"] = [_("Give the phrase a short title.")]
    elif len(title) > ReplyPhrase._meta.get_field("title").max_length:
        errors["title"] = [_("The title is too long (at most 60 characters).")]
    if not text:
        errors["text"] = [_("Write the phrase.")]
    elif len(text) > ReplyPhrase._meta.get_field("text").max_length:
        errors["text"] = [_("The phrase is too long (at most 2000 characters).")]
    if errors:
        raise InvalidInput(details=errors)
    return title, text


@transaction.atomic
def add_phrase(*, actor, title: str, text: str, position: int = 0) -> ReplyPhrase:
    """The department head adds a phrase to their department's."""
    scaffold.require_department_member(actor, MANAGE_PHRASES)
    title, text = _clean_phrase(title, text)
    phrase = ReplyPhrase.objects.create(
        department_id=actor.department_id, title=title, text=text, position=max(position, 0), updated_by=actor
    )
    events.phrase_event(phrase=phrase, actor=actor)
    return phrase


def _locked_phrase(actor, phrase_id: int) -> ReplyPhrase:
    permissions.require(actor, MANAGE_PHRASES)
    phrase = ReplyPhrase.objects.select_for_update().filter(pk=phrase_id).first()
    if phrase is None:
        raise NotFound()
    # another department's phrase is not shown to exist
    scaffold.require_department(phrase, actor, permission=None, refusal=NotFound)
    return phrase


@transaction.atomic
def edit_phrase(*, actor, phrase_id: int, title: str, text: str, position: int = 0) -> ReplyPhrase:
    phrase = _locked_phrase(actor, phrase_id)
    phrase.title, phrase.text = _clean_phrase(title, text)
    phrase.position, phrase.updated_by, phrase.updated_at = max(position, 0), actor, timezone.now()
    phrase.save()
    events.phrase_event(phrase=phrase, actor=actor)
    return phrase


@transaction.atomic
def delete_phrase(*, actor, phrase_id: int) -> None:
    phrase = _locked_phrase(actor, phrase_id)
    events.phrase_event(phrase=phrase, actor=actor, deleted=True)
    phrase.delete()
