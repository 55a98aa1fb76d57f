"""Each notice PDF carries the deciding unit's seal over the date and its digital signature (PAdES),
made with the key the admin set for the unit; a unit without a key still issues its notices."""

from datetime import date, datetime, timedelta
from io import BytesIO

import pytest
import time_machine
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from cases.core import documents
from cases.core.models import Department, Notice
from tests.factories import register_penalty

pytestmark = pytest.mark.django_db

PASSPHRASE = "印章口令-2026"


def self_signed_pkcs12(name: str, passphrase: str) -> tuple[bytes, bytes]:
    """A department's test key: a self-signed certificate fit for signing documents, as PKCS#12,
    and the certificate (DER) a verifier trusts."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"), x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now().astimezone()
    usage = x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=False,
                          encipher_only=False, decipher_only=False)  # fmt: skip
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )
    bundle = pkcs12.serialize_key_and_certificates(
        name.encode(), key, cert, None, serialization.BestAvailableEncryption(passphrase.encode())
    )
    return bundle, cert.public_bytes(serialization.Encoding.DER)


def seal_png() -> bytes:
    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 232, 232), outline=(200, 0, 0, 255), width=10)
    draw.regular_polygon((120, 120, 40), 5, fill=(200, 0, 0, 255))
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def department():
    unit = Department.objects.get(code="scjg")
    bundle, cert = self_signed_pkcs12("区市场监管局", PASSPHRASE)
    unit.signing_key.save("scjg.p12", ContentFile(bundle), save=False)
    unit.seal_image.save("scjg.png", ContentFile(seal_png()), save=False)
    unit.signing_passphrase = PASSPHRASE
    unit.save()
    unit.trusted_cert = cert
    return unit


@pytest.fixture
def notice(caseworker, department):
    with time_machine.travel(date(2026, 3, 5)):
        record = register_penalty(caseworker)
    return Notice.objects.get(record=record)


def embedded_signature(pdf: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(BytesIO(pdf))
    [signature] = reader.embedded_signatures
    return signature


def test_the_notice_is_signed_by_its_department_and_the_signature_verifies(notice, department):
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    pdf = documents.pdf_of(notice)
    trust = ValidationContext(trust_roots=[asn1_x509.Certificate.load(department.trusted_cert)])
    status = validate_pdf_signature(embedded_signature(pdf), trust)
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.subject.native["common_name"] == "区市场监管局"
    assert Notice.objects.get(pk=notice.pk).signed


def test_a_changed_byte_breaks_the_signature(notice, department):
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    pdf = bytearray(documents.pdf_of(notice))
    signature = embedded_signature(bytes(pdf))
    start = signature.byte_range[0] + signature.byte_range[1] // 2  # inside the first signed range
    pdf[start] = ord("0") if pdf[start] != ord("0") else ord("1")
    trust = ValidationContext(trust_roots=[asn1_x509.Certificate.load(department.trusted_cert)])
    status = validate_pdf_signature(embedded_signature(bytes(pdf)), trust)
    assert not status.intact


def test_the_masked_copy_the_entity_downloads_is_signed_too(caseworker, department):
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from tests.factories import valid_resident_id

    with time_machine.travel(date(2026, 3, 5)):
        record = register_penalty(caseworker, party_kind="person", party_name="张三",
                                  party_id_number=valid_resident_id("62070219800101001"))  # fmt: skip
    pdf = documents.pdf_of(Notice.objects.get(record=record), masked=True)
    trust = ValidationContext(trust_roots=[asn1_x509.Certificate.load(department.trusted_cert)])
    status = validate_pdf_signature(embedded_signature(pdf), trust)
    assert status.intact and status.valid and status.trusted
    assert not Notice.objects.get(record=record).pdf  # the masked copy is not kept


def page_images(pdf: bytes) -> list:
    """The images drawn on the PDF's pages (in their resources or in forms they draw)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    found = []

    def walk(resources):
        resources = resources.get_object()
        if "/XObject" not in resources:
            return
        xobjects = resources["/XObject"]
        for name in xobjects:
            xobject = xobjects[name]
            if "/Subtype" in xobject and xobject["/Subtype"] == "/Image":
                found.append(xobject)
            elif "/Resources" in xobject:
                walk(xobject["/Resources"])

    def pages(node):
        node = node.get_object()
        if node["/Type"] == "/Pages":
            for kid in node["/Kids"]:
                yield from pages(kid)
        else:
            yield node

    for page in pages(PdfFileReader(BytesIO(pdf)).root["/Pages"]):
        if "/Resources" in page:
            walk(page["/Resources"])
    return found


def test_the_seal_image_is_placed_on_the_notice(notice):
    images = page_images(documents.pdf_of(notice))
    assert any(image["/Width"] == 240 and image["/Height"] == 240 for image in images)


def test_the_seal_is_over_the_unit_and_the_date(notice):
    html = documents.render_html(notice)
    signoff = html.split('<div class="signoff">', 1)[1]
    assert signoff.index('<img class="seal" src="data:image/png;base64,') < signoff.index("区市场监管局")
    assert signoff.index("区市场监管局") < signoff.index("2026年3月5日")
    assert "/media/" not in html  # the seal is drawn from private storage, never by URL


