"""Blueprints, one per area, registered explicitly by create_app."""

from .api import bp as api
from .catalogue import bp as catalogue
from .cities import bp as cities
from .main import bp as main
from .taxonomy import bp as taxonomy

BLUEPRINTS = (main, catalogue, cities, taxonomy, api)
