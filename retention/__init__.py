"""Retention schedules (保管期限表); legal holds and four-eyes disposal build on this."""
from retention.schedule import COURT_LITIGATION, GENERAL_RECORDS, RetentionRule, RetentionSchedule

__all__ = ["COURT_LITIGATION", "GENERAL_RECORDS", "RetentionRule", "RetentionSchedule"]
