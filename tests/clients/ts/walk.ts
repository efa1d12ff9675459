// The README's walks through a client generated from openapi/openapi.json
// (openapi-typescript types + openapi-fetch): the Appendix A change requests (GSI-7.5.5–7.5.7,
// A.1.1–A.1.8) for the internet and the cloud subscription, an incident (GSI-7.3, 7.5.8), a usage
// batch (GSI-7.1) and the cost read that sees it (GSI-7.5.3). Every call goes through the typed
// client; every step that takes `If-Match` sends the `ETag` of the previous answer.
//
// tests/clients/run.sh starts the server with demo data and passes GSI_BASE_URL and one token per
// role (GSI_TOKEN_*). Exit status 0 only when every step answered as the README says.

import createClient from "openapi-fetch";
import type { components, paths } from "./generated/api.js";

type Schemas = components["schemas"];
type Problem = Schemas["Problem"];
type Subscription = Schemas["SubscriptionBody"];
type Incident = Schemas["IncidentBody"];
type CurrentCosts = Schemas["CurrentCostsBody"];
type Metric = Schemas["MetricBody"];

/** What every openapi-fetch call resolves to, success or not. */
interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

class StepFailed extends Error {}

let stepCount = 0;

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") {
    throw new StepFailed(`environment variable ${name} is not set (tests/clients/run.sh sets it)`);
  }
  return value;
}

function check(step: string, condition: boolean, what: string): void {
  if (!condition) {
    throw new StepFailed(`${step}: ${what}`);
  }
}

/** JSON with object keys sorted, so that maps compare by content, not key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "bigint") {
      return `${v}n`;
    }
    if (typeof v === "object" && v !== null && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)));
    }
    return v;
  });
}

function equal<T>(step: string, actual: T, expected: T, what: string): void {
  const a = canonical(actual);
  const e = canonical(expected);
  check(step, a === e, `${what}: expected ${e}, got ${a}`);
}

/** Awaits a call that must succeed with `status`; returns its typed body and `ETag`. */
async function expectOk<T>(step: string, status: number, call: Promise<Answer<T>>): Promise<{ body: T; etag: string }> {
  const { data, error, response } = await call;
  if (response.status !== status || data === undefined) {
    throw new StepFailed(
      `${step}: expected ${status}, got ${response.status} ${JSON.stringify(error ?? data ?? null)}`,
    );
  }
  stepCount += 1;
  console.log(`  ok  ${step} → ${response.status}`);
  return { body: data, etag: response.headers.get("ETag") ?? "" };
}

/** Awaits a call that must be refused with `status` and a problem of the given type slug. */
async function expectProblem(
  step: string,
  status: number,
  slug: string,
  call: Promise<Answer<unknown>>,
): Promise<void> {
  const { data, error, response } = await call;
  const problem = isProblem(error) ? error : undefined;
  if (response.status !== status || problem === undefined || !problem.type.endsWith(`/problems/${slug}`)) {
    throw new StepFailed(
      `${step}: expected ${status} ${slug}, got ${response.status} ${JSON.stringify(error ?? data ?? null)}`,
    );
  }
  check(
    step,
    response.headers.get("Content-Type")?.startsWith("application/problem+json") === true,
    "a refusal is application/problem+json",
  );
  stepCount += 1;
  console.log(`  ok  ${step} → ${response.status} ${slug}`);
}

function isProblem(value: unknown): value is Problem {
  return typeof value === "object" && value !== null && "type" in value && typeof value.type === "string";
}

function clientFor(token: string) {
  return createClient<paths>({ baseUrl: env("GSI_BASE_URL"), headers: { Authorization: `Bearer ${token}` } });
}

type Client = ReturnType<typeof clientFor>;

const agencyAdmin = clientFor(env("GSI_TOKEN_AGENCY_A_ADMIN"));
const agencyUser = clientFor(env("GSI_TOKEN_AGENCY_A_USER"));
const otherAgency = clientFor(env("GSI_TOKEN_AGENCY_B_ADMIN"));
const networkOperator = clientFor(env("GSI_TOKEN_NETWORK_OPERATOR"));
const cloudOperator = clientFor(env("GSI_TOKEN_CLOUD_OPERATOR"));
const gix = clientFor(env("GSI_TOKEN_GIX"));

// ---- exact decimals (quantities and prices up to 6 places, money to the satang) ----

