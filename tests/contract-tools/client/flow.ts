// The happy path a client of ReconcileApi follows, typed only by the types openapi-typescript generates from
// api-spec/openapi.json: no casts, no `any`. ContractToolsTests compiles it with tsc --strict (it is not run).
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/api";

type Schemas = components["schemas"];

export async function reconcile(baseUrl: string, apiKey: string): Promise<Schemas["ResolutionResponse"] | null> {
  const client = createClient<paths>({ baseUrl, headers: { "X-Api-Key": apiKey } });

  // 1. The store's orders; money as a number or a decimal string, a retry made safe by the key.
  const orders: Schemas["CanonicalOrderInput"][] = [
    {
      orderId: "450789469", orderNumber: "#1001", customerEmail: "bob@example.com", orderDate: "2026-10-01T12:00:00-05:00",
      currency: "USD", total: "598.94", tax: 28.94, shipping: null, status: "paid", platform: "shopify",
      lines: [{ sku: "TEE-BLK-M", name: "Tee", quantity: 2, unitPrice: "280.00" }],
    },
    { orderId: "450789470", total: 45 },
  ];
  const ingested = await client.POST("/api/v1/sources/{source}/orders", {
    params: { path: { source: "store" }, query: { format: "canonical" }, header: { "Idempotency-Key": "store-2026-10-01" } },
    body: orders,
  });
  if (!ingested.data) throw new Error(`ingest: ${ingested.error?.detail ?? ingested.response.status}`);
  const receipt: Schemas["IngestReceipt"] = ingested.data;
  const firstError: string | null = receipt.errors[0]?.orderId ?? null;
  console.log(`${receipt.inserted} stored, ${receipt.rejected} rejected (first: ${firstError})`);

  // 2. A run over the default window, then poll it until it ends.
  const started = await client.POST("/api/v1/runs", {
    params: { header: { "Idempotency-Key": "run-2026-10-01" } },
    body: { label: "from the generated client" },
  });
  if (!started.data) throw new Error(`start: ${started.error?.detail ?? started.response.status}`);
  let run: Schemas["RunResponse"] = started.data;
  while (run.status === "queued" || run.status === "running") {
    const phase: Schemas["RunPhase"] | null = run.progress.phase;
    console.log(`run ${run.id}: ${phase ?? "waiting"} ${run.progress.processed}/${run.progress.total}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const polled = await client.GET("/api/v1/runs/{id}", { params: { path: { id: run.id } } });
    if (!polled.data) throw new Error(`poll: ${polled.error?.detail ?? polled.response.status}`);
    run = polled.data;
  }
  if (run.status !== "succeeded") throw new Error(`run ${run.status}: ${run.error ?? ""}`);
  const matchRate: number | null = run.window.matchRate;
  console.log(`${run.discrepancies} discrepancies, match rate ${matchRate ?? "n/a"}, sync lag ${run.syncLag?.store.behindHours ?? 0} h`);

  // 3. The serious findings, newest first.
  const page = await client.GET("/api/v1/discrepancies", {
    params: { query: { severity: ["critical", "high"], state: ["open"], sort: "-detectedAt", limit: 50 } },
  });
  if (!page.data) throw new Error(`list: ${page.error?.detail ?? page.response.status}`);
  // The list also answers CSV (?format=csv or Accept: text/csv); this call asked for JSON.
  if (typeof page.data === "string") throw new Error("list: CSV instead of JSON");
  const first: Schemas["DiscrepancyResponse"] | undefined = page.data.items[0];
  if (first === undefined) return null;
  const nextCursor: string | null = page.data.nextCursor;
  console.log(`${first.category} (${first.severity}) on ${first.orderKey}: ${first.cause.explanation}; more: ${nextCursor !== null}`);

  // 4. Resolve it, guarded by the ETag it was read with.
  const read = await client.GET("/api/v1/discrepancies/{id}", { params: { path: { id: first.id } } });
  const etag = read.response.headers.get("ETag");
  if (!read.data || etag === null) throw new Error(`read: ${read.error?.detail ?? read.response.status}`);
  const resolved = await client.POST("/api/v1/discrepancies/{id}/resolution", {
    params: { path: { id: first.id }, header: { "If-Match": etag, "Idempotency-Key": `resolve-${first.id}-${etag}` } },
    body: { action: "updated_in_keap", note: "Fixed the total in Keap", resolvedBy: "ana@example.com" },
  });
  if (!resolved.data) throw new Error(`resolve: ${resolved.error?.detail ?? resolved.response.status}`);
  const state: Schemas["DiscrepancyState"] = resolved.data.state;
  console.log(`now ${state}`);
  return resolved.data.resolution;
}
