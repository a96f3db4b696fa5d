"""Web page routers, one module per page family."""

from tradepolicy.web.pages import economics, foundation, law, remedies, tariffs

ROUTERS = [foundation.router, law.router, tariffs.router, economics.router, remedies.router]