const MICROS = 1_000_000n;

function micros(step: string, decimal: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,6}))?$/.exec(decimal);
  const whole = match?.[2];
  check(step, whole !== undefined, `"${decimal}" is not an exact decimal string`);
  const value = BigInt(whole ?? "0") * MICROS + BigInt((match?.[3] ?? "").padEnd(6, "0"));
  return match?.[1] === "-" ? -value : value;
}

/** quantity × unit price, rounded once to the satang, half away from zero (README conventions). */
function lineSatang(step: string, quantity: string, unitPrice: string): bigint {
  const product = micros(step, quantity) * micros(step, unitPrice); // 10^-12 THB
  const unit = 10_000_000_000n; // 10^-12 THB per satang
  const sign = product < 0n ? -1n : 1n;
  const magnitude = product * sign;
  return sign * ((magnitude + unit / 2n) / unit);
}

function satang(step: string, amount: string): bigint {
  check(step, /^-?\d+\.\d{2}$/.test(amount), `money "${amount}" has two decimals`);
  return micros(step, amount) / 10_000n;
}

// ---- the walks ----

interface ChangeWalk {
  label: string;
  subscription: Subscription;
  operator: Client;
  operatorOrg: string;
  asked: Record<string, string>;
  previewDelta: string;
  warnedMetric: string;
  mostAvailable: string;
  confirmed: Record<string, string>;
  quotedDelta: string;
  oneOff: string | null;
}

