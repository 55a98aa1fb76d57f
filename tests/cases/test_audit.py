import pytest

from cases.core import events
from cases.core.models import AuditEvent, Policy
from cases.core.models.audit import AuditTrailIsAppendOnly

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(admin_user):
    policy = Policy.objects.first()
    return events.policy_changed_event(policy=policy, actor=admin_user, old_value=1)


def test_an_event_cannot_be_saved_again(event):
    event.event_type = "forged"
    with pytest.raises(AuditTrailIsAppendOnly):
        event.save()


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(AuditTrailIsAppendOnly):
        event.delete()


def test_events_cannot_be_bulk_updated(event):
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(event_type="forged")
    assert AuditEvent.objects.get(pk=event.pk).event_type == "policy.changed"


def test_events_cannot_be_bulk_deleted(event):
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 1


def test_the_admin_offers_no_way_to_change_or_delete(client, admin_user, event):
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    assert client.get(f"/admin/cases/auditevent/{event.pk}/change/").status_code == 200  # read-only view
    response = client.post(f"/admin/cases/auditevent/{event.pk}/change/", {"event_type": "forged"})
    assert response.status_code == 403
    assert client.post(f"/admin/cases/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).event_type == "policy.changed"
