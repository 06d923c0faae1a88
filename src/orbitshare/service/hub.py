"""The hub: one store context and the services over it, wired once for the API, the CLI and tests."""

from __future__ import annotations

from orbitshare.service.audit import AuditService
from orbitshare.service.common import Context, HubConfig
from orbitshare.service.consent import ConsentService
from orbitshare.service.grants import GrantReader
from orbitshare.service.parties import PartyService
from orbitshare.service.products import ProductService
from orbitshare.service.tasking import TaskingService

__all__ = ["Hub"]


class Hub:
    """Composition root: `parties`, `products`, `consent`, `tasking` and `audit` share one database and key store."""

    def __init__(self, config: HubConfig) -> None:
        """Open the store and build the services (migrations are applied separately)."""
        self.ctx = Context(config)
        self.config, self.engine = config, self.ctx.engine
        grants = GrantReader(self.ctx)
        self.parties = PartyService(self.ctx)
        self.products = ProductService(self.ctx, grants)
        self.consent = ConsentService(self.ctx, self.products, grants)
        self.tasking = TaskingService(self.ctx, self.consent, grants)
        self.audit = AuditService(self.ctx, grants)

    def warm(self) -> int:
        """Load every product's label into the cache (run at start-up); returns how many."""
        return self.products.warm()

    def close(self) -> None:
        """Release database connections."""
        self.ctx.close()