/** README "A service request through Appendix A", steps 2–5 (step 6 is the same with the cloud). */
async function appendixA(walk: ChangeWalk, agencyId: string): Promise<void> {
  const sub = walk.subscription;
  const label = walk.label;
  const input: Schemas["ServiceRequestInput"] = { kind: "change", subscription_id: sub.id, quantities: walk.asked };

  // 2. The agency previews (GSI-A.1.2–A.1.3) and submits (GSI-A.1.4).
  const preview = await expectOk(
    `${label}: agency admin previews the change (GSI-A.1.2)`,
    200,
    agencyAdmin.POST("/v1/service-requests/preview", { body: input }),
  );
  equal(`${label} preview`, preview.body.estimate.monthly_cost_delta, walk.previewDelta, "monthly cost delta");
  equal(
    `${label} preview`,
    preview.body.warnings.map((w) => [w.metric, w.most_available]),
    [[walk.warnedMetric, walk.mostAvailable]],
    "capacity warnings (GSI-A.1.3)",
  );
  equal(`${label} preview`, preview.body.provider_id, walk.operatorOrg, "the serving provider");

  const submitted = await expectOk(
    `${label}: agency admin submits (GSI-A.1.4)`,
    201,
    agencyAdmin.POST("/v1/service-requests", { body: input }),
  );
  const id = submitted.body.id;
  equal(`${label} submit`, submitted.body.status, "submitted", "status");
  equal(`${label} submit`, submitted.body.agency_id, agencyId, "agency");
  equal(`${label} submit`, submitted.body.estimate.monthly_cost_delta, walk.previewDelta, "estimate kept");
  check(`${label} submit`, submitted.etag !== "", "the answer carries an ETag");

  // 3. The operator sees it in the queue with the warning, reviews and quotes (GSI-A.1.5–A.1.6).
  const queue = await expectOk(
    `${label}: operator reads the queue`,
    200,
    walk.operator.GET("/v1/service-requests", { params: { query: { status: "submitted" } } }),
  );
  const queued = queue.body.items.find((item) => item.id === id);
  check(`${label} queue`, queued !== undefined, `request ${id} is in the operator's queue`);
  equal(`${label} queue`, queued?.warnings.map((w) => w.metric), [walk.warnedMetric], "the warning in the queue");

  const reviewed = await expectOk(
    `${label}: operator starts the review (GSI-A.1.5)`,
    200,
    walk.operator.POST("/v1/service-requests/{request_id}/review", {
      params: { path: { request_id: id }, header: { "If-Match": submitted.etag } },
      body: {},
    }),
  );
  equal(`${label} review`, reviewed.body.status, "under_review", "status");

  // A step with a version already passed is refused: the ETag really guards the step.
  await expectProblem(
    `${label}: quoting with the stale ETag ${submitted.etag} is refused`,
    412,
    "precondition-failed",
    walk.operator.POST("/v1/service-requests/{request_id}/quotes", {
      params: { path: { request_id: id }, header: { "If-Match": submitted.etag } },
      body: { outcome: "rejected", note: "stale" },
    }),
  );

  const validUntil = new Date(Date.now() + 7 * 86_400_000).toISOString();
  const quoted = await expectOk(
    `${label}: operator quotes (GSI-A.1.6)`,
    200,
    walk.operator.POST("/v1/service-requests/{request_id}/quotes", {
      params: { path: { request_id: id }, header: { "If-Match": reviewed.etag } },
      body: {
        outcome: "approved",
        confirmed_quantities: walk.confirmed,
        monthly_cost_delta: walk.quotedDelta,
        one_off_charge: walk.oneOff,
        valid_until: validUntil,
      },
    }),
  );
  equal(`${label} quote`, quoted.body.status, "quoted", "status");
  const quoteId = quoted.body.current_quote_id;
  check(`${label} quote`, typeof quoteId === "string", "current_quote_id is set");

  // 4. The agency confirms the current quote (GSI-A.1.7).
  const confirmed = await expectOk(
    `${label}: agency admin confirms the quote (GSI-A.1.7)`,
    200,
    agencyAdmin.POST("/v1/service-requests/{request_id}/confirm", {
      params: { path: { request_id: id }, header: { "If-Match": quoted.etag } },
      body: { quote_id: quoteId ?? "" },
    }),
  );
  equal(`${label} confirm`, confirmed.body.status, "confirmed", "status");
  const ack = confirmed.body.acknowledgement;
  equal(`${label} confirm`, ack?.quote_id, quoteId, "acknowledged quote");
  equal(`${label} confirm`, ack?.organisation_id, agencyId, "acknowledging organisation");
  equal(`${label} confirm`, ack?.quantities, walk.confirmed, "acknowledged quantities");
  equal(`${label} confirm`, ack?.monthly_cost_delta, walk.quotedDelta, "acknowledged monthly cost");
  equal(`${label} confirm`, ack?.one_off_charge, walk.oneOff ?? "0.00", "acknowledged one-off charge");

  // 5. The operator carries it out (GSI-A.1.8).
  const started = await expectOk(
    `${label}: operator starts the work`,
    200,
    walk.operator.POST("/v1/service-requests/{request_id}/start", {
      params: { path: { request_id: id }, header: { "If-Match": confirmed.etag } },
      body: {},
    }),
  );
  equal(`${label} start`, started.body.status, "in_progress", "status");
  const progressed = await expectOk(
    `${label}: operator reports 60 % progress`,
    200,
    walk.operator.POST("/v1/service-requests/{request_id}/progress", {
      params: { path: { request_id: id }, header: { "If-Match": started.etag } },
      body: { percent: 60, note: "Port reconfigured at the exchange" },
    }),
  );
  equal(`${label} progress`, progressed.body.progress?.percent, 60, "progress");
  const completed = await expectOk(
    `${label}: operator completes`,
    200,
    walk.operator.POST("/v1/service-requests/{request_id}/complete", {
      params: { path: { request_id: id }, header: { "If-Match": progressed.etag } },
      body: {},
    }),
  );
  equal(`${label} complete`, completed.body.status, "completed", "status");

  const after = await expectOk(
    `${label}: agency admin reads the subscription`,
    200,
    agencyAdmin.GET("/v1/subscriptions/{subscription_id}", { params: { path: { subscription_id: sub.id } } }),
  );
  for (const [metric, quantity] of Object.entries(walk.confirmed)) {
    equal(`${label} subscription`, after.body.quantities[metric], quantity, `${metric} after the change`);
  }

  // Both parties (and GIX) read the same timeline; another agency gets 404.
  const expectedTimeline = ["submit", "start_review", "quote", "confirm", "start_work", "report_progress", "complete"];
  const readers: [string, Client][] = [
    ["agency admin", agencyAdmin],
    ["operator", walk.operator],
    ["GIX", gix],
  ];
  for (const [who, client] of readers) {
    const read = await expectOk(
      `${label}: ${who} reads the request's timeline`,
      200,
      client.GET("/v1/service-requests/{request_id}", { params: { path: { request_id: id } } }),
    );
    equal(`${label} timeline (${who})`, read.body.timeline.map((e) => e.action), expectedTimeline, "steps");
    equal(`${label} timeline (${who})`, read.etag, completed.etag, "ETag of the last step");
  }
  await expectProblem(
    `${label}: agency B reads agency A's request`,
    404,
    "not-found",
    otherAgency.GET("/v1/service-requests/{request_id}", { params: { path: { request_id: id } } }),
  );
}

