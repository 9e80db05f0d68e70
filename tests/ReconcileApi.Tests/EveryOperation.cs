using System.Net.Http.Json;
using System.Text.Json;
using static ReconcileApi.Tests.Api;

namespace ReconcileApi.Tests;

/// <summary>
/// For tests that walk every operation of the live OpenAPI document: a workspace holding one of everything an operation can
/// name, the URL of an operation with those ids, and a body each write accepts.
/// </summary>
internal static class EveryOperation
{
    /// <summary>
    /// Gives the workspace an order <paramref name="orderId"/> and its batch, a run and its discrepancy, a schedule, a webhook
    /// to <paramref name="webhookUrl"/> with a delivery, and an alert: their ids by the path segment or parameter that names them.
    /// </summary>
    public static async Task<Dictionary<string, string>> SeedAsync(WorkspaceClient ws, string webhookUrl, string orderId)
    {
        var webhookId = (await (await ws.Http.PostAsJsonAsync("/api/v1/webhooks", new { url = webhookUrl, events = new[] { "run.succeeded" } })).Json())
            .GetProperty("id").GetString()!;
        Assert.True((await ws.Http.PutAsJsonAsync("/api/v1/alert-rules", new { rules = new[] { new { rule = "new_discrepancies_above", threshold = 0 } } })).IsSuccessStatusCode);
        var batch = await ws.Http.IngestAsync("store", new[] { Order(orderId) });
        var schedule = await (await ws.Http.PostAsJsonAsync("/api/v1/schedules", new { name = "Nightly", cron = "30 2 * * *" })).Json();
        var run = await ws.Http.RunAsync();
        var discrepancy = Assert.Single(await ws.Http.DiscrepanciesAsync());
        var deliveries = await Eventually(async () =>
            (await (await ws.Http.GetAsync($"/api/v1/webhooks/{webhookId}/deliveries")).Json()).GetProperty("items").EnumerateArray().ToList());
        var alerts = await Eventually(async () =>
            (await (await ws.Http.GetAsync("/api/v1/alerts")).Json()).GetProperty("items").EnumerateArray().ToList());
        return new Dictionary<string, string>
        {
            ["runs"] = run.GetProperty("id").GetString()!,
            ["discrepancies"] = discrepancy.GetProperty("id").GetInt64().ToString(),
            ["schedules"] = schedule.GetProperty("id").GetString()!,
            ["webhooks"] = webhookId,
            ["alerts"] = alerts[0].GetProperty("id").ToString(),
            ["batchId"] = batch.GetProperty("batchId").GetString()!,
            ["deliveryId"] = deliveries[0].GetProperty("id").GetString()!,
            ["source"] = "store",
            ["orderId"] = orderId,
        };
    }

    /// <summary>The operation's path with its parameters filled from <paramref name="ids"/> (<c>{id}</c> by the segment before it).</summary>
    public static string Url(string template, Dictionary<string, string> ids)
    {
        var segments = template.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            if (segments[i].StartsWith('{'))
                segments[i] = segments[i] == "{id}" ? ids[segments[i - 1]] : ids[segments[i].Trim('{', '}')];
        }
        return string.Join('/', segments);
    }

    /// <summary>A body each write accepts, so that the request reaches the lookup of its id (not a 400 on the body).</summary>
    public static object BodyFor(string path, Dictionary<string, string> ids) => path switch
    {
        "/api/v1/discrepancies/{id}/resolution" => new { action = "acknowledge", resolvedBy = "b" },
        "/api/v1/discrepancies/resolutions" => new { ids = new[] { long.Parse(ids["discrepancies"]) }, action = "acknowledge", resolvedBy = "b" },
        "/api/v1/schedules/{id}" or "/api/v1/schedules" => new { name = "Taken", cron = "0 3 * * *" },
        "/api/v1/alerts/{id}/acknowledge" => new { by = "b" },
        "/api/v1/webhooks" => new { url = "https://example.com/hook", events = new[] { "run.failed" } },
        "/api/v1/alert-rules" => new { rules = Array.Empty<object>() },
        "/api/v1/settings" => new { },
        "/api/v1/sources/{source}/orders" => new[] { Order("P6-B1") },
        "/api/v1/admin/workspaces" => new { name = "Probe" },
        _ => new { },
    };

    public static async Task<List<JsonElement>> Eventually(Func<Task<List<JsonElement>>> read)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var items = await read();
            if (items.Count > 0)
                return items;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("Nothing appeared");
            await Task.Delay(50);
        }
    }
}
