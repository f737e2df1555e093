"""Every write of the meetings app: one function per use case, keyword-only, one
transaction, the access policy and the audit row inside it; e-mail queued on commit."""

from .agenda import (
    agenda_item_add,
    agenda_item_move,
    agenda_item_remove,
    agenda_item_restore,
    agenda_item_update,
    agenda_prepare,
)
from .calendar import calendar_feed_create, calendar_feed_revoke, calendar_feed_use
from .consultations import (
    booking_advice_record,
    booking_cancel,
    booking_create,
    booking_reminders_send,
    consultation_hour_save,
)
from .crisis import crisis_call, crisis_invite, crisis_outcome_record, invitation_refusal
from .escalations import escalation_handle, escalation_raise
from .minutes import (
    action_review_record,
    decision_correct_text,
    decision_record,
    minutes_approve,
    minutes_correct,
    minutes_summary_save,
)
from .schedule import (
    attendance_apologise,
    attendance_record,
    confidentiality_confirm,
    meeting_cancel,
    meetings_schedule,
    series_member_add,
    series_member_remove,
    series_save,
)

__all__ = [
    "action_review_record",
    "agenda_item_add",
    "agenda_item_move",
    "agenda_item_remove",
    "agenda_item_restore",
    "agenda_item_update",
    "agenda_prepare",
    "attendance_apologise",
    "attendance_record",
    "booking_advice_record",
    "booking_cancel",
    "booking_create",
    "booking_reminders_send",
    "calendar_feed_create",
    "calendar_feed_revoke",
    "calendar_feed_use",
    "confidentiality_confirm",
    "consultation_hour_save",
    "crisis_call",
    "crisis_invite",
    "crisis_outcome_record",
    "decision_correct_text",
    "decision_record",
    "escalation_handle",
    "escalation_raise",
    "invitation_refusal",
    "meeting_cancel",
    "meetings_schedule",
    "minutes_approve",
    "minutes_correct",
    "minutes_summary_save",
    "series_member_add",
    "series_member_remove",
    "series_save",
]