/** README "What went wrong": agency reports, the provider works it through, the agency closes. */
async function incident(internet: Subscription, operatorOrg: string): Promise<void> {
  const reported = await expectOk(
    "incident: agency user reports a fault (GSI-7.5.8)",
    201,
    agencyUser.POST("/v1/incidents", {
      body: {
        subscription_id: internet.id,
        title: "อินเทอร์เน็ตสำนักงานใหญ่ใช้งานไม่ได้",
        description: "No traffic on the HQ circuit since 09:00; the branch offices are fine.",
        impact: "high",
        urgency: "high",
      },
    }),
  );
  const id = reported.body.id;
  equal("incident report", reported.body.state, "new", "state");
  equal("incident report", reported.body.priority, "p1", "priority from high impact and urgency (GSI-7.3)");
  equal("incident report", reported.body.channel, "self_service", "channel");
  equal("incident report", reported.body.provider_id, operatorOrg, "provider");

  let current: { body: Incident; etag: string } = reported;
  const steps: [Schemas["IncidentStep"], Schemas["IncidentStateBody"]][] = [
    [{ action: "acknowledge" }, "acknowledged"],
    [{ action: "start_work" }, "in_progress"],
    [{ action: "resolve", note: "Line card replaced" }, "resolved"],
  ];
  for (const [body, state] of steps) {
    current = await expectOk(
      `incident: network operator ${body.action}`,
      200,
      networkOperator.POST("/v1/incidents/{incident_id}/actions", {
        params: { path: { incident_id: id }, header: { "If-Match": current.etag } },
        body,
      }),
    );
    equal(`incident ${body.action}`, current.body.state, state, "state");
  }
  equal("incident resolve", current.body.deadlines.response, "met", "response deadline (GSI-10.2)");

  const agencyView = await expectOk(
    "incident: agency user reads the resolution",
    200,
    agencyUser.GET("/v1/incidents/{incident_id}", { params: { path: { incident_id: id } } }),
  );
  equal("incident agency view", agencyView.body.available_actions, ["close", "reopen"], "the agency's actions");
  const closed = await expectOk(
    "incident: agency user closes it",
    200,
    agencyUser.POST("/v1/incidents/{incident_id}/actions", {
      params: { path: { incident_id: id }, header: { "If-Match": agencyView.etag } },
      body: { action: "close" },
    }),
  );
  equal("incident close", closed.body.state, "closed", "state");
  equal("incident close", closed.body.timeline.length, 5, "report + acknowledge + start + resolve + close");
}

function bangkokMonthStart(now: Date): Date {
  const bangkokOffset = 7 * 3_600_000;
  const local = new Date(now.getTime() + bangkokOffset);
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - bangkokOffset);
}

function metricOf(costs: CurrentCosts, subscriptionId: string, metric: Metric): { quantity: string; amount: string } {
  const line = costs.subscriptions.find((s) => s.subscription_id === subscriptionId)?.metrics.find((m) => m.metric === metric);
  return line ?? { quantity: "0", amount: "0.00" };
}

