// Mistakes the generated types must refuse: each marked line below has to be a compile error, or tsc reports
// the unused expect-error directive and ContractToolsTests fails. A contract that typed these loosely (string,
// any, never) would let them through.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/api";

type Schemas = components["schemas"];

export async function misuse(client: ReturnType<typeof createClient<paths>>, discrepancy: Schemas["DiscrepancyResponse"]): Promise<void> {
  // @ts-expect-error severity is one of critical, high, medium, low
  await client.GET("/api/v1/discrepancies", { params: { query: { severity: ["urgent"] } } });
  // @ts-expect-error the query parameter is camelCase (limit), as the API reads it
  await client.GET("/api/v1/discrepancies", { params: { query: { Limit: 10 } } });
  // @ts-expect-error a side is store or keap
  await client.GET("/api/v1/sources/{source}/orders/{orderId}", { params: { path: { source: "shopify", orderId: "1" } } });
  // @ts-expect-error the action is one a person may send
  await client.POST("/api/v1/discrepancies/{id}/resolution", { params: { path: { id: 1 } }, body: { action: "verified_fixed", resolvedBy: "ana" } });
  // @ts-expect-error resolvedBy is required
  await client.POST("/api/v1/discrepancies/{id}/resolution", { params: { path: { id: 1 } }, body: { action: "reopen" } });
  // @ts-expect-error money is a number or a decimal string, not a boolean
  const order: Schemas["CanonicalOrderInput"] = { orderId: "1", total: true };
  // @ts-expect-error an answer's money is a number
  const total: string = discrepancy.impact;
  // @ts-expect-error the resolution is null until the discrepancy is resolved
  const action: Schemas["ResolutionAction"] = discrepancy.resolution.action;
  console.log(order, total, action);
}
