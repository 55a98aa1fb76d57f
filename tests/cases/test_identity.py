"""Verified identity (实名认证): an account acts for an enterprise or a person only through a
verified binding. Each attack below worked while sign-up checked only the check digit."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext

from cases.accounts import services as identity_services
from cases.complaints import intake as complaint_intake
from cases.complaints import services as complaints
from cases.complaints.models import Channel
from cases.core import documents, identity, masking
from cases.core.exceptions import InvalidInput, NotFound, NotPermitted, Throttled
from cases.core.models import AuditEvent, BindingCode, BindingRole, Case, CreditRecord, IdentityBinding, Notice, User
from cases.core.roles import Role
from cases.repair import services as repair
from tests.factories import (
    ApplicantFactory,
    StaffFactory,
    answered_complaint,
    register_penalty,
    valid_resident_id,
    valid_uscc,
)
from tests.identity import last_code_sent_to

pytestmark = pytest.mark.django_db

PERSON_ID = valid_resident_id("62070219850612001")
UNCLAIMED_USCC = valid_uscc("91620702MA71QQQQ0")
PHONE = "13900002222"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(date(2026, 11, 16), tick=True):
        yield


def sign_up(client, kind, id_number, username="stranger"):
    client.post("/accounts/signup/", {
        "username": username, "full_name": "冒名者", "phone": "13911110000", "entity_kind": kind,
        "entity_name": "冒名", "id_number": id_number, "password1": "a-Long-pass-2026",
        "password2": "a-Long-pass-2026",
    })  # fmt: skip
    return User.objects.get(username=username)


@pytest.fixture
def person_record(caseworker):
    """A penalty about a person, decided long enough ago to be repairable, with its notice."""
    return register_penalty(caseworker, party_kind="person", party_name="李明", party_id_number=PERSON_ID,
                            decided_on=date(2026, 1, 5), party_phone=PHONE)  # fmt: skip


# --- the attacks: signing up with a stranger's valid identifier -----------------------------


def test_a_stranger_signed_up_with_someones_resident_id_sees_no_records(client, person_record):
    sign_up(client, "person", PERSON_ID)
    assert person_record.decision_number not in client.get("/my/records/").content.decode()
    api = client.get("/api/v1/records/").json()
    assert api["results"] == []


def test_a_stranger_cannot_download_the_notice_with_the_persons_id(client, person_record):
    sign_up(client, "person", PERSON_ID)
    notice = Notice.objects.get(record=person_record)
    assert client.get(f"/notices/{notice.pk}/pdf/").status_code == 404


def test_a_stranger_cannot_file_a_repair_in_someones_name(client, person_record):
    stranger = sign_up(client, "person", PERSON_ID)
    assert client.post(f"/repair/start/{person_record.pk}/").status_code == 404
    assert not Case.objects.exists()
    with pytest.raises(NotFound):
        repair.start_application(actor=stranger, record_id=person_record.pk)


@pytest.fixture
def hotline_complaint(db):
    """A 12345 work order about an enterprise that has no verified account."""
    channel = Channel.objects.create(code="12345", name="12345 热线", secret="s")
    complaint, _created = complaint_intake.receive(channel=channel, data={
        "reference": "12345-1", "complainant_name": "王经理", "complainant_phone": "13900003333",
        "enterprise_name": "无账号公司", "enterprise_uscc": UNCLAIMED_USCC, "respondent": "区某局",
        "subject": "arrears", "facts": "工程款未付。",
    })  # fmt: skip
    return complaint


def test_a_stranger_with_an_enterprises_uscc_is_not_made_its_complainant(client, db):
    stranger = sign_up(client, "enterprise", UNCLAIMED_USCC)
    channel = Channel.objects.create(code="12345", name="12345 热线", secret="s")
    complaint, _created = complaint_intake.receive(channel=channel, data={
        "reference": "12345-2", "complainant_name": "王经理", "complainant_phone": "13900003333",
        "enterprise_name": "无账号公司", "enterprise_uscc": UNCLAIMED_USCC, "respondent": "区某局",
        "subject": "other_breach", "facts": "合同未履行。",
    })  # fmt: skip
    assert complaint.complainant_id is None and complaint.case.applicant_id is None
    assert client.get(f"/complaints/{complaint.case.number}/").status_code == 404
    assert stranger not in User.objects.filter(pk=complaint.case.applicant_id)


def test_a_stranger_cannot_confirm_and_close_an_enterprises_complaint(client, hotline_complaint):
    clerk = StaffFactory(username="clerk", department__code="yshj", role=Role.INTAKE_CLERK)
    answered_complaint(hotline_complaint, clerk=clerk, worker=StaffFactory(), subject="other_breach")
    stranger = sign_up(client, "enterprise", UNCLAIMED_USCC)
    # Even if the stranger were on the row, the step needs a verified binding to the enterprise.
    hotline_complaint.complainant = stranger
    hotline_complaint.save(update_fields=["complainant"])
    assert client.post(f"/complaints/{hotline_complaint.case.number}/confirm/").status_code == 404
    with pytest.raises(NotFound):
        complaints.confirm(actor=stranger, complaint_id=hotline_complaint.pk)
    hotline_complaint.case.refresh_from_db()
    assert hotline_complaint.case.state == "answered"


def test_the_enterprises_verified_representative_follows_its_hotline_complaints(db):
    firm = ApplicantFactory(id_number=UNCLAIMED_USCC)
    channel = Channel.objects.create(code="12345", name="12345 热线", secret="s")
    complaint, _created = complaint_intake.receive(channel=channel, data={
        "reference": "12345-3", "complainant_name": "王经理", "enterprise_name": "某公司",
        "enterprise_uscc": UNCLAIMED_USCC, "respondent": "区某局", "subject": "arrears", "facts": "未付款。",
    })  # fmt: skip
    assert complaint.complainant == firm


# --- drafts are the applicant's ------------------------------------------------------------


def test_a_caseworker_gets_404_for_a_draft_and_its_file(client, caseworker):
    firm = ApplicantFactory(id_number=valid_uscc("91620702MA71ABCD0"))
    record = register_penalty(caseworker)
    draft = repair.start_application(actor=firm, record_id=record.pk)
    upload = SimpleUploadedFile("c.pdf", b"%PDF-1.7 x", content_type="application/pdf")
    material = repair.add_material(actor=firm, application_id=draft.pk, code="commitment", upload=upload)
    client.force_login(caseworker)
    assert client.get(f"/repair/{draft.case.number}/").status_code == 404
    assert client.get(f"/repair/materials/{material.pk}/").status_code == 404
    assert client.get(f"/cases/{draft.case.number}/").status_code == 404
    client.force_login(firm)
    assert client.get(f"/repair/materials/{material.pk}/").status_code == 200


# --- binding by a code to the number on record ---------------------------------------------


def test_a_code_to_the_number_on_record_binds_the_account(client, person_record):
    user = sign_up(client, "person", PERSON_ID, username="liming")
    client.post("/identity/code/")
    code = last_code_sent_to(PHONE)
    assert not BindingCode.objects.filter(code_hash__contains=code).exists()  # kept hashed only
    response = client.post("/identity/verify/", {"code": code})
    assert response["Location"] == "/my/records/"
    binding = IdentityBinding.objects.get(user=user, revoked_at__isnull=True)
    assert (binding.method, binding.role, binding.id_number) == ("sms", "self", PERSON_ID)
    assert person_record.decision_number in client.get("/my/records/").content.decode()
    assert AuditEvent.objects.filter(event_type="identity.bound", subject_id=user.pk).exists()


def test_a_wrong_code_binds_nothing(client, person_record):
    user = sign_up(client, "person", PERSON_ID)
    identity_services.send_binding_code(user=user)
    right = last_code_sent_to(PHONE)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    with pytest.raises(InvalidInput):
        identity_services.verify_binding_code(user=user, code=wrong)
    assert not IdentityBinding.objects.filter(user=user).exists()
    assert BindingCode.objects.get(user=user).attempts == 1


def test_after_five_wrong_tries_even_the_right_code_is_refused(person_record):
    user = sign_up_direct()
    identity_services.send_binding_code(user=user)
    right = last_code_sent_to(PHONE)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _ in range(5):
        with pytest.raises(InvalidInput):
            identity_services.verify_binding_code(user=user, code=wrong)
    with pytest.raises(InvalidInput):
        identity_services.verify_binding_code(user=user, code=right)
    assert not IdentityBinding.objects.filter(user=user).exists()


def test_an_expired_code_is_refused(person_record):
    user = sign_up_direct()
    identity_services.send_binding_code(user=user)
    code = last_code_sent_to(PHONE)
    with time_machine.travel(timedelta(minutes=11)), pytest.raises(InvalidInput) as refused:
        identity_services.verify_binding_code(user=user, code=code)
    assert refused.value.details["code"] == [gettext("The code has expired or was replaced. Ask for a new one.")]
    assert not IdentityBinding.objects.filter(user=user).exists()


def test_codes_are_sent_a_few_times_an_hour_only(person_record):
    user = sign_up_direct()
    for _ in range(3):
        identity_services.send_binding_code(user=user)
    with pytest.raises(Throttled):
        identity_services.send_binding_code(user=user)


def test_many_accounts_naming_one_entity_do_not_flood_its_phone(person_record):
    for n in range(3):
        user = ApplicantFactory(username=f"claimant{n}", entity_kind="person", id_number=PERSON_ID, verified=False)
        for _ in range(2):
            identity_services.send_binding_code(user=user)
    late = ApplicantFactory(username="claimant9", entity_kind="person", id_number=PERSON_ID, verified=False)
    with pytest.raises(Throttled):
        identity_services.send_binding_code(user=late)


def test_no_number_on_record_no_code(db):
    user = sign_up_direct(id_number=valid_resident_id("62070219900101002"))
    with pytest.raises(InvalidInput):
        identity_services.send_binding_code(user=user)


def sign_up_direct(id_number=PERSON_ID):
    user = ApplicantFactory(username="claimant", entity_kind="person", id_number=id_number, verified=False)
    assert identity.binding_of(user) is None
    return user


# --- binding at the counter ----------------------------------------------------------------


def bind_at_the_counter(client, clerk, username: str):
    client.force_login(clerk)
    return client.post("/identity/counter/", {
        "username": username, "entity_kind": "enterprise", "id_number": UNCLAIMED_USCC, "entity_name": "某公司",
        "role": "legal_representative", "phone": "13900004444", "documents_seen": "on",
    })  # fmt: skip


def test_a_clerk_binds_an_account_after_seeing_the_licence(client, person_record):
    applicant = ApplicantFactory(username="newco", verified=False)
    clerk = StaffFactory(username="clerk", department__code="yshj", role=Role.INTAKE_CLERK)
    response = bind_at_the_counter(client, clerk, "newco")
    assert response.status_code == 302
    binding = IdentityBinding.objects.get(user=applicant, revoked_at__isnull=True)
    assert (binding.method, binding.role, binding.verified_by) == ("counter", "legal_representative", clerk)
    assert identity_services.phone_on_record("enterprise", UNCLAIMED_USCC) == "13900004444"
    assert AuditEvent.objects.filter(event_type="identity.bound", actor=clerk).exists()


def test_only_a_clerk_binds_at_the_counter(client, caseworker):
    applicant = ApplicantFactory(username="newco", verified=False)
    for someone in (caseworker, ApplicantFactory(username="other")):
        client.force_login(someone)
        assert client.get("/identity/counter/").status_code == 403
        with pytest.raises(NotPermitted):
            identity_services.bind_at_counter(actor=someone, username="newco", kind="enterprise",
                                              id_number=UNCLAIMED_USCC, name="某公司", role="agent")  # fmt: skip
    assert not IdentityBinding.objects.filter(user=applicant).exists()


# --- an enterprise's legal representative ends an agent's binding --------------------------


@pytest.fixture
def enterprise(caseworker):
    uscc = valid_uscc("91620702MA71ABCD0")
    register_penalty(caseworker)
    return {
        "head": ApplicantFactory(username="boss", id_number=uscc),
        "agent": ApplicantFactory(username="agent", id_number=uscc, verified__role=BindingRole.AGENT),
        "agent2": ApplicantFactory(username="agent2", id_number=uscc, verified__role=BindingRole.AGENT),
        "other": ApplicantFactory(username="otherboss"),
    }


def test_the_legal_representative_revokes_an_agent(client, enterprise):
    agent_binding = identity.binding_of(enterprise["agent"])
    client.force_login(enterprise["head"])
    assert f"/identity/bindings/{agent_binding.pk}/revoke/" in client.get("/identity/").content.decode()
    assert client.post(f"/identity/bindings/{agent_binding.pk}/revoke/").status_code == 302
    agent_binding.refresh_from_db()
    assert agent_binding.revoked_at is not None and agent_binding.revoked_by == enterprise["head"]
    assert AuditEvent.objects.filter(event_type="identity.unbound", actor=enterprise["head"]).exists()
    client.force_login(enterprise["agent"])
    assert "甘市监罚〔2026〕12号" not in client.get("/my/records/").content.decode()


def test_nobody_else_revokes_an_agent(client, enterprise):
    agent_binding = identity.binding_of(enterprise["agent"])
    for someone in (enterprise["other"], enterprise["agent2"]):
        client.force_login(someone)
        assert client.post(f"/identity/bindings/{agent_binding.pk}/revoke/").status_code == 404
    agent_binding.refresh_from_db()
    assert agent_binding.revoked_at is None


def test_the_agent_sees_the_enterprises_records_until_revoked(client, enterprise):
    client.force_login(enterprise["agent"])
    assert "甘市监罚〔2026〕12号" in client.get("/my/records/").content.decode()


# --- notices shown to the public mask a person's ID ----------------------------------------


def test_a_persons_notice_is_masked_for_them_and_whole_for_staff(client, person_record, caseworker, monkeypatch):
    monkeypatch.setattr(
        documents, "render_pdf", lambda notice, facts=None: (facts or notice.facts)["identifier"].encode()
    )
    notice = Notice.objects.get(record=person_record)
    person = ApplicantFactory(username="liming", entity_kind="person", id_number=PERSON_ID)
    client.force_login(person)
    assert (
        client.get(f"/notices/{notice.pk}/pdf/").content.decode()
        == masking.mask_resident_id(PERSON_ID)
        == PERSON_ID[:6] + "********" + PERSON_ID[-4:]
    )
    client.force_login(caseworker)
    assert client.get(f"/notices/{notice.pk}/pdf/").content == PERSON_ID.encode()


def test_an_agent_whose_binding_ended_cannot_act_on_what_they_filed(enterprise):
    record = CreditRecord.objects.get(decision_number="甘市监罚〔2026〕12号")
    draft = repair.start_application(actor=enterprise["agent"], record_id=record.pk)
    identity_services.revoke_binding(actor=enterprise["head"], binding_id=identity.binding_of(enterprise["agent"]).pk)
    agent = User.objects.get(pk=enterprise["agent"].pk)  # a new request: nothing cached
    with pytest.raises(NotFound):
        repair.withdraw(actor=agent, application_id=draft.pk)


def test_the_api_says_whether_the_account_is_verified(client, enterprise):
    client.force_login(ApplicantFactory(username="unverified", verified=False))
    assert client.get("/api/v1/me/").json()["verified_entity"] is None
    client.force_login(enterprise["agent"])
    verified = client.get("/api/v1/me/").json()["verified_entity"]
    assert (verified["entity_kind"], verified["role"], verified["method"]) == ("enterprise", "agent", "counter")


def test_a_wrong_code_on_the_page_shows_the_page_again_with_the_code_typed(client, person_record):
    user = sign_up(client, "person", PERSON_ID)
    client.post("/identity/code/")
    right = last_code_sent_to(PHONE)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    response = client.post("/identity/verify/", {"code": wrong})
    assert response.status_code == 400
    page = response.content.decode()
    assert "验证码不正确。" in page and f'value="{wrong}"' in page and 'action="/identity/verify/"' in page
    assert not IdentityBinding.objects.filter(user=user).exists()


def test_a_refused_counter_binding_keeps_what_the_clerk_typed(client, person_record):
    clerk = StaffFactory(username="clerk", department__code="yshj", role=Role.INTAKE_CLERK)
    response = bind_at_the_counter(client, clerk, "nobody-here")
    assert response.status_code == 400
    page = response.content.decode()
    assert "没有使用该用户名的有效账户。" in page
    assert 'value="nobody-here"' in page and 'value="某公司"' in page
    assert not IdentityBinding.objects.filter(id_number=UNCLAIMED_USCC).exists()
