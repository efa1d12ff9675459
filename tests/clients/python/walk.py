"""The README's walks through a client generated from openapi/openapi.json (openapi-python-client).

The Appendix A change requests (GSI-7.5.5-7.5.7, A.1.1-A.1.8) for the internet and the cloud
subscription, an incident (GSI-7.3, 7.5.8), a usage batch (GSI-7.1) and the cost read that sees
it (GSI-7.5.3). Every call goes through the generated client; every step that takes `If-Match`
sends the `ETag` of the previous answer.

tests/clients/run.sh generates the client into a temporary `gsi_hub_client` package, puts it on
PYTHONPATH, starts the server with demo data and passes GSI_BASE_URL and one token per role
(GSI_TOKEN_*). Exit status 0 only when every step answered as the README says.
"""

from __future__ import annotations

import datetime
import os
import sys
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar
from uuid import UUID

from gsi_hub_client import AuthenticatedClient
from gsi_hub_client.api.catalog import get_offering
from gsi_hub_client.api.costs import get_current_costs
from gsi_hub_client.api.identity import get_me
from gsi_hub_client.api.incidents import act_on_incident, get_incident, report_incident
from gsi_hub_client.api.service_requests import (
    complete_service_request,
    confirm_service_request,
    get_service_request,
    list_service_requests,
    preview_service_request,
    quote_service_request,
    report_service_request_progress,
    review_service_request,
    start_service_request_work,
    submit_service_request,
)
from gsi_hub_client.api.subscriptions import get_subscription, list_subscriptions
from gsi_hub_client.api.usage import submit_usage_batch
from gsi_hub_client.models import (
    AcknowledgementBody,
    ConfirmInput,
    CurrentCostsBody,
    ImpactBody,
    IncidentActionBody,
    IncidentBody,
    IncidentStateBody,
    IncidentStep,
    Me,
    MetricBody,
    NoteInput,
    OfferingBody,
    PreviewBody,
    ProgressBody,
    Problem,
    ProgressInput,
    QuoteInput,
    QuoteInputConfirmedQuantities,
    QuoteOutcomeBody,
    ReportIncident,
    RequestKindBody,
    RequestStatusBody,
    ServiceRequestBody,
    ServiceRequestInput,
    ServiceRequestInputQuantities,
    ServiceRequestList,
    SubscriptionBody,
    SubscriptionList,
    UrgencyBody,
    UsageBatchInput,
    UsageBatchResult,
    UsageRecordInput,
)
from gsi_hub_client.errors import UnexpectedStatus
from gsi_hub_client.types import Response

B = TypeVar("B")
R = TypeVar("R")


class StepFailed(Exception):
    pass


steps_passed = 0


def env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise StepFailed(f"environment variable {name} is not set (tests/clients/run.sh sets it)")
    return value


def check(step: str, condition: bool, what: str) -> None:
    if not condition:
        raise StepFailed(f"{step}: {what}")


def equal(step: str, actual: object, expected: object, what: str) -> None:
    check(step, actual == expected, f"{what}: expected {expected!r}, got {actual!r}")


def expect_ok(step: str, status: int, answer: Response[R], body_type: type[B]) -> tuple[B, str]:
    """The typed body and `ETag` of an answer that must have `status`."""
    global steps_passed
    parsed = answer.parsed
    if answer.status_code != status or not isinstance(parsed, body_type):
        raise StepFailed(f"{step}: expected {status}, got {int(answer.status_code)} {answer.content.decode(errors='replace')}")
    steps_passed += 1
    print(f"  ok  {step} → {int(answer.status_code)}")
    return parsed, answer.headers.get("ETag", "")


def expect_problem(step: str, status: int, slug: str, answer: Response[R]) -> None:
    """An answer that must be refused with `status` and a problem+json of the given type slug."""
    global steps_passed
    problem = answer.parsed
    if (
        answer.status_code != status
        or not isinstance(problem, Problem)
        or not problem.type_.endswith(f"/problems/{slug}")
    ):
        raise StepFailed(
            f"{step}: expected {status} {slug}, got {int(answer.status_code)} {answer.content.decode(errors='replace')}"
        )
    content_type = answer.headers.get("Content-Type", "")
    check(step, content_type.startswith("application/problem+json"), "a refusal is application/problem+json")
    steps_passed += 1
    print(f"  ok  {step} → {int(answer.status_code)} {slug}")


def client_for(token_variable: str) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=env("GSI_BASE_URL"), token=env(token_variable), raise_on_unexpected_status=True)


