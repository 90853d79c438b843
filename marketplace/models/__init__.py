"""The data model, one module per aggregate."""

from .alert import SavedSearch
from .audit import AuditEvent
from .city import City
from .contact import ContactMessage, VisitorMessage
from .moderation import ModerationEvent
from .outbox import SearchChange
from .rate_limit import RateLimitCounter
from .redirect import SlugRedirect
from .report import Report
from .revision import SolutionRevision
from .solution import Adoption, Solution, SolutionTranslation
from .taxonomy import (
    SDG,
    Challenge,
    TaxonomyPhrase,
    Track,
    TransversalService,
    VocabularyRevision,
)
from .user import User

__all__ = [
    "SDG",
    "Adoption",
    "AuditEvent",
    "Challenge",
    "City",
    "ContactMessage",
    "ModerationEvent",
    "RateLimitCounter",
    "Report",
    "SavedSearch",
    "SearchChange",
    "SlugRedirect",
    "Solution",
    "SolutionRevision",
    "SolutionTranslation",
    "TaxonomyPhrase",
    "Track",
    "TransversalService",
    "User",
    "VisitorMessage",
    "VocabularyRevision",
]
