"""Blueprints, one per area, registered explicitly by create_app."""

from .account import bp as account
from .alerts import bp as alerts
from .api import bp as api
from .auth import bp as auth
from .catalogue import bp as catalogue
from .cities import bp as cities
from .curate import bp as curate
from .dcat import bp as dcat
from .discovery import bp as discovery
from .exchange import bp as exchange
from .exports import bp as exports
from .feeds import bp as feeds
from .health import bp as health
from .imports import bp as imports
from .language import bp as language
from .main import bp as main
from .manage import bp as manage
from .media import bp as media
from .publish import bp as publish
from .reports import bp as reports
from .taxonomy import bp as taxonomy

BLUEPRINTS = (
    main,
    language,
    catalogue,
    cities,
    taxonomy,
    api,
    feeds,
    dcat,
    exports,
    auth,
    account,
    alerts,
    publish,
    exchange,
    media,
    curate,
    imports,
    manage,
    reports,
    health,
    discovery,
)