agency_admin = client_for("GSI_TOKEN_AGENCY_A_ADMIN")
agency_user = client_for("GSI_TOKEN_AGENCY_A_USER")
other_agency = client_for("GSI_TOKEN_AGENCY_B_ADMIN")
network_operator = client_for("GSI_TOKEN_NETWORK_OPERATOR")
cloud_operator = client_for("GSI_TOKEN_CLOUD_OPERATOR")
gix = client_for("GSI_TOKEN_GIX")


class ChangeWalk:
    """One README change request: what is asked, what is warned, what is quoted."""

    def __init__(
        self,
        label: str,
        subscription: SubscriptionBody,
        operator: AuthenticatedClient,
        operator_org: UUID,
        asked: dict[str, str],
        preview_delta: str,
        warned: tuple[str, str],
        confirmed: dict[str, str],
        quoted_delta: str,
        one_off: str | None,
    ) -> None:
        self.label = label
        self.subscription = subscription
        self.operator = operator
        self.operator_org = operator_org
        self.asked = asked
        self.preview_delta = preview_delta
        self.warned = warned
        self.confirmed = confirmed
        self.quoted_delta = quoted_delta
        self.one_off = one_off


def appendix_a(walk: ChangeWalk, agency_id: UUID) -> None:
    """README "A service request through Appendix A", steps 2-5 (step 6 is the same with the cloud)."""
    label = walk.label
    sub = walk.subscription

    def request_input() -> ServiceRequestInput:
        return ServiceRequestInput(
            kind=RequestKindBody.CHANGE,
            subscription_id=sub.id,
            quantities=ServiceRequestInputQuantities.from_dict(walk.asked),
        )

    # 2. The agency previews (GSI-A.1.2-A.1.3) and submits (GSI-A.1.4).
    preview, _ = expect_ok(
        f"{label}: agency admin previews the change (GSI-A.1.2)",
        200,
        preview_service_request.sync_detailed(client=agency_admin, body=request_input()),
        PreviewBody,
    )
    equal(f"{label} preview", preview.estimate.monthly_cost_delta, walk.preview_delta, "monthly cost delta")
    equal(
        f"{label} preview",
        [(w.metric, w.most_available) for w in preview.warnings],
        [walk.warned],
        "capacity warnings (GSI-A.1.3)",
    )
    equal(f"{label} preview", preview.provider_id, walk.operator_org, "the serving provider")

    submitted, etag = expect_ok(
        f"{label}: agency admin submits (GSI-A.1.4)",
        201,
        submit_service_request.sync_detailed(client=agency_admin, body=request_input()),
        ServiceRequestBody,
    )
    request_id = submitted.id
    equal(f"{label} submit", submitted.status, RequestStatusBody.SUBMITTED, "status")
    equal(f"{label} submit", submitted.agency_id, agency_id, "agency")
    equal(f"{label} submit", submitted.estimate.monthly_cost_delta, walk.preview_delta, "estimate kept")
    check(f"{label} submit", etag != "", "the answer carries an ETag")

    # 3. The operator sees it in the queue with the warning, reviews and quotes (GSI-A.1.5-A.1.6).
    queue, _ = expect_ok(
        f"{label}: operator reads the queue",
        200,
        list_service_requests.sync_detailed(client=walk.operator, status=RequestStatusBody.SUBMITTED),
        ServiceRequestList,
    )
    queued = [item for item in queue.items if item.id == request_id]
    check(f"{label} queue", len(queued) == 1, f"request {request_id} is in the operator's queue")
    equal(f"{label} queue", [w.metric for w in queued[0].warnings], [walk.warned[0]], "the warning in the queue")

    reviewed, reviewed_etag = expect_ok(
        f"{label}: operator starts the review (GSI-A.1.5)",
        200,
        review_service_request.sync_detailed(request_id, client=walk.operator, body=NoteInput(), if_match=etag),
        ServiceRequestBody,
    )
    equal(f"{label} review", reviewed.status, RequestStatusBody.UNDER_REVIEW, "status")

    # A step with a version already passed is refused: the ETag really guards the step.
    expect_problem(
        f"{label}: quoting with the stale ETag {etag} is refused",
        412,
        "precondition-failed",
        quote_service_request.sync_detailed(
            request_id,
            client=walk.operator,
            body=QuoteInput(outcome=QuoteOutcomeBody.REJECTED, note="stale"),
            if_match=etag,
        ),
    )

    valid_until = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=7)
    quote = QuoteInput(
        outcome=QuoteOutcomeBody.APPROVED,
        confirmed_quantities=QuoteInputConfirmedQuantities.from_dict(walk.confirmed),
        monthly_cost_delta=walk.quoted_delta,
        one_off_charge=walk.one_off,
        valid_until=valid_until,
    )
    quoted, quoted_etag = expect_ok(
        f"{label}: operator quotes (GSI-A.1.6)",
        200,
        quote_service_request.sync_detailed(request_id, client=walk.operator, body=quote, if_match=reviewed_etag),
        ServiceRequestBody,
    )
    equal(f"{label} quote", quoted.status, RequestStatusBody.QUOTED, "status")
    quote_id = quoted.current_quote_id
    if not isinstance(quote_id, UUID):
        raise StepFailed(f"{label} quote: current_quote_id is not set")

    # 4. The agency confirms the current quote (GSI-A.1.7).
    confirmed, confirmed_etag = expect_ok(
        f"{label}: agency admin confirms the quote (GSI-A.1.7)",
        200,
        confirm_service_request.sync_detailed(
            request_id, client=agency_admin, body=ConfirmInput(quote_id=quote_id), if_match=quoted_etag
        ),
        ServiceRequestBody,
    )
    equal(f"{label} confirm", confirmed.status, RequestStatusBody.CONFIRMED, "status")
    ack = confirmed.acknowledgement
    if not isinstance(ack, AcknowledgementBody):
        raise StepFailed(f"{label} confirm: no acknowledgement")
    equal(f"{label} confirm", ack.quote_id, quote_id, "acknowledged quote")
    equal(f"{label} confirm", ack.organisation_id, agency_id, "acknowledging organisation")
    equal(f"{label} confirm", ack.quantities.to_dict(), walk.confirmed, "acknowledged quantities")
    equal(f"{label} confirm", ack.monthly_cost_delta, walk.quoted_delta, "acknowledged monthly cost")
    equal(f"{label} confirm", ack.one_off_charge, walk.one_off or "0.00", "acknowledged one-off charge")

    # 5. The operator carries it out (GSI-A.1.8).
    started, started_etag = expect_ok(
        f"{label}: operator starts the work",
        200,
        start_service_request_work.sync_detailed(
            request_id, client=walk.operator, body=NoteInput(), if_match=confirmed_etag
        ),
        ServiceRequestBody,
    )
    equal(f"{label} start", started.status, RequestStatusBody.IN_PROGRESS, "status")
    progressed, progressed_etag = expect_ok(
        f"{label}: operator reports 60 % progress",
        200,
        report_service_request_progress.sync_detailed(
            request_id,
            client=walk.operator,
            body=ProgressInput(percent=60, note="Port reconfigured at the exchange"),
            if_match=started_etag,
        ),
        ServiceRequestBody,
    )
    progress = progressed.progress
    if not isinstance(progress, ProgressBody):
        raise StepFailed(f"{label} progress: no progress report")
    equal(f"{label} progress", progress.percent, 60, "progress")
    completed, completed_etag = expect_ok(
        f"{label}: operator completes",
        200,
        complete_service_request.sync_detailed(
            request_id, client=walk.operator, body=NoteInput(), if_match=progressed_etag
        ),
        ServiceRequestBody,
    )
    equal(f"{label} complete", completed.status, RequestStatusBody.COMPLETED, "status")

    after, _ = expect_ok(
        f"{label}: agency admin reads the subscription",
        200,
        get_subscription.sync_detailed(sub.id, client=agency_admin),
        SubscriptionBody,
    )
    for metric, quantity in walk.confirmed.items():
        equal(f"{label} subscription", after.quantities.to_dict().get(metric), quantity, f"{metric} after the change")

    # Both parties (and GIX) read the same timeline; another agency gets 404.
    expected_timeline = ["submit", "start_review", "quote", "confirm", "start_work", "report_progress", "complete"]
    for who, client in [("agency admin", agency_admin), ("operator", walk.operator), ("GIX", gix)]:
        read, read_etag = expect_ok(
            f"{label}: {who} reads the request's timeline",
            200,
            get_service_request.sync_detailed(request_id, client=client),
            ServiceRequestBody,
        )
        equal(f"{label} timeline ({who})", [str(e.action) for e in read.timeline], expected_timeline, "steps")
        equal(f"{label} timeline ({who})", read_etag, completed_etag, "ETag of the last step")
    expect_problem(
        f"{label}: agency B reads agency A's request",
        404,
        "not-found",
        get_service_request.sync_detailed(request_id, client=other_agency),
    )


