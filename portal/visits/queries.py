"""Reading visits for pages: the public calendar, one visit, offers made to an applicant."""

from __future__ import annotations

import sqlalchemy as sa

from portal.extensions import db
from portal.visits.models import VisitOffer


def offers_for(application_id: int) -> list[VisitOffer]:
    return list(
        db.session.scalars(
            sa.select(VisitOffer).where(VisitOffer.application_id == application_id).order_by(VisitOffer.id)
        )
    )


def open_for_offers():
    """Published visits that have not started and still have places: the ones staff may offer a seat on."""
    from portal.visits.services import upcoming

    return [v for v in upcoming() if v.seats_left > 0]
