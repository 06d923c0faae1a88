"""The hub's HTTP routes, one module per resource group, each with its APIRouter (included by `create_app`).

Every route that hands a product out goes through the release decision.
"""

__all__ = ["audit", "common", "consent", "jobs", "pages", "parties", "products", "stac"]
