"""Health endpoints for a load balancer or an orchestrator, in JSON, never cached.

/health/live/ says that the process answers and touches nothing else, so that a database
outage takes servers out of rotation (readiness) without getting them restarted (liveness).
/health/ready/ runs django-health-check's database and cache checks: 200 when both work, 503
with Retry-After when either does not. Both are outside the language prefixes, the throttles
and authentication (config/urls.py).
"""

import asyncio

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from health_check.views import HealthCheckView

from core.http.outage import with_retry_after


@never_cache
@require_safe
def live(request):
    """200 while the process can answer a request."""
    return JsonResponse({"status": "ok"})


class ReadinessView(HealthCheckView):
    """Whether this server can serve the directory: the database and the cache answer.

    The library's view answers 500 on a failure and picks HTML or text by Accept; a load
    balancer wants 503 and one format whatever it sends.
    """

    checks = ("health_check.checks.Database", "health_check.checks.Cache")

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            self.results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        failed = any(result.error for result in self.results)
        response = JsonResponse(
            {
                "status": "unavailable" if failed else "ok",
                "checks": {
                    type(result.check).__name__.lower(): str(result.error or "OK")
                    for result in self.results
                },
            },
            status=503 if failed else 200,
        )
        return with_retry_after(response) if failed else response