/** README "Costs": the provider sends usage, the agency's month to date changes accordingly. */
async function usageAndCosts(cloud: Subscription): Promise<void> {
  const before = await expectOk("costs: agency admin reads the month to date (GSI-7.5.3)", 200, agencyAdmin.GET("/v1/costs/current"));
  const offering = await expectOk(
    "costs: agency admin reads the cloud offering's prices",
    200,
    agencyAdmin.GET("/v1/offerings/{offering_id}", { params: { path: { offering_id: cloud.offering_id } } }),
  );
  const price = offering.body.pricing.find((line) => line.metric === "vcpu_hour")?.unit_price;
  check("costs offering", price !== undefined, "the cloud offering prices vcpu_hour");

  const end = new Date(Math.floor((Date.now() - 1000) / 1000) * 1000);
  const start = new Date(Math.max(bangkokMonthStart(end).getTime(), end.getTime() - 3_600_000));
  const quantity = "16";
  const batch: Schemas["UsageBatchInput"] = {
    records: [
      {
        record_id: `client-walk-ts/${end.toISOString()}`,
        subscription_id: cloud.id,
        metric: "vcpu_hour",
        quantity,
        period_start: start.toISOString(),
        period_end: end.toISOString(),
      },
    ],
  };
  const stored = await expectOk(
    "usage: cloud operator submits a batch (GSI-7.1)",
    200,
    cloudOperator.POST("/v1/usage/batches", { body: batch }),
  );
  equal("usage batch", [stored.body.accepted, stored.body.duplicates], [1, 0], "accepted, duplicates");
  const resent = await expectOk(
    "usage: the same batch again is a counted duplicate",
    200,
    cloudOperator.POST("/v1/usage/batches", { body: batch }),
  );
  equal("usage batch again", [resent.body.accepted, resent.body.duplicates], [0, 1], "accepted, duplicates");

  const after = await expectOk("costs: agency admin reads the month to date again", 200, agencyAdmin.GET("/v1/costs/current"));
  const step = "costs after the batch";
  const was = metricOf(before.body, cloud.id, "vcpu_hour");
  const now = metricOf(after.body, cloud.id, "vcpu_hour");
  equal(step, micros(step, now.quantity) - micros(step, was.quantity), micros(step, quantity), "vcpu_hour quantity added");
  const line = lineSatang(step, quantity, price ?? "0");
  equal(step, satang(step, now.amount) - satang(step, was.amount), line, `vcpu_hour amount added (16 × ${price ?? "?"})`);
  equal(step, satang(step, after.body.total) - satang(step, before.body.total), line, "month total added");
}

async function main(): Promise<void> {
  const me = await expectOk("agency admin: GET /v1/me", 200, agencyAdmin.GET("/v1/me"));
  const agencyId = me.body.organisation_id;
  equal("me", me.body.role, "agency_admin", "role");
  const networkOrg = (await expectOk("network operator: GET /v1/me", 200, networkOperator.GET("/v1/me"))).body.organisation_id;
  const cloudOrg = (await expectOk("cloud operator: GET /v1/me", 200, cloudOperator.GET("/v1/me"))).body.organisation_id;

  // 1. The agency's subscriptions: Government Internet (500 Mbps) and GovCloud Compute (8 vCPU).
  const subs = await expectOk("agency admin lists its subscriptions (GSI-7.5.2)", 200, agencyAdmin.GET("/v1/subscriptions"));
  const internet = subs.body.items.find((s) => s.quantities["mbps_month"] !== undefined && s.provider_id === networkOrg);
  const cloud = subs.body.items.find((s) => s.quantities["vcpu_hour"] !== undefined && s.provider_id === cloudOrg);
  if (internet === undefined || cloud === undefined) {
    throw new StepFailed("agency A's demo internet and cloud subscriptions are not both listed");
  }
  equal("subscriptions", internet.quantities["mbps_month"], "500", "internet bandwidth at the start");
  equal("subscriptions", cloud.quantities["vcpu_hour"], "8", "cloud vCPU at the start");

  await appendixA(
    {
      label: "internet change",
      subscription: internet,
      operator: networkOperator,
      operatorOrg: networkOrg,
      asked: { mbps_month: "12000" },
      previewDelta: "3680000.00",
      warnedMetric: "mbps_month",
      mostAvailable: "10000",
      confirmed: { mbps_month: "10000" },
      quotedDelta: "3040000.00",
      oneOff: "15000.00",
    },
    agencyId,
  );
  await appendixA(
    {
      label: "cloud change",
      subscription: cloud,
      operator: cloudOperator,
      operatorOrg: cloudOrg,
      asked: { vcpu_hour: "200", ram_gb_hour: "64" },
      previewDelta: "154176.00",
      warnedMetric: "vcpu_hour",
      mostAvailable: "128",
      confirmed: { vcpu_hour: "128", ram_gb_hour: "64" },
      quotedDelta: "98988.00",
      oneOff: null,
    },
    agencyId,
  );
  await incident(internet, networkOrg);
  await usageAndCosts(cloud);
}

try {
  await main();
  console.log(`typescript walk: all ${stepCount} steps passed`);
} catch (failure) {
  const message = failure instanceof Error ? failure.message : String(failure);
  console.error(`typescript walk FAILED after ${stepCount} steps: ${message}`);
  process.exitCode = 1;
}
