// A C# caller's flow through the client NSwag generates from api-spec/openapi.json (NSwagFlow.csproj, System.Text.Json
// flavour), against a running service: NSwagFlow <base URL> [the API key of an empty workspace; the Development key if
// none]. Each step checks what the contract promises; the exit code is the number of failed checks (a call that threw is
// one), so GeneratedClientTests fails with this output.
using Reconcile.NSwag;

var baseUrl = args.Length > 0 ? args[0].TrimEnd('/') + "/" : "http://localhost:5080/";
var apiKey = args.Length > 1 ? args[1] : "rk_dev_local_only_key";
using var http = new HttpClient();
http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
var client = new ReconcileClient(http) { BaseUrl = baseUrl };
var failures = 0;
var step = "start";

void Check(bool ok, string what)
{
    Console.WriteLine((ok ? "OK   " : "FAIL ") + what);
    if (!ok)
        failures++;
}

try
{
    var day = new DateTimeOffset(DateTimeOffset.UtcNow.Date.AddDays(-2).AddHours(10), TimeSpan.Zero);
    CanonicalOrderInput Order(string id, string number, decimal total, string email, params OrderLineInput[] lines) => new()
    {
        OrderId = id, OrderNumber = number, OrderDate = day, Currency = "USD", Status = "paid", CustomerEmail = email, Total = total,
        AmountPaid = total, Lines = lines,
    };

    step = "ingest";
    var store = await client.IngestOrdersAsync(OrderSource.Store, null, null, null, null, "nswag-store-1",
        [Order("S-1", "#1001", 25.50m, "ann@example.com", new OrderLineInput { Sku = "MUG", Quantity = 1, UnitPrice = 25.50m, Kind = LineKind.Product }),
         Order("S-2", "#1002", 10m, "bob@example.com")], null);
    Check(store.Inserted == 2 && store.Warnings.Count == 0, $"store ingest: 2 inserted without a warning ({store.Inserted}, {store.Warnings.Count})");
    var replay = await client.IngestOrdersAsync(OrderSource.Store, null, null, null, null, "nswag-store-1",
        [Order("S-1", "#1001", 25.50m, "ann@example.com", new OrderLineInput { Sku = "MUG", Quantity = 1, UnitPrice = 25.50m, Kind = LineKind.Product }),
         Order("S-2", "#1002", 10m, "bob@example.com")], null);
    Check(replay.BatchId == store.BatchId, "the same Idempotency-Key replays the receipt");
    var keap = await client.IngestOrdersAsync(OrderSource.Keap, null, null, null, null, null, [Order("K-1", "Shopify Order #1001", 20m, "ann@example.com")], null);
    Check(keap.Inserted == 1, "keap ingest: 1 inserted");
    var batch = await client.GetBatchAsync(store.BatchId);
    Check(batch.Inserted == 2, "the batch's receipt again");
    try
    {
        // A total past the API's limit (1e12): every order of the batch is rejected, a 422 that carries the receipt's fields.
        await client.IngestOrdersAsync(OrderSource.Store, null, null, null, null, null, [Order("S-bad", "#1009", 10_000_000_000_000m, "eve@example.com")], null);
        Check(false, "a batch whose every order is rejected is a 422");
    }
    catch (ApiException<RejectedIngestProblem> e)
    {
        Check(e.StatusCode == 422 && e.Result.Status == 422 && e.Result.BatchId is { } rejected && rejected != Guid.Empty && e.Result.Rejected == 1
            && e.Result.Errors.FirstOrDefault() is { Index: 0, OrderId: "S-bad", Field: "total" }, $"a rejected batch arrives as a typed problem with its receipt ({e.Result.Status}, batch {e.Result.BatchId}, {e.Result.Rejected} rejected, {e.Result.Errors.FirstOrDefault()?.Index} {e.Result.Errors.FirstOrDefault()?.OrderId} {e.Result.Errors.FirstOrDefault()?.Field})");
    }

    step = "run";
    var run = await client.StartRunAsync("nswag-run-1", new StartRunRequest { Label = "nswag" });
    for (var i = 0; i < 200 && run.Status is RunStatus.Queued or RunStatus.Running; i++)
    {
        await Task.Delay(100);
        run = await client.GetRunAsync(run.Id);
    }
    Check(run.Status == RunStatus.Succeeded && run.Discrepancies == 2, $"the run succeeded with 2 discrepancies ({run.Status}, {run.Discrepancies})");
    Check((await client.ListRunsAsync(10, null, RunStatus.Succeeded, null)).Items.Count == 1, "runs: filtered by status");
    Check((await client.ListPendingOrdersAsync(run.Id, 10, null)).Items.Count == 0, "pending orders of the run");

    step = "discrepancies";
    var all = await client.ListDiscrepanciesAsync(null, null, null, null, null, null, null, null, null, null, null);
    Check(all.Items.Count == 2, "two open discrepancies");
    var filtered = await client.ListDiscrepanciesAsync([DiscrepancyStateFilter.Open], [Category.Amount_mismatch, Category.Missing_in_keap],
        [Severity.Low, Severity.Medium], day.AddDays(-30), null, null, DiscrepancySort.Minusimpact, 1, null, null, null);
    var next = filtered.NextCursor is null ? null : await client.ListDiscrepanciesAsync([DiscrepancyStateFilter.Open], [Category.Amount_mismatch, Category.Missing_in_keap],
        [Severity.Low, Severity.Medium], day.AddDays(-30), null, null, DiscrepancySort.Minusimpact, 1, filtered.NextCursor, null, null);
    Check(filtered.Items.Count == 1 && next?.Items.Count == 1 && next.Items.First().Id != filtered.Items.First().Id,
        "filtered by lists of fixed values, sorted, paged by the cursor");
    var amount = all.Items.Single(d => d.Category == Category.Amount_mismatch);
    Check(amount.Impact == 5.50m && amount.SuggestedAction.Code.Length > 0, "the amount mismatch carries its money at stake and action");
    var resolved = await client.ResolveDiscrepancyAsync(amount.Id, null, null, null, new ResolveRequest { Action = ResolveAction.Updated_in_keap, ResolvedBy = "flow" });
    Check(resolved.State == DiscrepancyState.Resolved, "resolved");
    var history = await client.GetDiscrepancyHistoryAsync(amount.Id);
    Check(history.Select(h => h.Kind).SequenceEqual([DiscrepancyEventKind.Created, DiscrepancyEventKind.State_changed]), "its history");
    var bulk = await client.ResolveDiscrepanciesAsync("nswag-bulk-1", new ResolveManyRequest { Ids = [amount.Id, 999_999], Action = ResolveAction.Acknowledge, ResolvedBy = "flow" });
    Check(bulk.Results.Count == 2 && bulk.Results.Any(r => r.Outcome == ResolutionOutcome.Not_found), "bulk: one result per id");

    step = "errors";
    try
    {
        await client.GetDiscrepancyAsync(999_999);
        Check(false, "an unknown discrepancy is a 404");
    }
    catch (ApiException<ProblemDetails> e)
    {
        Check(e.StatusCode == 404 && e.Result.Detail?.Contains("999999") == true, "a 404 arrives as a typed problem");
    }
    try
    {
        await client.StartRunAsync(null, new StartRunRequest { From = day, To = day.AddDays(-1) });
        Check(false, "a window that ends before it starts is a 400");
    }
    catch (ApiException<HttpValidationProblemDetails> e)
    {
        Check(e.StatusCode == 400 && e.Result.Errors.Count > 0, "a 400 arrives as a typed validation problem");
    }

    step = "settings";
    // Lists and maps of fixed values are text in the contract: this client threw reading them as enums (2026-12-03).
    var settings = await client.GetSettingsAsync();
    Check(settings.Settings.IgnoreLineKinds.Count > 0 && settings.Settings.SourceOfTruth.ContainsKey("total"), "settings read, lists and maps included");
    var changed = await client.UpdateSettingsAsync(null, null, null, new ReconcileSettingsInput
    {
        IgnoreLineKinds = ["shipping"],
        SourceOfTruth = new Dictionary<string, string> { ["total"] = "keap" },
        // The client writes every member of its model; the Keap map left unset goes as null.
        StatusMap = new StatusMap2 { Store = new Dictionary<string, string> { ["Captured"] = "paid" } },
    });
    Check(changed.Version == settings.Version + 1 && changed.Settings.SourceOfTruth["total"] == "keap"
        && changed.Settings.StatusMap.Store["Captured"] == "paid", "settings written, a new version");

    step = "monitoring";
    var schedule = await client.CreateScheduleAsync(null, new ScheduleRequest
    {
        Name = "nightly", Cron = "0 6 * * *", Timezone = "UTC", WindowDays = 7, Enabled = true,
        Alerts = [new AlertRuleInput { Rule = AlertRuleKind.Side_silent, Hours = 24 }],
    });
    Check((await client.ListSchedulesAsync()).Count == 1 && (await client.GetScheduleAsync(schedule.Id)).Name == "nightly", "a schedule");
    await client.DeleteScheduleAsync(schedule.Id, null);
    var rules = await client.UpdateAlertRulesAsync(null, new AlertRulesRequest
    {
        Rules = [new AlertRuleInput { Rule = AlertRuleKind.Impact_above, Threshold = 1m }, new AlertRuleInput { Rule = AlertRuleKind.New_discrepancies_above, Threshold = 0, Category = Category.Amount_mismatch }],
    });
    Check(rules.Rules.Count == 2, "alert rules");
    Check((await client.ListAlertsAsync(null, 10, null)).Items != null, "alerts listed");
    var hook = await client.CreateWebhookAsync(null, new CreateWebhookRequest { Url = "https://example.com/hooks/reconcile", Events = ["run.succeeded"] });
    Check((await client.ListWebhooksAsync()).Count == 1 && (await client.ListWebhookDeliveriesAsync(hook.Id, 10, null, null)).Items.Count == 0, "a webhook and its log");
    await client.DeleteWebhookAsync(hook.Id, null);
    var metrics = await client.GetDailyMetricsAsync(null, null);
    Check(metrics.Days.Count > 0 && (await client.GetCauseMetricsAsync(null, null)).Causes.Count > 0, "daily and cause metrics");
    // The days are format: date, so the client writes them as yyyy-MM-dd.
    var week = await client.GetDailyMetricsAsync(day.AddDays(-6), day);
    Check(week.Days.Count == 7 && week.To == day.Date, $"daily metrics of a typed week: {week.Days.Count} days to {week.To:yyyy-MM-dd}");
    var orders = await client.ListOrdersAsync(OrderSource.Store, null, null, null, 10, null);
    Check(orders.Items.Count == 2 && (await client.GetOrderAsync(OrderSource.Store, "S-1")).Version == 1, "stored orders");
}
catch (Exception e)
{
    failures++;
    Console.WriteLine($"FAIL {step}: {e.GetType().Name}: {e.Message}");
}

Console.WriteLine(failures == 0 ? "ALL OK" : $"{failures} FAILED");
return failures;