def incident(internet: SubscriptionBody, operator_org: UUID) -> None:
    """README "What went wrong": the agency reports, the provider works it through, the agency closes."""
    report = ReportIncident(
        subscription_id=internet.id,
        title="อินเทอร์เน็ตสำนักงานใหญ่ใช้งานไม่ได้",
        description="No traffic on the HQ circuit since 09:00; the branch offices are fine.",
        impact=ImpactBody.HIGH,
        urgency=UrgencyBody.HIGH,
    )
    reported, etag = expect_ok(
        "incident: agency user reports a fault (GSI-7.5.8)",
        201,
        report_incident.sync_detailed(client=agency_user, body=report),
        IncidentBody,
    )
    incident_id = reported.id
    equal("incident report", reported.state, IncidentStateBody.NEW, "state")
    equal("incident report", str(reported.priority), "p1", "priority from high impact and urgency (GSI-7.3)")
    equal("incident report", str(reported.channel), "self_service", "channel")
    equal("incident report", reported.provider_id, operator_org, "provider")

    current = reported
    provider_steps: list[tuple[IncidentStep, IncidentStateBody]] = [
        (IncidentStep(action=IncidentActionBody.ACKNOWLEDGE), IncidentStateBody.ACKNOWLEDGED),
        (IncidentStep(action=IncidentActionBody.START_WORK), IncidentStateBody.IN_PROGRESS),
        (IncidentStep(action=IncidentActionBody.RESOLVE, note="Line card replaced"), IncidentStateBody.RESOLVED),
    ]
    for body, state in provider_steps:
        current, etag = expect_ok(
            f"incident: network operator {body.action}",
            200,
            act_on_incident.sync_detailed(incident_id, client=network_operator, body=body, if_match=etag),
            IncidentBody,
        )
        equal(f"incident {body.action}", current.state, state, "state")
    equal("incident resolve", str(current.deadlines.response), "met", "response deadline (GSI-10.2)")

    agency_view, agency_etag = expect_ok(
        "incident: agency user reads the resolution",
        200,
        get_incident.sync_detailed(incident_id, client=agency_user),
        IncidentBody,
    )
    equal("incident agency view", [str(a) for a in agency_view.available_actions], ["close", "reopen"], "actions")
    closed, _ = expect_ok(
        "incident: agency user closes it",
        200,
        act_on_incident.sync_detailed(
            incident_id, client=agency_user, body=IncidentStep(action=IncidentActionBody.CLOSE), if_match=agency_etag
        ),
        IncidentBody,
    )
    equal("incident close", closed.state, IncidentStateBody.CLOSED, "state")
    equal("incident close", len(closed.timeline), 5, "report + acknowledge + start + resolve + close")