def test_a_department_without_a_key_still_issues_its_notice_unsigned(caseworker):
    with time_machine.travel(date(2026, 3, 5)):
        record = register_penalty(caseworker)
    notice = Notice.objects.get(record=record)
    pdf = documents.pdf_of(notice)
    assert pdf.startswith(b"%PDF") and b"/ByteRange" not in pdf
    assert not Notice.objects.get(pk=notice.pk).signed
    assert page_images(pdf) == []  # no seal uploaded: none drawn


def test_the_seal_and_key_are_stored_privately(department, settings):
    assert department.seal_image.path.startswith(settings.PRIVATE_ROOT)
    assert department.signing_key.path.startswith(settings.PRIVATE_ROOT)
    assert not department.seal_image.path.startswith(settings.MEDIA_ROOT)
    with pytest.raises(ValueError):
        department.seal_image.url  # noqa: B018


def department_form(unit: Department, **changes) -> dict:
    data = {"code": unit.code, "name_zh": unit.name_zh, "name_en": unit.name_en, "active": "on",
            "document_prefix": "甘州市监", "reconsideration_body": "", "contact_line": "",
            "signing_passphrase": ""}  # fmt: skip
    return {**data, **changes}


def p12_upload(bundle: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("unit.p12", bundle, content_type="application/x-pkcs12")


def test_the_admin_refuses_a_key_that_does_not_open_with_its_passphrase(client, admin_user):
    unit = Department.objects.get(code="scjg")
    bundle, _cert = self_signed_pkcs12("区市场监管局", PASSPHRASE)
    client.force_login(admin_user)
    form = department_form(unit, signing_key=p12_upload(bundle), signing_passphrase="wrong")
    response = client.post(f"/admin/cases/department/{unit.pk}/change/", form)
    assert response.status_code == 200
    assert "密钥无法用此口令打开" in response.content.decode()
    assert not Department.objects.get(pk=unit.pk).signing_key


def test_the_admin_sets_the_key_and_never_shows_the_passphrase_back(client, admin_user):
    from cases.core.models import AuditEvent

    unit = Department.objects.get(code="scjg")
    bundle, _cert = self_signed_pkcs12("区市场监管局", PASSPHRASE)
    client.force_login(admin_user)
    form = department_form(unit, signing_key=p12_upload(bundle), signing_passphrase=PASSPHRASE)
    response = client.post(f"/admin/cases/department/{unit.pk}/change/", form)
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.signing_key and unit.signing_passphrase == PASSPHRASE and unit.document_prefix == "甘州市监"
    page = client.get(f"/admin/cases/department/{unit.pk}/change/").content.decode()
    assert PASSPHRASE not in page and "unit.p12" not in page and "signing/" not in page
    event = AuditEvent.objects.get(event_type="department.documents_changed")
    assert event.payload["changed"] == ["document_prefix", "signing_key", "signing_passphrase"]
    assert PASSPHRASE not in str(event.payload)
    # Saved again with the passphrase left empty: the key and its passphrase are kept.
    client.post(f"/admin/cases/department/{unit.pk}/change/", department_form(unit))
    unit.refresh_from_db()
    assert unit.signing_key and unit.signing_passphrase == PASSPHRASE
    assert AuditEvent.objects.filter(event_type="department.documents_changed").count() == 1


def test_the_admin_lists_which_units_sign_their_notices(client, admin_user, department):
    client.force_login(admin_user)
    page = client.get("/admin/cases/department/").content.decode()
    assert "签署文书" in page


def test_the_admin_refuses_a_seal_that_is_not_an_image(client, admin_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    unit = Department.objects.get(code="scjg")
    client.force_login(admin_user)
    fake = SimpleUploadedFile("seal.png", b"MZ\x90\x00 not an image", content_type="image/png")
    response = client.post(f"/admin/cases/department/{unit.pk}/change/", department_form(unit, seal_image=fake))
    assert "请上传 PNG 或 JPEG 格式的印章图片" in response.content.decode()
    assert not Department.objects.get(pk=unit.pk).seal_image


def test_a_notice_kept_unsigned_is_signed_once_the_unit_has_a_key(caseworker):
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    with time_machine.travel(date(2026, 3, 5)):
        record = register_penalty(caseworker)
    notice = Notice.objects.get(record=record)
    unsigned = documents.pdf_of(notice)
    unit = Department.objects.get(code="scjg")
    bundle, cert = self_signed_pkcs12("区市场监管局", PASSPHRASE)
    unit.signing_key.save("scjg.p12", ContentFile(bundle), save=False)
    unit.signing_passphrase = PASSPHRASE
    unit.save()
    signed = documents.pdf_of(Notice.objects.select_related("record__department").get(pk=notice.pk))
    assert signed.startswith(unsigned)  # the kept content, with the signature appended
    status = validate_pdf_signature(
        embedded_signature(signed), ValidationContext(trust_roots=[asn1_x509.Certificate.load(cert)])
    )
    assert status.intact and status.valid and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert Notice.objects.get(pk=notice.pk).signed
