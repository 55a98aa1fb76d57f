import pytest

from notifications import services
from notifications.models import Notification, NotificationPreference
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(db):
    return StaffFactory(email="u@example.org")


def test_the_bell_shows_the_unread_count(client, user):
    services.notify([user], kind="deadline.reminder", title="催办", body="…")
    client.force_login(user)
    page = client.get("/home/").content.decode()
    assert 'id="unread-count" class="count">1<' in page


def test_the_inbox_lists_notifications_newest_first(client, user):
    services.notify([user], kind="deadline.reminder", title="第一条", body="…")
    services.notify([user], kind="deadline.reminder", title="第二条", body="…")
    client.force_login(user)
    page = client.get("/notifications/").content.decode()
    assert page.index("第二条") < page.index("第一条")


def test_the_inbox_shows_only_ones_own(client, user):
    services.notify([StaffFactory()], kind="deadline.reminder", title="别人的", body="…")
    client.force_login(user)
    assert "别人的" not in client.get("/notifications/").content.decode()


def test_marking_one_read(client, user):
    [note] = services.notify([user], kind="deadline.reminder", title="催办", body="…")
    client.force_login(user)
    client.post(f"/notifications/{note.pk}/read/")
    note.refresh_from_db()
    assert note.read_at is not None


def test_one_cannot_mark_someone_elses_notification(client, user):
    [note] = services.notify([StaffFactory()], kind="deadline.reminder", title="催办", body="…")
    client.force_login(user)
    client.post(f"/notifications/{note.pk}/read/")
    note.refresh_from_db()
    assert note.read_at is None


def test_marking_all_read(client, user):
    services.notify([user], kind="deadline.reminder", title="一", body="…")
    services.notify([user], kind="deadline.reminder", title="二", body="…")
    client.force_login(user)
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()


def test_preferences_page_saves_choices(client, user):
    client.force_login(user)
    assert "催办" in client.get("/notifications/preferences/").content.decode()
    client.post("/notifications/preferences/", {"deadline.reminder:sms": "on"})
    preference = NotificationPreference.objects.get(user=user, kind="deadline.reminder")
    assert (preference.live, preference.email, preference.sms) == (False, False, True)


def test_urgent_kinds_cannot_be_switched_off_on_the_page(client, user):
    client.force_login(user)
    client.post("/notifications/preferences/", {})
    [note] = services.notify([user], kind="deadline.overdue", title="督办", body="…")
    assert note.via_live and note.via_email


def test_the_inbox_needs_a_login(client):
    assert client.get("/notifications/").status_code == 302


def test_marking_read_never_redirects_off_site(client, user):
    [note] = services.notify([user], kind="deadline.reminder", title="催办", body="…")
    client.force_login(user)
    response = client.post(f"/notifications/{note.pk}/read/", {"next": "https://evil.example/"})
    assert response["Location"] == "/notifications/"


def test_marking_read_returns_to_the_page_it_came_from(client, user):
    [note] = services.notify([user], kind="deadline.reminder", title="催办", body="…")
    client.force_login(user)
    response = client.post(f"/notifications/{note.pk}/read/", {"next": "/notifications/?page=2"})
    assert response["Location"] == "/notifications/?page=2"
