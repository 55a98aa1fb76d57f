from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cases.infra.navigation import redirect_back
from notifications import services
from notifications.kinds import CHANNELS, KINDS, channels_for
from notifications.models import NotificationPreference

# Read when a page is drawn, in its language (not when the module is imported).
CHANNEL_LABELS = {
    "live": gettext_lazy("In the browser"),
    "email": gettext_lazy("By e-mail"),
    "sms": gettext_lazy("By SMS"),
}


@login_required
def inbox(request):
    notifications = request.user.notifications.select_related("case")
    if request.GET.get("unread") == "1":
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, 20).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "unread_only": request.GET.get("unread") == "1"})


@login_required
@require_POST
def mark_read(request, notification_id: int):
    services.mark_read(user=request.user, notification_id=notification_id)
    return redirect_back(request, "notifications")


@login_required
@require_POST
def mark_all_read(request):
    count = services.mark_all_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    return redirect("notifications")


class PreferencesForm(forms.Form):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        saved = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
        self.rows = []
        for code, kind in KINDS.items():
            current = channels_for(code, saved.get(code))
            fields = []
            for channel in CHANNELS:
                name = f"{code}:{channel}"
                locked = kind.urgent and channel in ("live", "email")
                self.fields[name] = forms.BooleanField(
                    required=False, initial=channel in current, disabled=locked, label=CHANNEL_LABELS[channel]
                )
                fields.append(self[name])
            self.rows.append({"kind": kind, "fields": fields})

    def choices(self) -> dict[str, set[str]]:
        return {code: {channel for channel in CHANNELS if self.cleaned_data.get(f"{code}:{channel}")} for code in KINDS}


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.save_preferences(user=request.user, choices=form.choices())
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notification-preferences")
    return render(request, "notifications/preferences.html", {"form": form, "channels": CHANNEL_LABELS.values()})
