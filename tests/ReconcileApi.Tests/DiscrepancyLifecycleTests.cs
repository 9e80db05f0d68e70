using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReconcileApi.Data;
using ReconcileApi.TestHost;
using ReconcileApi.Features.Runs;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.Hosting;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using static ReconcileApi.Tests.Api;
using static ReconcileApi.Tests.LifecycleTestData;

namespace ReconcileApi.Tests;

/// <summary>Issue #5: a discrepancy lives across runs — found again, fixed, reopened, ignored, acknowledged.</summary>
public sealed class DiscrepancyLifecycleTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    /// <summary>Just the amount mismatch on 1001: store 50, Keap <paramref name="keapTotal"/>.</summary>
    static async Task IngestAmountMismatchAsync(WorkspaceClient ws, decimal keapTotal = 40m)
    {
        await ws.Http.IngestAsync("store", new[] { Order("S1", "#1001", 50m, date: Day), StoreAnchor() });
        await ws.Http.IngestAsync("keap", new[] { Order("K1", "Shopify Order #1001", keapTotal, "PAID", date: Day), KeapAnchor() });
    }

    static async Task<JsonElement> GetAsync(WorkspaceClient ws, long id) => await (await ws.Http.GetAsync($"/api/v1/discrepancies/{id}")).Json();

    static async Task<List<JsonElement>> HistoryAsync(WorkspaceClient ws, long id)
    {
        var response = await ws.Http.GetAsync($"/api/v1/discrepancies/{id}/history");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Json()).EnumerateArray().ToList();
    }

    static async Task ResolveAsync(WorkspaceClient ws, long id, string action, string? note = null, string resolvedBy = "ana@example.com")
    {
        var response = await ws.Http.PostAsJsonAsync($"/api/v1/discrepancies/{id}/resolution", new { action, note, resolvedBy });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    static string Identity(JsonElement d) => $"{d.Str("category")}|{d.Str("orderKey")}|{d.Str("duplicateOrderId")}";

    [Fact]
    public async Task SecondRunWithTheSameData_UpdatesTheSameRows_LastSeenRunAndOccurrences_AndCountsThemPersisting()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await IngestMixAsync(ws);

        var first = await ws.Http.RunAsync(Window);
        var before = await ws.Http.DiscrepanciesAsync("?state=all");
        var second = await ws.Http.RunAsync(Window);
        var after = await ws.Http.DiscrepanciesAsync("?state=all");

        // Amount 1001, missing 1002, and one row per extra Keap record of 1003.
        Assert.Equal(4, first.GetProperty("discrepancies").GetInt32());
        Assert.Equal(4, first.GetProperty("newDiscrepancies").GetInt32());
        Assert.Equal(0, first.GetProperty("persistingDiscrepancies").GetInt32());
        Assert.Equal(["K3b", "K3c"], before.Where(d => d.Str("category") == "duplicate_in_keap").Select(d => d.Str("duplicateOrderId")).Order());

        Assert.Equal(4, second.GetProperty("discrepancies").GetInt32());
        Assert.Equal(0, second.GetProperty("newDiscrepancies").GetInt32());
        Assert.Equal(4, second.GetProperty("persistingDiscrepancies").GetInt32());
        Assert.Equal(0, second.GetProperty("autoResolved").GetInt32());

        Assert.Equal(before.Select(d => d.Id()).Order(), after.Select(d => d.Id()).Order());
        Assert.Equal(after.Count, after.Select(Identity).Distinct().Count());
        var firstId = first.GetProperty("id").GetGuid();
        var secondId = second.GetProperty("id").GetGuid();
        foreach (var d in after)
        {
            Assert.Equal("open", d.Str("state"));
            Assert.Equal(2, d.GetProperty("occurrences").GetInt32());
            Assert.Equal(firstId, d.GetProperty("firstSeenRunId").GetGuid());
            Assert.Equal(secondId, d.GetProperty("lastSeenRunId").GetGuid());
            var fromFirst = before.Single(b => b.Id() == d.Id());
            Assert.Equal(fromFirst.GetProperty("detectedAt").GetDateTime(), d.GetProperty("detectedAt").GetDateTime());
        }
        var runIds = (await (await ws.Http.GetAsync($"/api/v1/runs/{secondId}/discrepancies")).Json()).GetProperty("items").EnumerateArray().Select(d => d.Id());
        Assert.Equal(after.Select(d => d.Id()).Order(), runIds.Order());
    }

    /// <summary>
    /// A run that finds stored discrepancies makes every finding's texts ahead, on other threads, and the new ones it creates
    /// use them: they must read exactly as the same findings do when a workspace's first run creates them.
    /// </summary>
    [Fact]
    public async Task DiscrepanciesCreatedBesideStoredOnes_ReadAsAFirstRunCreatesThem()
    {
        using var later = await factory.CreateWorkspaceAsync();
        await IngestAmountMismatchAsync(later);
        Assert.Equal(1, (await later.Http.RunAsync(Window)).GetProperty("newDiscrepancies").GetInt32());
        await IngestMixAsync(later);
        var second = await later.Http.RunAsync(Window);
        Assert.Equal((3, 1), (second.GetProperty("newDiscrepancies").GetInt32(), second.GetProperty("persistingDiscrepancies").GetInt32()));

        using var fresh = await factory.CreateWorkspaceAsync();
        await IngestMixAsync(fresh);
        Assert.Equal(4, (await fresh.Http.RunAsync(Window)).GetProperty("newDiscrepancies").GetInt32());

        static Dictionary<string, string> Written(List<JsonElement> rows) => rows.ToDictionary(Identity, d => string.Join("\n",
            new[] { "severity", "field", "storeValue", "keapValue", "difference", "impact", "cause", "suggestedAction", "lineDifferences" }
                .Select(name => d.GetProperty(name).GetRawText())));
        var created = (await later.Http.DiscrepanciesAsync("?state=all")).Where(d => d.GetProperty("occurrences").GetInt32() == 1).ToList();
        Assert.Equal(3, created.Count);
        var expected = Written(await fresh.Http.DiscrepanciesAsync("?state=all"));
        foreach (var (identity, written) in Written(created))
            Assert.Equal(expected[identity], written);
    }

    [Fact]
    public async Task FixedDiscrepancy_StaysOpen_WhenTheRunsWindowDoesNotCoverTheOrder_AndIsVerifiedFixedWhenItDoes()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await IngestAmountMismatchAsync(ws);
        await ws.Http.RunAsync(Window);
        var id = Assert.Single(await ws.Http.DiscrepanciesAsync()).Id();

        await ws.Http.IngestAsync("keap", new[] { Order("K1", "Shopify Order #1001", 50m, "PAID", date: Day) });
        // The order is on Day at noon; this window starts an hour later.
        var elsewhere = await ws.Http.RunAsync(new { from = Day.AddHours(1), to = Day.AddDays(3) });
        Assert.Equal("succeeded", elsewhere.GetProperty("status").GetString());
        Assert.Equal(0, elsewhere.GetProperty("autoResolved").GetInt32());
        var untouched = await GetAsync(ws, id);
        Assert.Equal("open", untouched.Str("state"));
        Assert.False(untouched.TryGetProperty("resolution", out var none) && none.ValueKind != JsonValueKind.Null);

        var covering = await ws.Http.RunAsync(Window);
        Assert.Equal(1, covering.GetProperty("autoResolved").GetInt32());
        var resolved = await GetAsync(ws, id);
        Assert.Equal("resolved", resolved.Str("state"));
        Assert.Equal("verified_fixed", resolved.GetProperty("resolution").Str("action"));
        Assert.Equal("system", resolved.GetProperty("resolution").Str("resolvedBy"));
        var last = (await HistoryAsync(ws, id))[^1];
        Assert.Equal("state_changed", last.Str("kind"));
        Assert.Equal("verified_fixed", last.Str("action"));
        Assert.Equal(covering.GetProperty("id").GetGuid(), last.GetProperty("runId").GetGuid());
    }

    /// <summary>
    /// A person's resolution that lands between a run's read of the discrepancies it no longer found and its write (SQL
    /// Server: resolutions do not wait for the workspace's lock) stands, and the run records only what it changed. SQLite
    /// cannot interleave them, so a trigger plays the person: when the run's update reaches B it resolves B first.
    /// </summary>
    [Fact]
    public async Task AResolutionMadeWhileARunVerifiesFixes_Stands_AndTheRunRecordsOnlyWhatItResolved()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[] { Order("S1", "#1001", 50m, date: Day), Order("S2", "#1002", 70m, date: Day), StoreAnchor() });
        await ws.Http.IngestAsync("keap", new[] { Order("K1", "Shopify Order #1001", 40m, "PAID", date: Day), Order("K2", "Shopify Order #1002", 60m, "PAID", date: Day), KeapAnchor() });
        await ws.Http.RunAsync(Window);
        var ids = (await ws.Http.DiscrepanciesAsync()).ToDictionary(d => d.Str("orderKey"), d => d.Id());
        var (a, b) = (ids["1001"], ids["1002"]);
        await ws.Http.IngestAsync("keap", new[] { Order("K1", "Shopify Order #1001", 50m, "PAID", date: Day), Order("K2", "Shopify Order #1002", 70m, "PAID", date: Day) });

        // DDL takes no parameters; the ids are this test's own numbers.
        var trigger = $"""
                CREATE TRIGGER PersonResolvesMidRun BEFORE UPDATE ON Discrepancies
                WHEN OLD.Id = {b} AND NEW.ResolvedBy = 'system' AND OLD.State = 'Open'
                BEGIN
                    UPDATE Discrepancies SET State = 'Resolved', ResolutionAction = 'false_positive', ResolvedBy = 'ana@example.com',
                        ResolvedAt = OLD.UpdatedAt, Version = Version + 1 WHERE Id = {b};
                    SELECT RAISE(IGNORE);
                END
                """;
        await factory.ExecuteSqlAsync(trigger);
        try
        {
            var run = await ws.Http.RunAsync(Window);
            Assert.Equal("succeeded", run.Str("status"));
            Assert.Equal(1, run.GetProperty("autoResolved").GetInt32());
        }
        finally
        {
            await factory.ExecuteSqlAsync("DROP TRIGGER PersonResolvesMidRun");
        }
        Assert.Equal(("resolved", "verified_fixed"), ((await GetAsync(ws, a)).Str("state"), (await GetAsync(ws, a)).GetProperty("resolution").Str("action")));
        var person = (await GetAsync(ws, b)).GetProperty("resolution");
        Assert.Equal(("false_positive", "ana@example.com"), (person.Str("action"), person.Str("resolvedBy")));
        // B's history has no verified_fixed: the run did not resolve it.
        Assert.DoesNotContain(await HistoryAsync(ws, b), e => e.TryGetProperty("action", out var x) && x.ValueKind == JsonValueKind.String && x.GetString() == "verified_fixed");
        Assert.Contains(await HistoryAsync(ws, a), e => e.TryGetProperty("action", out var x) && x.ValueKind == JsonValueKind.String && x.GetString() == "verified_fixed");
    }

    [Theory]
    [InlineData(null, "resolved", 1)]
    [InlineData("acknowledge", "resolved", 1)]
    [InlineData("accepted_difference", "ignored", 0)]
    public async Task DiscrepancyNoLongerFound_IsVerifiedFixedWhenOpenOrAcknowledged_ButAnIgnoredOneStaysIgnored(string? action, string state, int autoResolved)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await IngestAmountMismatchAsync(ws);
        await ws.Http.RunAsync(Window);
        var id = Assert.Single(await ws.Http.DiscrepanciesAsync()).Id();
        if (action is not null)
            await ResolveAsync(ws, id, action, "by hand");

        await ws.Http.IngestAsync("keap", new[] { Order("K1", "Shopify Order #1001", 50m, "PAID", date: Day) });
        var run = await ws.Http.RunAsync(Window);

        Assert.Equal(autoResolved, run.GetProperty("autoResolved").GetInt32());
        var d = await GetAsync(ws, id);
        Assert.Equal(state, d.Str("state"));
        Assert.Equal(autoResolved == 1 ? "verified_fixed" : action, d.GetProperty("resolution").Str("action"));
        Assert.Equal(1, d.GetProperty("occurrences").GetInt32());
    }

    [Fact]
    public async Task MissingOrder_IsNotVerifiedFixed_ByARunInWhoseDataItIsOnlyPending()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[] { Order("S1", "#1001", 70m, email: "lost@example.com", date: Day), Order("S2", "#1002", 20m, date: Day.AddMinutes(-30)) });
        await ws.Http.IngestAsync("keap", new[]
        {
            Order("K2", "Shopify Order #1002", 20m, "PAID", date: Day.AddMinutes(-30)),
            Order("K3", "Shopify Order #1003", 20m, "PAID", date: Day.AddDays(3)),
        });
        await ws.Http.RunAsync(new { from = Day.AddDays(-2), to = Day.AddDays(4) });
        var id = Assert.Single(await ws.Http.DiscrepanciesAsync("?category=missing_in_keap")).Id();

        // This window ends 30 minutes after S1: at its cut-off S1 is younger than the settle time (60 min),
        // so it is pending, not missing — which says nothing about whether it was fixed.
        var narrow = await ws.Http.RunAsync(new { from = Day.AddDays(-2), to = Day.AddMinutes(30) });

        Assert.Equal("succeeded", narrow.GetProperty("status").GetString());
        Assert.Equal(1, narrow.GetProperty("pending").GetInt32());
        Assert.Equal(0, narrow.GetProperty("autoResolved").GetInt32());
        Assert.Equal("open", (await GetAsync(ws, id)).Str("state"));
        var pending = await (await ws.Http.GetAsync($"/api/v1/runs/{narrow.Str("id")}/pending")).Json();
        var item = Assert.Single(pending.GetProperty("items").EnumerateArray());
        Assert.Equal(("S1", "store", 30), (item.Str("orderId"), item.Str("source"), item.GetProperty("ageMinutes").GetInt32()));

        // Once Keap has it, a run that sees it settled verifies the fix.
        await ws.Http.IngestAsync("keap", new[] { Order("K1", "Shopify Order #1001", 70m, "PAID", email: "lost@example.com", date: Day) });
        var wide = await ws.Http.RunAsync(new { from = Day.AddDays(-2), to = Day.AddDays(4) });
        Assert.Equal(1, wide.GetProperty("autoResolved").GetInt32());
        Assert.Equal("verified_fixed", (await GetAsync(ws, id)).GetProperty("resolution").Str("action"));
    }

    [Fact]
    public async Task ManuallyResolvedDiscrepancy_FoundAgain_IsReopened_AndCountedAsReopened()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await IngestAmountMismatchAsync(ws);
        await ws.Http.RunAsync(Window);
        var id = Assert.Single(await ws.Http.DiscrepanciesAsync()).Id();
        await ResolveAsync(ws, id, "updated_in_keap", "Fixed it, I think");

        var again = await ws.Http.RunAsync(Window);

        Assert.Equal((0, 1, 0), (again.GetProperty("newDiscrepancies").GetInt32(), again.GetProperty("reopenedDiscrepancies").GetInt32(),
            again.GetProperty("persistingDiscrepancies").GetInt32()));
        var reopened = await GetAsync(ws, id);
        Assert.Equal("open", reopened.Str("state"));
        Assert.False(reopened.TryGetProperty("resolution", out var r) && r.ValueKind != JsonValueKind.Null);
        Assert.Equal(2, reopened.GetProperty("occurrences").GetInt32());
        var history = await HistoryAsync(ws, id);
        Assert.Equal(["created", "state_changed", "reopened"], history.Select(h => h.Str("kind")));
        Assert.Equal("resolved", history[2].Str("fromState"));
        Assert.Equal("open", history[2].Str("toState"));
        Assert.Single(await ws.Http.DiscrepanciesAsync("?state=all"));
    }

    [Theory]
    [InlineData("accepted_difference")]
    [InlineData("false_positive")]
    public async Task IgnoredDiscrepancy_StaysIgnored_WhileItsValuesAreUnchanged_AndIsReopenedWhenTheyChange(string action)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await IngestAmountMismatchAsync(ws);
        await ws.Http.RunAsync(Window);
        var id = Assert.Single(await ws.Http.DiscrepanciesAsync()).Id();
        await ResolveAsync(ws, id, action, "Known legacy difference");

        var same = await ws.Http.RunAsync(Window);
        Assert.Equal(0, same.GetProperty("newDiscrepancies").GetInt32());
        Assert.Equal(1, same.GetProperty("persistingDiscrepancies").GetInt32());
        var still = await GetAsync(ws, id);
        Assert.Equal("ignored", still.Str("state"));
        Assert.Equal(action, still.GetProperty("resolution").Str("action"));
        Assert.Equal(2, still.GetProperty("occurrences").GetInt32());
        Assert.Empty(await ws.Http.DiscrepanciesAsync());

        await ws.Http.IngestAsync("keap", new[] { Order("K1", "Shopify Order #1001", 45m, "PAID", date: Day) });
        var changed = await ws.Http.RunAsync(Window);
        Assert.Equal((0, 1), (changed.GetProperty("newDiscrepancies").GetInt32(), changed.GetProperty("reopenedDiscrepancies").GetInt32()));
        var reopened = await GetAsync(ws, id);
        Assert.Equal("open", reopened.Str("state"));
        Assert.Equal("45.00", reopened.Str("keapValue"));
        Assert.Equal(5m, reopened.GetProperty("difference").GetDecimal());
        Assert.Equal(["created", "state_changed", "reopened"], (await HistoryAsync(ws, id)).Select(h => h.Str("kind")));
    }

    /// <summary>
    /// The same amount written another way is not a change: a Make scenario that sends 40 one day and 40.000 the next (or
    /// another client's serializer) leaves an ignored discrepancy ignored, its values written to the currency's minor unit
    /// either way; and a row an earlier build stored with the sender's scale ("40") stays ignored when a run now writes
    /// "40.00" — the values are compared as numbers before an ignored discrepancy reopens.
    /// </summary>
    [Fact]
    public async Task IgnoredDiscrepancy_StaysIgnored_WhenItsAmountIsWrittenOtherwise_NowOrByAnEarlierBuild()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await IngestAmountMismatchAsync(ws);
        await ws.Http.RunAsync(Window);
        var id = Assert.Single(await ws.Http.DiscrepanciesAsync()).Id();
        Assert.Equal(("50.00", "40.00"), ((await GetAsync(ws, id)).Str("storeValue"), (await GetAsync(ws, id)).Str("keapValue")));
        await ResolveAsync(ws, id, "accepted_difference", "Known legacy difference");

        var resent = await ws.Http.IngestAsync("keap", new[] { Order("K1", "Shopify Order #1001", 40.000m, "PAID", date: Day) });
        Assert.Equal(1, resent.GetProperty("updated").GetInt32());
        var again = await ws.Http.RunAsync(Window);
        Assert.Equal((0, 1), (again.GetProperty("reopenedDiscrepancies").GetInt32(), again.GetProperty("persistingDiscrepancies").GetInt32()));
        Assert.Equal(("ignored", "40.00"), ((await GetAsync(ws, id)).Str("state"), (await GetAsync(ws, id)).Str("keapValue")));
        Assert.Equal(["created", "state_changed"], (await HistoryAsync(ws, id)).Select(h => h.Str("kind")));

        // As an earlier build stored it: the sender's text, and no signature (the row is signed from its fields).
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
            await db.Discrepancies.Where(d => d.Id == id).ExecuteUpdateAsync(u => u
                .SetProperty(d => d.StoreValue, "50").SetProperty(d => d.KeapValue, "40").SetProperty(d => d.Signature, (byte[]?)null));
        }
        var upgraded = await ws.Http.RunAsync(Window);
        Assert.Equal(0, upgraded.GetProperty("reopenedDiscrepancies").GetInt32());
        var d = await GetAsync(ws, id);
        Assert.Equal(("ignored", "50.00", "40.00"), (d.Str("state"), d.Str("storeValue"), d.Str("keapValue")));
        Assert.Equal(["created", "state_changed", "values_changed"], (await HistoryAsync(ws, id)).Select(h => h.Str("kind")));

        // A change in meaning still reopens it.
        await ws.Http.IngestAsync("keap", new[] { Order("K1", "Shopify Order #1001", 45m, "PAID", date: Day) });
        Assert.Equal(1, (await ws.Http.RunAsync(Window)).GetProperty("reopenedDiscrepancies").GetInt32());
        Assert.Equal(("open", "45.00"), ((await GetAsync(ws, id)).Str("state"), (await GetAsync(ws, id)).Str("keapValue")));
    }

    /// <summary>
    /// A run compares the signature of what a finding writes (<see cref="Data.Discrepancy.Signature"/>); discrepancies stored
    /// before it have none and are compared by their fields, signed as they were written: an ignored one found again
    /// unchanged stays ignored, an open one unchanged writes no history, and a change is found and stores a signature.
    /// </summary>
    [Theory]
    [InlineData("accepted_difference")]
    [InlineData(null)]
    public async Task DiscrepancyStoredBeforeSignatures_IsComparedByItsFields_UnchangedStaysAsItWas_ChangedIsFound(string? action)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await IngestAmountMismatchAsync(ws);
        await ws.Http.RunAsync(Window);
        var id = Assert.Single(await ws.Http.DiscrepanciesAsync()).Id();
        if (action is not null)
            await ResolveAsync(ws, id, action, "Known legacy difference");
        async Task<byte[]?> SignatureAsync()
        {
            await using var scope = factory.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
            return await db.Discrepancies.Where(d => d.Id == id).Select(d => d.Signature).SingleAsync();
        }
        var signed = await SignatureAsync();
        Assert.Equal(24, signed?.Length);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
            await db.Discrepancies.Where(d => d.Id == id).ExecuteUpdateAsync(s => s.SetProperty(d => d.Signature, (byte[]?)null));
        }
        var history = (await HistoryAsync(ws, id)).Count;

        var same = await ws.Http.RunAsync(Window);
        Assert.Equal((0, 0, 1), (same.GetProperty("newDiscrepancies").GetInt32(), same.GetProperty("reopenedDiscrepancies").GetInt32(),
            same.GetProperty("persistingDiscrepancies").GetInt32()));
        Assert.Equal(action is null ? "open" : "ignored", (await GetAsync(ws, id)).Str("state"));
        Assert.Equal(history, (await HistoryAsync(ws, id)).Count);
        Assert.Null(await SignatureAsync());

        await ws.Http.IngestAsync("keap", new[] { Order("K1", "Shopify Order #1001", 45m, "PAID", date: Day) });
        var changed = await ws.Http.RunAsync(Window);
        Assert.Equal(action is null ? 0 : 1, changed.GetProperty("reopenedDiscrepancies").GetInt32());
        var now = await GetAsync(ws, id);
        Assert.Equal(("open", "45.00"), (now.Str("state"), now.Str("keapValue")));
        Assert.Equal(action is null ? "values_changed" : "reopened", (await HistoryAsync(ws, id))[^1].Str("kind"));
        Assert.Equal(24, (await SignatureAsync())?.Length);
        Assert.NotEqual(signed, await SignatureAsync());
    }

    [Fact]
    public async Task DiscrepancyFoundAgainWithANewImpact_ShowsTheNewImpactSeverityAndSuggestedAction()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[] { Order("S1", "#1001", 10m, date: Day), StoreAnchor() });
        await ws.Http.IngestAsync("keap", new[] { KeapAnchor() });
        await ws.Http.RunAsync(Window);
        var id = Assert.Single(await ws.Http.DiscrepanciesAsync()).Id();

        // The store order was edited: it is still missing in Keap, now for 5,000.
        await ws.Http.IngestAsync("store", new[] { Order("S1", "#1001", 5000m, date: Day) });
        var again = await ws.Http.RunAsync(Window);

        var d = await GetAsync(ws, id);
        Assert.Equal(5000m, again.GetProperty("impact").GetDecimal());
        Assert.Equal(5000m, d.GetProperty("impact").GetDecimal());
        Assert.Equal("critical", d.Str("severity"));
        Assert.Equal(5000m, d.GetProperty("suggestedAction").GetProperty("values").GetProperty("total").GetDecimal());
        Assert.Equal(2, d.GetProperty("occurrences").GetInt32());
        Assert.Equal("open", d.Str("state"));
        var last = (await HistoryAsync(ws, id))[^1];
        Assert.Equal(5000m, last.GetProperty("values").GetProperty("impact").GetDecimal());
        Assert.Equal(1, again.GetProperty("persistingDiscrepancies").GetInt32());
    }

    [Theory]
    [InlineData(null, "open")]
    [InlineData("false_positive", "ignored")]
    public async Task MissingOrderFoundAgainWithANewEmailAndLines_ShowsThem_WithoutChangingItsState(string? action, string state)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[] { Order("S1", "#1001", 10m, email: "typo@exmaple.com", date: Day), StoreAnchor() });
        await ws.Http.IngestAsync("keap", new[] { KeapAnchor() });
        await ws.Http.RunAsync(Window);
        var id = Assert.Single(await ws.Http.DiscrepanciesAsync()).Id();
        if (action is not null)
            await ResolveAsync(ws, id, action);

        // Same amount; the customer's email was corrected and the item swapped.
        await ws.Http.IngestAsync("store", new[]
        {
            Order("S1", "#1001", 10m, email: "right@example.com", date: Day)
                .With("lines", new[] { new { sku = "SKU-2", name = "Other thing", quantity = 1, unitPrice = 10m } }),
        });
        await ws.Http.RunAsync(Window);

        var d = await GetAsync(ws, id);
        Assert.Equal(state, d.Str("state"));
        Assert.Equal("right@example.com", d.Str("customerEmail"));
        var values = d.GetProperty("suggestedAction").GetProperty("values");
        Assert.Equal("right@example.com", values.Str("contactEmail"));
        Assert.Equal("SKU-2", Assert.Single(values.GetProperty("items").EnumerateArray()).Str("sku"));
        Assert.Equal(2, d.GetProperty("occurrences").GetInt32());
    }

    [Fact]
    public async Task IgnoredMissingOrder_IsReopened_WhenItsAmountChanges()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[] { Order("S1", "#1001", 10m, date: Day), StoreAnchor() });
        await ws.Http.IngestAsync("keap", new[] { KeapAnchor() });
        await ws.Http.RunAsync(Window);
        var id = Assert.Single(await ws.Http.DiscrepanciesAsync()).Id();
        await ResolveAsync(ws, id, "accepted_difference", "Test order, never synced");
        await ws.Http.RunAsync(Window);
        Assert.Equal("ignored", (await GetAsync(ws, id)).Str("state"));

        await ws.Http.IngestAsync("store", new[] { Order("S1", "#1001", 5000m, date: Day) });
        await ws.Http.RunAsync(Window);

        var d = await GetAsync(ws, id);
        Assert.Equal("open", d.Str("state"));
        Assert.Equal(5000m, d.GetProperty("impact").GetDecimal());
    }

    [Fact]
    public async Task IgnoredDiscrepancy_WithAmountsFinerThanACentTenThousandth_StaysIgnoredWhenFoundAgainUnchanged()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[] { Order("S1", "#1001", 10.123456m, date: Day), StoreAnchor() });
        await ws.Http.IngestAsync("keap", new[] { Order("K1", "Shopify Order #1001", 5m, "PAID", date: Day), KeapAnchor() });
        await ws.Http.RunAsync(Window);
        var id = Assert.Single(await ws.Http.DiscrepanciesAsync()).Id();
        await ResolveAsync(ws, id, "accepted_difference");

        var again = await ws.Http.RunAsync(Window);

        Assert.Equal(0, again.GetProperty("newDiscrepancies").GetInt32());
        Assert.Equal("ignored", (await GetAsync(ws, id)).Str("state"));
        Assert.Equal(["created", "state_changed"], (await HistoryAsync(ws, id)).Select(h => h.Str("kind")));
    }

    [Fact]
    public async Task AcknowledgedDiscrepancy_FoundAgain_StaysAcknowledged_EvenWithNewValues()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await IngestAmountMismatchAsync(ws);
        await ws.Http.RunAsync(Window);
        var id = Assert.Single(await ws.Http.DiscrepanciesAsync()).Id();
        await ResolveAsync(ws, id, "acknowledge", "Looking into it");

        var again = await ws.Http.RunAsync(Window);

        Assert.Equal(1, again.GetProperty("persistingDiscrepancies").GetInt32());
        Assert.Equal(0, again.GetProperty("newDiscrepancies").GetInt32());
        var d = await GetAsync(ws, id);
        Assert.Equal("acknowledged", d.Str("state"));
        Assert.Equal(2, d.GetProperty("occurrences").GetInt32());
        Assert.Equal(again.GetProperty("id").GetGuid(), d.GetProperty("lastSeenRunId").GetGuid());
        // Found again as it was: counted, not written to the history.
        Assert.Equal(["created", "state_changed"], (await HistoryAsync(ws, id)).Select(h => h.Str("kind")));

        // Someone is on it: new values update it but do not reopen it.
        await ws.Http.IngestAsync("keap", new[] { Order("K1", "Shopify Order #1001", 45m, "PAID", date: Day) });
        var changed = await ws.Http.RunAsync(Window);
        Assert.Equal(0, changed.GetProperty("newDiscrepancies").GetInt32());
        var updated = await GetAsync(ws, id);
        Assert.Equal("acknowledged", updated.Str("state"));
        Assert.Equal("45.00", updated.Str("keapValue"));
        Assert.Equal(3, updated.GetProperty("occurrences").GetInt32());
        var last = (await HistoryAsync(ws, id))[^1];
        Assert.Equal("values_changed", last.Str("kind"));
        Assert.Equal(changed.GetProperty("id").GetGuid(), last.GetProperty("runId").GetGuid());
        Assert.Equal("acknowledged", last.Str("fromState"));
        Assert.Equal("acknowledged", last.Str("toState"));
        Assert.Equal("45.00", last.GetProperty("values").Str("keapValue"));
    }

    [Fact]
    public async Task AChangeInHistory_NamesWhatChanged_WithTheNewTextOfFieldsBeyondTheValues()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await IngestAmountMismatchAsync(ws);
        await ws.Http.RunAsync(Window);
        var id = Assert.Single(await ws.Http.DiscrepanciesAsync()).Id();

        // Only the customer's email changes: the six values every entry records stay as they were.
        await ws.Http.IngestAsync("store", new[] { Order("S1", "#1001", 50m, email: "new.address@example.com", date: Day) });
        await ws.Http.RunAsync(Window);
        var emailChange = (await HistoryAsync(ws, id))[^1];
        Assert.Equal("values_changed", emailChange.Str("kind"));
        var values = emailChange.GetProperty("values");
        Assert.Equal(["customerEmail"], values.GetProperty("changed").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("new.address@example.com", values.Str("customerEmail"));
        Assert.Equal("40.00", values.Str("keapValue"));

        // The Keap total changes: the amounts and the explanation change, the names say which.
        await ws.Http.IngestAsync("keap", new[] { Order("K1", "Shopify Order #1001", 45m, "PAID", date: Day) });
        await ws.Http.RunAsync(Window);
        var amountChange = (await HistoryAsync(ws, id))[^1].GetProperty("values");
        var names = amountChange.GetProperty("changed").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Contains("keapValue", names);
        Assert.Contains("difference", names);
        Assert.DoesNotContain("customerEmail", names);
        Assert.Equal("45.00", amountChange.Str("keapValue"));
        Assert.False(amountChange.TryGetProperty("customerEmail", out _));
        Assert.Contains("causeText", names);
        Assert.Equal((await GetAsync(ws, id)).Str("causeText"), amountChange.Str("causeText"));
    }

    [Fact]
    public async Task History_IsAppendOnlyAndOrdered_CreatedStateChangedReopened_WithActorNoteAndValues()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await IngestAmountMismatchAsync(ws);
        var first = await ws.Http.RunAsync(Window);
        var id = Assert.Single(await ws.Http.DiscrepanciesAsync()).Id();
        var second = await ws.Http.RunAsync(Window);
        var beforeChange = await HistoryAsync(ws, id);
        await ResolveAsync(ws, id, "updated_in_keap", "Added the missing line", "ana@example.com");
        var beforeReopen = await HistoryAsync(ws, id);
        var third = await ws.Http.RunAsync(Window);
        var history = await HistoryAsync(ws, id);

        // The second run found it as it was: no entry (occurrences counts it).
        Assert.Single(beforeChange);
        Assert.Equal(["created", "state_changed", "reopened"], history.Select(h => h.Str("kind")));
        // Append only: every earlier read is a prefix of the later one, unchanged.
        Assert.Equal(beforeChange.Select(h => h.GetRawText()), history.Take(beforeChange.Count).Select(h => h.GetRawText()));
        Assert.Equal(beforeReopen.Select(h => h.GetRawText()), history.Take(beforeReopen.Count).Select(h => h.GetRawText()));
        var ids = history.Select(h => h.Id()).ToList();
        Assert.Equal(ids.Order(), ids);
        var times = history.Select(h => h.GetProperty("at").GetDateTime()).ToList();
        Assert.Equal(times.Order(), times);

        var (created, changed, reopened) = (history[0], history[1], history[2]);
        Assert.Equal(first.GetProperty("id").GetGuid(), created.GetProperty("runId").GetGuid());
        Assert.Equal("system", created.Str("actor"));
        Assert.Equal("open", created.Str("toState"));
        Assert.Equal(10m, created.GetProperty("values").GetProperty("difference").GetDecimal());
        Assert.Equal(3, (await GetAsync(ws, id)).GetProperty("occurrences").GetInt32());
        Assert.Equal("succeeded", second.Str("status"));
        Assert.Equal("ana@example.com", changed.Str("actor"));
        Assert.Equal("updated_in_keap", changed.Str("action"));
        Assert.Equal("Added the missing line", changed.Str("note"));
        Assert.Equal("open", changed.Str("fromState"));
        Assert.Equal("resolved", changed.Str("toState"));
        Assert.Equal("50.00", changed.GetProperty("values").Str("storeValue"));
        Assert.Equal("40.00", changed.GetProperty("values").Str("keapValue"));
        Assert.Equal(third.GetProperty("id").GetGuid(), reopened.GetProperty("runId").GetGuid());
        Assert.Equal("resolved", reopened.Str("fromState"));
        Assert.Equal("open", reopened.Str("toState"));
    }

    [Fact]
    public async Task TwoRunsStartedTogether_BothSucceed_AndLeaveOneRowPerIdentity_WithConsistentCounts()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await IngestMixAsync(ws);

        var starts = await Task.WhenAll(ws.Http.PostAsJsonAsync("/api/v1/runs", Window), ws.Http.PostAsJsonAsync("/api/v1/runs", Window));
        Assert.All(starts, s => Assert.Equal(HttpStatusCode.Accepted, s.StatusCode));
        var runs = await Task.WhenAll(starts.Select(s => ws.Http.WaitForRunAsync(s.Headers.Location!.ToString())));

        Assert.All(runs, r => Assert.Equal("succeeded", r.GetProperty("status").GetString()));
        var all = await ws.Http.DiscrepanciesAsync("?state=all");
        Assert.Equal(4, all.Count);
        Assert.Equal(all.Count, all.Select(Identity).Distinct().Count());
        Assert.All(all, d => Assert.Equal(2, d.GetProperty("occurrences").GetInt32()));
        Assert.Equal(runs.Sum(r => r.GetProperty("discrepancies").GetInt32()), all.Sum(d => d.GetProperty("occurrences").GetInt32()));
        foreach (var run in runs)
            Assert.Equal(run.GetProperty("discrepancies").GetInt32(),
                run.GetProperty("newDiscrepancies").GetInt32() + run.GetProperty("persistingDiscrepancies").GetInt32());
        Assert.Equal(all.Count, runs.Sum(r => r.GetProperty("newDiscrepancies").GetInt32()));
        Assert.Equal([0, 4], runs.Select(r => r.GetProperty("newDiscrepancies").GetInt32()).Order());
        // The run that found them first is each one's firstSeenRunId; the other is lastSeenRunId.
        var firstRun = runs.Single(r => r.GetProperty("newDiscrepancies").GetInt32() == 4).GetProperty("id").GetGuid();
        var lastRun = runs.Single(r => r.GetProperty("newDiscrepancies").GetInt32() == 0).GetProperty("id").GetGuid();
        Assert.All(all, d =>
        {
            Assert.Equal(firstRun, d.GetProperty("firstSeenRunId").GetGuid());
            Assert.Equal(lastRun, d.GetProperty("lastSeenRunId").GetGuid());
        });
        foreach (var d in all)
            Assert.Equal(["created"], (await HistoryAsync(ws, d.Id())).Select(h => h.Str("kind")));
    }

    [Fact]
    public async Task RunsThatFindTheSameAgain_GrowNeitherHistoryNorLinks_AndTheLatestRunStillListsAll()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await IngestMixAsync(ws);
        var runs = new List<JsonElement>();
        for (var i = 0; i < 4; i++)
            runs.Add(await ws.Http.RunAsync(Window));

        var all = await ws.Http.DiscrepanciesAsync("?state=all");
        Assert.Equal(4, all.Count);
        Assert.All(all, d => Assert.Equal(4, d.GetProperty("occurrences").GetInt32()));
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        var ids = all.Select(d => d.Id()).ToList();
        Assert.Equal(4, await db.DiscrepancyEvents.CountAsync(e => ids.Contains(e.DiscrepancyId)));
        // No links at all: the first run created them (their firstSeenRunId), the others changed nothing.
        Assert.Equal(0, await db.RunDiscrepancies.CountAsync(l => ids.Contains(l.DiscrepancyId)));
        // The latest run lists everything it found; the first lists what it created.
        Assert.Equal(4, (await (await ws.Http.GetAsync($"/api/v1/runs/{runs[^1].Str("id")}/discrepancies?state=all")).Json()).GetProperty("items").GetArrayLength());
        Assert.Equal(4, (await (await ws.Http.GetAsync($"/api/v1/runs/{runs[0].Str("id")}/discrepancies?state=all")).Json()).GetProperty("items").GetArrayLength());
        Assert.Equal(0, (await (await ws.Http.GetAsync($"/api/v1/runs/{runs[1].Str("id")}/discrepancies?state=all")).Json()).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task RunsOfOneWorkspace_RunOneAtATimeOldestFirst_WhileOtherWorkspacesRunsGoAhead()
    {
        // Every run holds 3 s before matching: long enough for the others to try to start meanwhile, even when a loaded machine
        // (a full suite from a fresh clone) takes a second to hand the other workspace's job to the free worker.
        using var paused = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            s.AddSingleton<RunCheckpoints>(new PausingCheckpoints(TimeSpan.FromSeconds(3)))));
        async Task<WorkspaceClient> Workspace()
        {
            var ws = await paused.CreateWorkspaceAsync();
            await IngestMixAsync(ws);
            return ws;
        }
        using var busy = await Workspace();
        using var other = await Workspace();

        var first = await busy.Http.PostAsJsonAsync("/api/v1/runs", Window);
        var second = await busy.Http.PostAsJsonAsync("/api/v1/runs", Window);
        var elsewhere = await other.Http.PostAsJsonAsync("/api/v1/runs", Window);
        var (a, b, c) = (await busy.Http.WaitForRunAsync(first.Headers.Location!.ToString()),
            await busy.Http.WaitForRunAsync(second.Headers.Location!.ToString()),
            await other.Http.WaitForRunAsync(elsewhere.Headers.Location!.ToString()));

        Assert.All(new[] { a, b, c }, r => Assert.Equal("succeeded", r.GetProperty("status").GetString()));
        Assert.True(a.GetProperty("finishedAt").GetDateTime() <= b.GetProperty("startedAt").GetDateTime(), $"The busy workspace's runs overlapped:\n{a}\n{b}");
        Assert.True(c.GetProperty("startedAt").GetDateTime() < a.GetProperty("finishedAt").GetDateTime(), $"The other workspace's run waited:\n{a}\n{c}");
        // One after the other, the second sees what the first saved: one row per identity, seen twice.
        var all = await busy.Http.DiscrepanciesAsync("?state=all");
        Assert.Equal(4, all.Count);
        Assert.Equal(all.Count, all.Select(Identity).Distinct().Count());
        Assert.All(all, d => Assert.Equal(2, d.GetProperty("occurrences").GetInt32()));
        Assert.Equal(4, a.GetProperty("newDiscrepancies").GetInt32());
        Assert.Equal(4, b.GetProperty("persistingDiscrepancies").GetInt32());
    }

    [Fact]
    public async Task ConcurrentRunsOfOneWorkspace_NeverOverlapInTheirTimes_EachStartsOnceThePreviousHasFinished()
    {
        // Each run's save holds the write lock for 3 s, as a large run's does: the next run's job, retrying every 2–3 s, tries
        // to claim meanwhile and waits for the lock until that save commits.
        using var slow = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            s.AddSingleton<RunCheckpoints>(new SlowSaves(TimeSpan.FromSeconds(3)))));
        using var ws = await slow.CreateWorkspaceAsync();
        await IngestMixAsync(ws);

        var started = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ws.Http.PostAsJsonAsync("/api/v1/runs", Window)));
        var runs = new List<JsonElement>();
        foreach (var response in started)
            runs.Add(await ws.Http.WaitForRunAsync(response.Headers.Location!.ToString()));

        Assert.All(runs, r => Assert.Equal("succeeded", r.Str("status")));
        // A job that read the clock before that wait used to start, by its timestamps, before the previous run finished.
        var ordered = runs.OrderBy(r => r.GetProperty("startedAt").GetDateTime()).ToList();
        for (var i = 1; i < ordered.Count; i++)
            Assert.True(ordered[i].GetProperty("startedAt").GetDateTime() >= ordered[i - 1].GetProperty("finishedAt").GetDateTime(),
                $"Runs {i} and {i + 1} overlapped:\n{ordered[i - 1]}\n{ordered[i]}");
    }

    [Fact]
    public async Task AResolutionSentWhileARunSaves_WaitsForTheSave_AndIsDecidedOnWhatTheRunLeft()
    {
        // The run and a person's resolution write the same discrepancy: the resolution takes the workspace's lock (SQL
        // Server) or the file's write lock (SQLite) before it reads, so it is decided after the run's save, on its values.
        var held = new HeldSave();
        using var slow = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<RunCheckpoints>(held)));
        using var ws = await slow.CreateWorkspaceAsync();
        await IngestAmountMismatchAsync(ws);
        held.Release.SetResult();
        await ws.Http.RunAsync(Window);
        var id = Assert.Single(await ws.Http.DiscrepanciesAsync()).Id();
        var read = (await ws.Http.GetAsync($"/api/v1/discrepancies/{id}")).Headers.ETag!.Tag;
        await ws.Http.IngestAsync("keap", new[] { Order("K1", "Shopify Order #1001", 45m, "PAID", date: Day) });
        (held.Saving, held.Release) = (new(TaskCreationOptions.RunContinuationsAsynchronously), new(TaskCreationOptions.RunContinuationsAsynchronously));

        var run = await ws.Http.PostAsJsonAsync("/api/v1/runs", Window);
        await held.Saving.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var plain = ws.Http.PostAsJsonAsync($"/api/v1/discrepancies/{id}/resolution", new { action = "acknowledge", resolvedBy = "ana@example.com" });
        var stale = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/discrepancies/{id}/resolution") { Content = JsonContent.Create(new { action = "updated_in_keap", resolvedBy = "bo@example.com" }) };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue(read));
        var conditional = ws.Http.SendAsync(stale);
        await Task.Delay(300);
        foreach (var answered in new[] { plain, conditional }.Where(t => t.IsCompleted))
        {
            var response = await answered;
            Assert.Fail($"A resolution was answered while the run held its save: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        held.Release.SetResult();

        Assert.Equal("succeeded", (await ws.Http.WaitForRunAsync(run.Headers.Location!.ToString())).Str("status"));
        Assert.Equal(HttpStatusCode.OK, (await plain).StatusCode);
        // The If-Match read before the run's change of values is stale once the run has saved.
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await conditional).StatusCode);
        var d = await GetAsync(ws, id);
        Assert.Equal("acknowledged", d.Str("state"));
        Assert.Equal(45m, decimal.Parse(d.Str("keapValue")!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["created", "values_changed", "state_changed"], (await HistoryAsync(ws, id)).Select(e => e.Str("kind")));
    }

    /// <summary>
    /// A run queued behind its workspace's running one asks whether it can be claimed by a read, and its job ends at once
    /// (it is looked at again in 2 s): it used to open the claim's write transaction and wait behind the running run's save for
    /// SQLite's busy timeout (30 s), holding one of the process's two workers — a workspace with a queue of runs held every
    /// worker another workspace's run needed (the eighth probe).
    /// </summary>
    [Fact]
    public async Task ARunQueuedBehindARunThatSaves_DoesNotHoldAWorker_WaitingForTheWriteLock()
    {
        var held = new HeldSave { Matching = new(TaskCreationOptions.RunContinuationsAsynchronously) };
        using var slow = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<RunCheckpoints>(held)));
        using var ws = await slow.CreateWorkspaceAsync();
        await IngestAmountMismatchAsync(ws);
        // The second is asked for while the first waits before matching: a new run is a write too, which would wait for
        // the save's lock on SQLite.
        var first = await ws.Http.PostAsJsonAsync("/api/v1/runs", Window);
        var queuedId = Guid.Parse((await (await ws.Http.PostAsJsonAsync("/api/v1/runs", Window)).Json()).Str("id")!);
        held.Matching.SetResult();
        await held.Saving.Task.WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            var monitoring = slow.Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi();
            bool Ours(Hangfire.Common.Job? job) => job?.Type == typeof(Features.Runs.ReconcileRunJob) && Equals(job.Args[0], queuedId);
            int Looks() => monitoring.SucceededJobs(0, 1000).Count(j => Ours(j.Value.Job));
            // Looked at while the first run holds its save (it is looked at again every 2 s while it waits).
            var before = Looks();
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (Looks() <= before)
            {
                Assert.True(DateTime.UtcNow < deadline, "The queued run's job still waits for the write lock the running run's save holds.");
                await Task.Delay(50);
            }
            Assert.Equal("queued", (await (await ws.Http.GetAsync($"/api/v1/runs/{queuedId}")).Json()).Str("status"));
        }
        finally
        {
            held.Release.TrySetResult();
        }
        Assert.Equal("succeeded", (await ws.Http.WaitForRunAsync(first.Headers.Location!.ToString())).Str("status"));
    }

    /// <summary>Holds each run in its save (results written, write lock held) until the test releases it, and before matching when asked to.</summary>
    sealed class HeldSave : RunCheckpoints
    {
        public TaskCompletionSource Saving = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        /// <summary>When set, each run also waits before matching until this is completed.</summary>
        public TaskCompletionSource? Matching;

        public override Task BeforeMatchingAsync(Guid runId, CancellationToken ct) => Matching?.Task.WaitAsync(ct) ?? Task.CompletedTask;

        public override async Task WhileSavingAsync(Guid runId, CancellationToken ct)
        {
            Saving.TrySetResult();
            await Release.Task.WaitAsync(ct);
        }
    }

    [Fact]
    public async Task ReopenedDiscrepancies_AreSavedOutsideASavepoint()
    {
        // A savepoint's journal on SQLite (kept in memory) made each row a run changed cost more than the one before: a run
        // reopening 20,572 discrepancies held the write lock for 4 minutes. The run's transaction is all or nothing anyway.
        var savepoints = new SavepointWatch();
        using var watched = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            s.ConfigureDbContext<SqliteReconcileDbContext>(o => o.AddInterceptors(savepoints))));
        using var ws = await watched.CreateWorkspaceAsync();
        await IngestAmountMismatchAsync(ws);
        await ws.Http.RunAsync(Window);
        var id = Assert.Single(await ws.Http.DiscrepanciesAsync()).Id();
        await ResolveAsync(ws, id, "updated_in_keap");
        // A person's resolution saves its few rows in a savepoint of its own transaction (rolled back to when it loses a race).
        savepoints.DiscrepancyUpdatesInSavepoint.Clear();

        var again = await ws.Http.RunAsync(Window);

        Assert.Equal(1, again.GetProperty("reopenedDiscrepancies").GetInt32());
        Assert.Equal("open", (await GetAsync(ws, id)).Str("state"));
        Assert.Empty(savepoints.DiscrepancyUpdatesInSavepoint);
    }

    /// <summary>Holds every run in its save, with its results written and the write lock held, for <paramref name="pause"/>.</summary>
    sealed class SlowSaves(TimeSpan pause) : RunCheckpoints
    {
        public override Task WhileSavingAsync(Guid runId, CancellationToken ct) => Task.Delay(pause, ct);
    }

    /// <summary>The updates of discrepancies that ran while a savepoint was open.</summary>
    sealed class SavepointWatch : Microsoft.EntityFrameworkCore.Diagnostics.IDbCommandInterceptor, Microsoft.EntityFrameworkCore.Diagnostics.IDbTransactionInterceptor
    {
        int open;
        public System.Collections.Concurrent.ConcurrentBag<string> DiscrepancyUpdatesInSavepoint { get; } = [];

        public Task CreatedSavepointAsync(System.Data.Common.DbTransaction transaction, Microsoft.EntityFrameworkCore.Diagnostics.TransactionEventData eventData, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref open);
            return Task.CompletedTask;
        }

        public Task ReleasedSavepointAsync(System.Data.Common.DbTransaction transaction, Microsoft.EntityFrameworkCore.Diagnostics.TransactionEventData eventData, CancellationToken cancellationToken = default)
        {
            Interlocked.Decrement(ref open);
            return Task.CompletedTask;
        }

        public Task RolledBackToSavepointAsync(System.Data.Common.DbTransaction transaction, Microsoft.EntityFrameworkCore.Diagnostics.TransactionEventData eventData, CancellationToken cancellationToken = default)
        {
            Interlocked.Decrement(ref open);
            return Task.CompletedTask;
        }

        public ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader>> ReaderExecutingAsync(System.Data.Common.DbCommand command,
            Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader> result,
            CancellationToken cancellationToken = default)
        {
            if (Volatile.Read(ref open) > 0 && command.CommandText.Contains("UPDATE \"Discrepancies\"", StringComparison.Ordinal))
                DiscrepancyUpdatesInSavepoint.Add(command.CommandText);
            return ValueTask.FromResult(result);
        }
    }
}
