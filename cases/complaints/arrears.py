"""What an arrears complaint (清欠) still owes, and whether it is settled: read by the answer, the
rectification and the closing of the loop alike."""

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from cases.complaints.models import Complaint, Finding
from cases.core.exceptions import Conflict, InvalidInput

ARREARS = "arrears"
# A claim larger than this is a typing mistake (ten billion yuan): no district contract comes near.
MAX_CLAIM = Decimal("10000000000.00")


def check_claim(subject: str, amount: Decimal | None) -> Decimal | None:
    """The amount an arrears complaint (拖欠账款) claims: required, positive, in yuan and fen, below
    MAX_CLAIM. Other subjects may give one (or none) within the same bounds."""
    if amount is None:
        if subject == ARREARS:
            raise InvalidInput(details={"amount_claimed": [_("An arrears complaint needs the amount owed, in yuan.")]})
        return None
    if amount <= 0:
        raise InvalidInput(details={"amount_claimed": [_("The amount owed must be more than 0 yuan.")]})
    if amount.as_tuple().exponent < -2:
        raise InvalidInput(details={"amount_claimed": [_("Give the amount in yuan with at most 2 decimals.")]})
    if amount > MAX_CLAIM:
        raise InvalidInput(details={"amount_claimed": [_("The amount owed cannot exceed 10,000,000,000 yuan.")]})
    return amount


def paid_total(complaint: Complaint) -> Decimal:
    return complaint.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def owed(complaint: Complaint) -> Decimal:
    """What the respondent still owes: the confirmed amount (else the claimed one) less payments."""
    base = complaint.amount_confirmed if complaint.amount_confirmed is not None else complaint.amount_claimed
    return max((base or Decimal("0")) - paid_total(complaint), Decimal("0"))


def arrears_settled(complaint: Complaint) -> bool:
    return complaint.plan_agreed_at is not None or owed(complaint) == 0


def require_settled_if_arrears(complaint: Complaint) -> None:
    if (complaint.subject == "arrears" and complaint.finding == Finding.SUBSTANTIATED
            and not arrears_settled(complaint)):  # fmt: skip
        raise Conflict(_("An arrears complaint closes only when the amount is paid in full or a repayment plan "
                         "is agreed."))  # fmt: skip