BANGKOK = datetime.timezone(datetime.timedelta(hours=7))


def metric_of(costs: CurrentCostsBody, subscription_id: UUID, metric: MetricBody) -> tuple[Decimal, Decimal]:
    for sub in costs.subscriptions:
        if sub.subscription_id == subscription_id:
            for line in sub.metrics:
                if line.metric == metric:
                    return Decimal(line.quantity), Decimal(line.amount)
    return Decimal(0), Decimal("0.00")


def usage_and_costs(cloud: SubscriptionBody) -> None:
    """README "Costs": the provider sends usage, the agency's month to date changes accordingly."""
    before, _ = expect_ok(
        "costs: agency admin reads the month to date (GSI-7.5.3)",
        200,
        get_current_costs.sync_detailed(client=agency_admin),
        CurrentCostsBody,
    )
    offering, _ = expect_ok(
        "costs: agency admin reads the cloud offering's prices",
        200,
        get_offering.sync_detailed(cloud.offering_id, client=agency_admin),
        OfferingBody,
    )
    prices = [line.unit_price for line in offering.pricing if line.metric == MetricBody.VCPU_HOUR]
    check("costs offering", len(prices) == 1, "the cloud offering prices vcpu_hour")
    price = Decimal(prices[0])

    end = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) - datetime.timedelta(seconds=1)
    month_start = end.astimezone(BANGKOK).replace(day=1, hour=0, minute=0, second=0)
    start = max(month_start, end - datetime.timedelta(hours=1))
    quantity = "16"
    batch = UsageBatchInput(
        records=[
            UsageRecordInput(
                record_id=f"client-walk-python/{end.isoformat()}",
                subscription_id=cloud.id,
                metric=MetricBody.VCPU_HOUR,
                quantity=quantity,
                period_start=start,
                period_end=end,
            )
        ]
    )
    stored, _ = expect_ok(
        "usage: cloud operator submits a batch (GSI-7.1)",
        200,
        submit_usage_batch.sync_detailed(client=cloud_operator, body=batch),
        UsageBatchResult,
    )
    equal("usage batch", (stored.accepted, stored.duplicates), (1, 0), "accepted, duplicates")
    resent, _ = expect_ok(
        "usage: the same batch again is a counted duplicate",
        200,
        submit_usage_batch.sync_detailed(client=cloud_operator, body=batch),
        UsageBatchResult,
    )
    equal("usage batch again", (resent.accepted, resent.duplicates), (0, 1), "accepted, duplicates")

    after, _ = expect_ok(
        "costs: agency admin reads the month to date again",
        200,
        get_current_costs.sync_detailed(client=agency_admin),
        CurrentCostsBody,
    )
    step = "costs after the batch"
    was_quantity, was_amount = metric_of(before, cloud.id, MetricBody.VCPU_HOUR)
    now_quantity, now_amount = metric_of(after, cloud.id, MetricBody.VCPU_HOUR)
    # One line, rounded once to the satang, half away from zero (README "API conventions").
    line = (Decimal(quantity) * price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    equal(step, now_quantity - was_quantity, Decimal(quantity), "vcpu_hour quantity added")
    equal(step, now_amount - was_amount, line, f"vcpu_hour amount added ({quantity} × {price})")
    equal(step, Decimal(after.total) - Decimal(before.total), line, "month total added")


def main() -> None:
    me, _ = expect_ok("agency admin: GET /v1/me", 200, get_me.sync_detailed(client=agency_admin), Me)
    agency_id = me.organisation_id
    equal("me", str(me.role), "agency_admin", "role")
    network_org = expect_ok("network operator: GET /v1/me", 200, get_me.sync_detailed(client=network_operator), Me)[0]
    cloud_org = expect_ok("cloud operator: GET /v1/me", 200, get_me.sync_detailed(client=cloud_operator), Me)[0]

    # 1. The agency's subscriptions: Government Internet (500 Mbps) and GovCloud Compute (8 vCPU).
    subs, _ = expect_ok(
        "agency admin lists its subscriptions (GSI-7.5.2)",
        200,
        list_subscriptions.sync_detailed(client=agency_admin),
        SubscriptionList,
    )

    def find(metric: str, provider: UUID) -> SubscriptionBody:
        for sub in subs.items:
            if metric in sub.quantities.to_dict() and sub.provider_id == provider:
                return sub
        raise StepFailed(f"agency A has no subscription with {metric} from {provider}")

    internet = find("mbps_month", network_org.organisation_id)
    cloud = find("vcpu_hour", cloud_org.organisation_id)
    equal("subscriptions", internet.quantities.to_dict().get("mbps_month"), "500", "internet bandwidth at the start")
    equal("subscriptions", cloud.quantities.to_dict().get("vcpu_hour"), "8", "cloud vCPU at the start")

    appendix_a(
        ChangeWalk(
            label="internet change",
            subscription=internet,
            operator=network_operator,
            operator_org=network_org.organisation_id,
            asked={"mbps_month": "12000"},
            preview_delta="3680000.00",
            warned=("mbps_month", "10000"),
            confirmed={"mbps_month": "10000"},
            quoted_delta="3040000.00",
            one_off="15000.00",
        ),
        agency_id,
    )
    appendix_a(
        ChangeWalk(
            label="cloud change",
            subscription=cloud,
            operator=cloud_operator,
            operator_org=cloud_org.organisation_id,
            asked={"vcpu_hour": "200", "ram_gb_hour": "64"},
            preview_delta="154176.00",
            warned=("vcpu_hour", "128"),
            confirmed={"vcpu_hour": "128", "ram_gb_hour": "64"},
            quoted_delta="98988.00",
            one_off=None,
        ),
        agency_id,
    )
    incident(internet, network_org.organisation_id)
    usage_and_costs(cloud)


def run(walk: Callable[[], None]) -> int:
    try:
        walk()
    except (StepFailed, UnexpectedStatus) as failure:
        print(f"python walk FAILED after {steps_passed} steps: {failure}", file=sys.stderr)
        return 1
    print(f"python walk: all {steps_passed} steps passed")
    return 0


if __name__ == "__main__":
    sys.exit(run(main))
