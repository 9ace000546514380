"""The lower layer: the companies and organisations that exhibit, and the sectors they work in
(register.py), and the facet counts kept of them (facetcounts.py).

Nothing here knows about expos; `expos` builds on these models and serves their pages, API and
admin. Exhibitors and sectors are cited like every record (core.provenance.CitedModel).
"""

from .facetcounts import CountryCount, CountrySectorCount
from .register import Exhibitor, ExhibitorSector, Sector

__all__ = ["CountryCount", "CountrySectorCount", "Exhibitor", "ExhibitorSector", "Sector"]
