"""Parse publication dates given by inputs into tz-aware datetimes."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from dateutil import parser as dateutil_parser  # installed with htmldate

logger = logging.getLogger(__name__)


def parse_date(value: str | None) -> datetime | None:
    """Parse an ISO 8601 or common human date; naive values are taken as UTC.

    Articles from different inputs are compared in time, so every date must be tz-aware; inputs
    rarely say their zone, and UTC is the least surprising guess. An unparseable date is not
    worth losing an article over: it is logged and dropped.

    Args:
        value: "2020-12-21", "2020-12-21T10:00:00Z", "December 21, 2020", "21 Dec 2020 10:00 +0200"...

    Returns:
        A tz-aware datetime, or None when `value` is empty or not a date.
    """
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        try:
            parsed = dateutil_parser.parse(text)
        except (ValueError, OverflowError, TypeError):
            logger.warning("ignoring unparseable date %r", text)
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed
