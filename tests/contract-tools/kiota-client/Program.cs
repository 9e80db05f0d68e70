// A C# caller's whole flow through the client Kiota generates from api-spec/openapi.json (KiotaFlow.csproj), against a
// running service: KiotaFlow <base URL> [the API key of an empty workspace; the Development key if none]. Each step
// checks what the contract promises for it; the exit code is the number of failed checks (a call that threw is one),
// so GeneratedClientTests fails with this output.
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;
using Reconcile.Client;
using Reconcile.Client.Models;

var baseUrl = args.Length > 0 ? args[0] : "http://localhost:5080";
var apiKey = args.Length > 1 ? args[1] : "rk_dev_local_only_key";
// Kiota's API-key provider refuses http://; the key goes as a default header instead.
using var http = KiotaClientFactory.Create();
http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
var client = new ReconcileClient(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http) { BaseUrl = baseUrl });
var failures = 0;
var step = "start";

void Check(bool ok, string what)
{
    Console.WriteLine((ok ? "OK   " : "FAIL ") + what);
    if (!ok)
        failures++;
}

// The exception a call must end in, typed as the contract documents it for that status; null when it succeeded.
async Task<T?> Fails<T>(Func<Task> call) where T : ApiException
{
    try
    {
        await call();
        return null;
    }
    catch (T e)
    {
        return e;
    }
}

// A response header (Location, ETag, Idempotent-Replayed): Kiota hands them over only through this option.
static (HeadersInspectionHandlerOption Option, Func<string, string?> Header) Inspect()
{
    var option = new HeadersInspectionHandlerOption { InspectResponseHeaders = true };
    return (option, name => option.ResponseHeaders.TryGetValue(name, out var values) ? values.FirstOrDefault() : null);
}

try
{
    var day = DateTimeOffset.UtcNow.Date.AddDays(-2);
    CanonicalOrderInput Order(string id, string number, decimal total, string email) => new()
    {
        OrderId = id, OrderNumber = number, OrderDate = new DateTimeOffset(day.AddHours(10), TimeSpan.Zero), Currency = "USD",
        Status = "paid", CustomerEmail = email, Total = new() { Decimal = total }, AmountPaid = total,
    };
    var stores = client.Api.V1.Sources["store"].Orders;

    step = "ingest";
    // Both sides, the store's with an Idempotency-Key: the same request again is the same receipt, marked replayed.
    List<CanonicalOrderInput> storeOrders = [Order("k1", "#1001", 100m, "a@example.com"), Order("k2", "#1002", 45m, "b@example.com"), Order("k3", "#1003", 10m, "c@example.com")];
    var key = "flow-" + Guid.NewGuid();
    var (ingestInspect, ingestHeader) = Inspect();
    var store = await stores.PostAsync(storeOrders, c => { c.Headers.Add("Idempotency-Key", key); c.Options.Add(ingestInspect); });
    Check(store?.Inserted == 3 && store.Source == OrderSource.Store && store.Errors?.Count == 0, $"store ingest: inserted {store?.Inserted}, source {store?.Source}");
    Check(ingestHeader("Location") == $"/api/v1/batches/{store?.BatchId}", $"201 Location {ingestHeader("Location")}");
    var (replayInspect, replayHeader) = Inspect();
    var replay = await stores.PostAsync(storeOrders, c => { c.Headers.Add("Idempotency-Key", key); c.Options.Add(replayInspect); });
    Check(replay?.BatchId == store?.BatchId && replay?.Inserted == 3 && replayHeader("Idempotent-Replayed") == "true",
        $"replay with the same Idempotency-Key: batch {replay?.BatchId}, Idempotent-Replayed {replayHeader("Idempotent-Replayed")}");
    var keap = await client.Api.V1.Sources["keap"].Orders.PostAsync([Order("9001", "Shopify Order #1001", 90m, "a@example.com"), Order("9003", "Shopify Order #1003", 10m, "c@example.com")]);
    Check(keap?.Inserted == 2 && keap.Source == OrderSource.Keap, $"keap ingest: inserted {keap?.Inserted}");

    step = "ingest rejections";
    // Money as text the contract does not allow: that order is rejected with its field, the valid one is kept.
    var partly = await stores.PostAsync([Order("k3", "#1003", 10m, "c@example.com"), new CanonicalOrderInput { OrderId = "bad1", Total = new() { String = "n/a" } }]);
    Check(partly?.Rejected == 1 && partly.Unchanged == 1 && partly.Errors is [{ Index: 1, OrderId: "bad1", Field: "total" }],
        $"one rejected ({partly?.Errors?.FirstOrDefault()?.Field}), the valid one unchanged");
    // Money as text the contract allows is read as the number.
    var asText = await stores.PostAsync([new CanonicalOrderInput { OrderId = "k4", OrderNumber = "#1004", OrderDate = new DateTimeOffset(day.AddHours(11), TimeSpan.Zero), Currency = "USD", Total = new() { String = "12.50" } }]);
    Check(asText?.Inserted == 1 && asText.Rejected == 0, $"total as the text \"12.50\": inserted {asText?.Inserted}");
    // The 422 carries the receipt's fields, typed in the contract (RejectedIngestProblem): Kiota reads them as properties.
    var allBad = await Fails<RejectedIngestProblem>(() => stores.PostAsync([new CanonicalOrderInput { OrderId = "bad2", Total = new() { String = "n/a" } }]));
    Check(allBad?.ResponseStatusCode == 422 && allBad.Status == 422 && allBad.BatchId is { } rejectedBatch && rejectedBatch != Guid.Empty
        && allBad.Received == 1 && allBad.Rejected == 1 && allBad.Inserted == 0 && allBad.Errors is [{ Index: 0, OrderId: "bad2", Field: "total" }],
        $"every order rejected: {allBad?.ResponseStatusCode} {allBad?.Detail} batch {allBad?.BatchId} rejected {allBad?.Rejected} {allBad?.Errors?.FirstOrDefault()?.Field}");

    step = "run";
    var (runInspect, runHeader) = Inspect();
    var run = await client.Api.V1.Runs.PostAsync(new StartRunRequest { Label = "kiota flow", From = day.AddDays(-1), To = day.AddDays(2) }, c => c.Options.Add(runInspect));
    Check(run?.Status is RunStatus.Queued or RunStatus.Running or RunStatus.Succeeded && runHeader("Location") == $"/api/v1/runs/{run.Id}",
        $"run started: {run?.Status}, 202 Location {runHeader("Location")}");
    for (var i = 0; i < 150 && run!.Status is RunStatus.Queued or RunStatus.Running; i++)
    {
        await Task.Delay(200);
        run = await client.Api.V1.Runs[run.Id!.Value].GetAsync();
    }
    // 1001 differs by 10, 1002 is missing in Keap, 1003 matches, 1004 is missing in Keap.
    Check(run!.Status == RunStatus.Succeeded && run.Discrepancies == 3, $"run {run.Status} with {run.Discrepancies} discrepancies");

    step = "lists";
    Severity[] anySeverity = [Severity.Low, Severity.Medium, Severity.High, Severity.Critical];
    var page = await client.Api.V1.Discrepancies.GetAsync(c => { c.QueryParameters.Limit = 2; c.QueryParameters.Severity = anySeverity; });
    Check(page?.Items?.Count == 2 && page.NextCursor is not null, "first page of 2 with a cursor");
    var next = await client.Api.V1.Discrepancies.GetAsync(c => { c.QueryParameters.Limit = 2; c.QueryParameters.Cursor = page!.NextCursor; c.QueryParameters.Severity = anySeverity; });
    Check(next?.Items?.Count == 1 && !page!.Items!.Any(d => d.Id == next.Items[0].Id) && next.NextCursor is null, "second page: the last one, none repeated");
    var amount = (await client.Api.V1.Discrepancies.GetAsync(c => c.QueryParameters.Category = [Category.Amount_mismatch]))!.Items!.Single();
    Check(amount.OrderKey == "1001" && amount.Difference == 10m && amount.State == DiscrepancyState.Open, $"amount_mismatch on {amount.OrderKey}, difference {amount.Difference}");

    step = "conditional requests";
    var (oneInspect, oneHeader) = Inspect();
    var one = await client.Api.V1.Discrepancies[amount.Id!.Value].GetAsync(c => c.Options.Add(oneInspect));
    var etag = oneHeader("ETag");
    Check(one?.Id == amount.Id && etag is not null, $"read one, ETag {etag}");
    var unchanged = await client.Api.V1.Discrepancies[amount.Id.Value].GetAsync(c => c.Headers.Add("If-None-Match", etag!));
    Check(unchanged is null, "If-None-Match with its ETag: 304, no body");
    var none = await Fails<ProblemDetails>(() => client.Api.V1.Discrepancies[amount.Id.Value].Resolution.PostAsync(
        new ResolveRequest { Action = ResolveAction.Acknowledge, ResolvedBy = "kiota" }, c => c.Headers.Add("If-None-Match", "*")));
    Check(none?.ResponseStatusCode == 412, $"resolve with If-None-Match: * → {none?.ResponseStatusCode} {none?.Detail}");
    var resolved = await client.Api.V1.Discrepancies[amount.Id.Value].Resolution.PostAsync(
        new ResolveRequest { Action = ResolveAction.Updated_in_keap, Note = "fixed", ResolvedBy = "kiota@example.com" }, c => c.Headers.Add("If-Match", etag!));
    Check(resolved?.State == DiscrepancyState.Resolved, $"resolved with If-Match: {resolved?.State}");
    var stale = await Fails<ProblemDetails>(() => client.Api.V1.Discrepancies[amount.Id.Value].Resolution.PostAsync(
        new ResolveRequest { Action = ResolveAction.Reopen, ResolvedBy = "kiota" }, c => c.Headers.Add("If-Match", etag!)));
    Check(stale?.ResponseStatusCode == 412, $"stale If-Match → {stale?.ResponseStatusCode}");
    var history = await client.Api.V1.Discrepancies[amount.Id.Value].History.GetAsync();
    Check(history?.Count >= 2 && history[^1].Kind == DiscrepancyEventKind.State_changed && history[^1].Action == ResolutionAction.Updated_in_keap,
        $"history: {history?.Count} entries, last {history?.LastOrDefault()?.Kind}/{history?.LastOrDefault()?.Action}");

    step = "bulk";
    // An unknown id and a repeated one: one result per id sent, in order.
    var missing = (await client.Api.V1.Discrepancies.GetAsync(c => { c.QueryParameters.Category = [Category.Missing_in_keap]; c.QueryParameters.OrderKey = "1002"; }))!.Items!.Single();
    var bulk = await client.Api.V1.Discrepancies.Resolutions.PostAsync(new ResolveManyRequest { Action = ResolveAction.Acknowledge, ResolvedBy = "kiota", Ids = [missing.Id, 999999, missing.Id] });
    Check(bulk?.Results is [{ Outcome: ResolutionOutcome.Applied }, { Outcome: ResolutionOutcome.Not_found }, { Outcome: ResolutionOutcome.Unchanged }],
        $"bulk: {string.Join(",", bulk?.Results?.Select(r => r.Outcome) ?? [])}");

    step = "typed errors";
    var notFound = await Fails<ProblemDetails>(() => client.Api.V1.Discrepancies[424242].GetAsync());
    Check(notFound?.ResponseStatusCode == 404 && notFound.Detail is not null, $"404: {notFound?.Detail}");
    var badLimit = await Fails<HttpValidationProblemDetails>(() => client.Api.V1.Discrepancies.GetAsync(c => c.QueryParameters.Limit = 0));
    Check(badLimit?.ResponseStatusCode == 400 && badLimit.Errors?.AdditionalData.ContainsKey("limit") == true,
        $"400 on limit: {string.Join(",", badLimit?.Errors?.AdditionalData.Keys ?? [])}");

    step = "settings";
    var (settingsInspect, settingsHeader) = Inspect();
    var settings = await client.Api.V1.Settings.GetAsync(c => c.Options.Add(settingsInspect));
    var settingsTag = settingsHeader("ETag");
    Check(settings?.Version >= 0 && settingsTag is not null, $"settings version {settings?.Version}, ETag {settingsTag}");
    var input = new ReconcileSettingsInput { AmountTolerance = new() { Decimal = 0.05m } };
    var put = await client.Api.V1.Settings.PutAsync(input, c => c.Headers.Add("If-Match", settingsTag!));
    Check(put?.Version == settings!.Version + 1 && put?.Settings?.AmountTolerance == 0.05m, $"settings PUT with If-Match → version {put?.Version}, tolerance {put?.Settings?.AmountTolerance}");
    var putStale = await Fails<ProblemDetails>(() => client.Api.V1.Settings.PutAsync(input, c => c.Headers.Add("If-Match", settingsTag!)));
    Check(putStale?.ResponseStatusCode == 412, $"settings with a stale If-Match → {putStale?.ResponseStatusCode}");
    var putNone = await Fails<ProblemDetails>(() => client.Api.V1.Settings.PutAsync(input, c => c.Headers.Add("If-None-Match", "*")));
    Check(putNone?.ResponseStatusCode == 412, $"settings with If-None-Match: * → {putNone?.ResponseStatusCode}");

    step = "schedules";
    var schedule = await client.Api.V1.Schedules.PostAsync(new ScheduleRequest { Name = "daily", Cron = "0 6 * * *", Timezone = "Europe/Berlin", WindowDays = 7 });
    Check(schedule?.NextRunAt > DateTimeOffset.UtcNow && schedule.Enabled == true, $"schedule created, next run {schedule?.NextRunAt}");
    Check((await client.Api.V1.Schedules.GetAsync())?.Any(s => s.Id == schedule!.Id) == true, "schedule listed");
    await client.Api.V1.Schedules[schedule!.Id!.Value].DeleteAsync();
    var gone = await Fails<ProblemDetails>(() => client.Api.V1.Schedules[schedule.Id.Value].GetAsync());
    Check(gone?.ResponseStatusCode == 404, $"deleted schedule → {gone?.ResponseStatusCode}");

    step = "alerts";
    var rules = await client.Api.V1.AlertRules.PutAsync(new AlertRulesRequest { Rules = [new AlertRuleInput { Rule = AlertRuleKind.Match_rate_below, Threshold = 0.9m }] });
    Check(rules?.Rules is [{ Rule: AlertRuleKind.Match_rate_below, Threshold: 0.9m }], "alert rules put and read back");
    var alerts = await client.Api.V1.Alerts.GetAsync(c => c.QueryParameters.Status = AlertStatus.Open);
    Check(alerts?.Items is not null, $"alerts listed by status: {alerts?.Items?.Count}");

    step = "webhooks";
    var hook = await client.Api.V1.Webhooks.PostAsync(new CreateWebhookRequest { Url = "https://example.com/hook", Events = ["run.succeeded"] });
    Check(hook?.Secret is { Length: > 0 } && hook.Events is ["run.succeeded"], "webhook created with its secret");
    var deliveries = await client.Api.V1.Webhooks[hook!.Id!.Value].Deliveries.GetAsync();
    Check(deliveries?.Items?.Count == 0, $"no delivery yet: {deliveries?.Items?.Count}");

    step = "runs, pending, batches, orders";
    var runs = await client.Api.V1.Runs.GetAsync(c => c.QueryParameters.Status = RunStatus.Succeeded);
    Check(runs?.Items?.Any(r => r.Id == run.Id) == true, "run listed by status");
    var pending = await client.Api.V1.Runs[run.Id!.Value].Pending.GetAsync();
    Check(pending?.RunId == run.Id && pending.Items is not null, $"pending orders of the run: {pending?.Items?.Count}");
    var batch = await client.Api.V1.Batches[store!.BatchId!.Value].GetAsync();
    Check(batch?.Inserted == 3, $"batch {batch?.Inserted}");
    var orders = await stores.GetAsync(c => c.QueryParameters.Email = "a@example.com");
    Check(orders?.Items is [{ OrderId: "k1" }], $"orders by email: {orders?.Items?.Count}");
    var order = await stores["k1"].GetAsync();
    Check(order?.OrderId == "k1", "order read");
}
catch (Exception e)
{
    // A call the contract says succeeds threw: name the step, and the problem the service answered with.
    var problem = e switch
    {
        HttpValidationProblemDetails v => $"{v.ResponseStatusCode} {v.Title}: {v.Detail} {string.Join("; ", v.Errors?.AdditionalData.Keys ?? [])}",
        ProblemDetails p => $"{p.ResponseStatusCode} {p.Title}: {p.Detail}",
        ApiException a => $"{a.ResponseStatusCode} {a.Message}",
        _ => "",
    };
    Console.WriteLine($"FAIL {step}: {e.GetType().Name} {problem}\n{e}");
    failures++;
}
Console.WriteLine(failures == 0 ? "ALL OK" : $"{failures} FAILED");
return failures;
