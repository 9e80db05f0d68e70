using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReconcileApi.Data;
using ReconcileApi.Features.Discrepancies;
using static ReconcileApi.Tests.Api;
using static ReconcileApi.Tests.LifecycleTestData;

namespace ReconcileApi.Tests;

/// <summary>Issue #5: the discrepancy list — filters, sorts, cursor paging, Basic auth, flat items and CSV.</summary>
public sealed class DiscrepancyListTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    /// <summary>
    /// Two runs. The first finds six store orders missing in Keap (totals 5 to 1500, two of 15), a Keap
    /// order missing in the store and an amount mismatch of -5.5; the second finds four more missing
    /// store orders (one more of 15). Twelve open discrepancies over every severity, with impact ties.
    /// </summary>
    static async Task<(JsonElement First, JsonElement Second)> TwoRunsAsync(WorkspaceClient ws)
    {
        decimal[] firstTotals = [5m, 15m, 15m, 150m, 1500m, 40m];
        await ws.Http.IngestAsync("store", firstTotals
            .Select((total, i) => Order($"S{i + 1}", $"#{1001 + i}", total, email: $"buyer{i + 1}@example.com", date: Day))
            .Append(Order("S11", "#1011", 100m, email: "eleven@example.com", date: Day))
            .Append(StoreAnchor()).ToArray());
        await ws.Http.IngestAsync("keap", new[]
        {
            Order("K11", "Shopify Order #1011", 105.5m, "PAID", email: "eleven@example.com", date: Day),
            Order("K20", "Shopify Order #2020", 60m, "PAID", email: "keap-only@example.com", date: Day),
            KeapAnchor(),
        });
        var first = await ws.Http.RunAsync(Window);
        Assert.Equal(8, first.GetProperty("discrepancies").GetInt32());

        decimal[] secondTotals = [2m, 250m, 15m, 3000m];
        await ws.Http.IngestAsync("store", secondTotals
            .Select((total, i) => Order($"S{i + 7}", $"#{1007 + i}", total, email: $"buyer{i + 7}@example.com", date: Day))
            .ToArray());
        var second = await ws.Http.RunAsync(Window);
        Assert.Equal(4, second.GetProperty("newDiscrepancies").GetInt32());
        return (first, second);
    }

    static async Task<JsonElement> PageAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync("/api/v1/discrepancies" + query);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Json();
    }

    static List<JsonElement> Items(JsonElement page) => page.GetProperty("items").EnumerateArray().ToList();

    static decimal Impact(JsonElement d) => d.GetProperty("impact").GetDecimal();
    static int Rank(JsonElement d) => SeverityRank(d.Str("severity"));
    static DateTime DetectedAt(JsonElement d) => d.GetProperty("detectedAt").GetDateTime();

    /// <summary>The order each sort promises, computed from the rows themselves; the id makes it total.</summary>
    static List<long> Expected(IEnumerable<JsonElement> rows, string sort) => (sort switch
    {
        "-impact" => rows.OrderByDescending(Impact).ThenByDescending(d => d.Id()),
        "severity" => rows.OrderBy(Rank).ThenByDescending(Impact).ThenByDescending(d => d.Id()),
        "-id" => rows.OrderByDescending(d => d.Id()),
        _ => rows.OrderByDescending(DetectedAt).ThenBy(Rank).ThenByDescending(Impact).ThenByDescending(d => d.Id()),
    }).Select(d => d.Id()).ToList();

    static async Task<(List<long> Ids, int Pages)> WalkAsync(HttpClient client, string query, int limit, string path = "/api/v1/discrepancies")
    {
        var ids = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var response = await client.GetAsync(path + $"{query}&limit={limit}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            var page = await response.Json();
            var items = Items(page);
            Assert.True(items.Count <= limit);
            ids.AddRange(items.Select(i => i.Id()));
            cursor = page.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
            Assert.True(cursor is null || items.Count == limit, "A page before the last one is full.");
            Assert.True(++pages <= 100, "Paging does not end.");
        }
        while (cursor is not null);
        return (ids, pages);
    }

    [Fact]
    public async Task DefaultSort_IsNewestFirst_AndWithinARunBySeverityThenImpact()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var (first, second) = await TwoRunsAsync(ws);

        var items = await ws.Http.DiscrepanciesAsync();

        Assert.Equal(12, items.Count);
        Assert.Equal(Expected(items, "-detectedAt"), items.Select(i => i.Id()));
        // The second run's four new ones come first: 3000 (critical), 250 (high), 15 (medium), 2 (low).
        Assert.Equal([3000m, 250m, 15m, 2m], items.Take(4).Select(Impact));
        Assert.All(items.Take(4), i => Assert.Equal(second.GetProperty("id").GetGuid(), i.GetProperty("firstSeenRunId").GetGuid()));
        // Then the first run's: critical, high, medium by impact (40, 15, 15), low (5, 5.5 below).
        var rest = items.Skip(4).ToList();
        Assert.All(rest, i => Assert.Equal(first.GetProperty("id").GetGuid(), i.GetProperty("firstSeenRunId").GetGuid()));
        Assert.Equal(["critical", "high", "medium", "medium", "medium", "medium", "low", "low"], rest.Select(i => i.Str("severity")));
        Assert.Equal([1500m, 150m, 60m, 40m, 15m, 15m, 5.5m, 5m], rest.Select(Impact));
        Assert.True(rest[4].Id() > rest[5].Id(), "Equal impacts: the larger id first.");
    }

    /// <summary>
    /// Each sort's page, first and after a cursor, as the endpoint builds it: a range of one of the list's indexes read in its
    /// order (forwards or backwards), never the rows sorted — the page of 100 stays a range scan with a million stored.
    /// </summary>
    [Theory]
    [InlineData("Newest", "IX_Discrepancies_WorkspaceId_State_DetectedAt_SeverityRank_Impact_Id")]
    [InlineData("Impact", "IX_Discrepancies_WorkspaceId_State_Impact_Id")]
    [InlineData("Severity", "IX_Discrepancies_WorkspaceId_State_SeverityRank_Impact_Id")]
    [InlineData("NewestId", "IX_Discrepancies_WorkspaceId_State_Id")]
    public async Task EverySort_ReadsAPageFromItsIndex_WithoutSorting(string sortName, string index)
    {
        var sort = Enum.Parse<ListDiscrepancies.Sort>(sortName);
        using var ws = await factory.CreateWorkspaceAsync();
        await TwoRunsAsync(ws);
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        var state = DiscrepancyState.Open;
        var open = db.Discrepancies.AsNoTracking().Where(d => d.WorkspaceId == ws.WorkspaceId && d.State == state);
        var last = await ListDiscrepancies.Page(open, sort, null).Skip(5).FirstAsync();
        foreach (var cursor in new[] { null, ListDiscrepancies.Cursor.After(last, sort) })
        {
            var plan = await QueryPlans.OfAsync(db, ListDiscrepancies.Page(open, sort, cursor).Take(101));
            Assert.Contains($"USING INDEX {index} (WorkspaceId=? AND State=?", plan);
            Assert.DoesNotContain("TEMP B-TREE", plan);
        }
    }

    [Theory]
    [InlineData("-impact")]
    [InlineData("severity")]
    [InlineData("-detectedAt")]
    [InlineData("-id")]
    public async Task Sort_OrdersByItsKeys(string sort)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await TwoRunsAsync(ws);

        var items = Items(await PageAsync(ws.Http, "?sort=" + Uri.EscapeDataString(sort)));

        Assert.Equal(12, items.Count);
        Assert.Equal(Expected(items, sort), items.Select(i => i.Id()));
        if (sort == "-impact")
            Assert.Equal(3000m, Impact(items[0]));
        if (sort == "severity")
            Assert.Equal(["critical", "critical"], items.Take(2).Select(i => i.Str("severity")));
    }

    [Theory]
    [InlineData("-detectedAt", 1)]
    [InlineData("-detectedAt", 5)]
    [InlineData("-impact", 1)]
    [InlineData("-impact", 5)]
    [InlineData("severity", 1)]
    [InlineData("severity", 5)]
    [InlineData("-id", 5)]
    public async Task CursorPaging_VisitsEveryRowExactlyOnce_InTheSortsOrder(string sort, int limit)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await TwoRunsAsync(ws);
        var all = Items(await PageAsync(ws.Http, "?limit=500&sort=" + Uri.EscapeDataString(sort)));

        var (ids, pages) = await WalkAsync(ws.Http, "?sort=" + Uri.EscapeDataString(sort), limit);

        Assert.Equal(12, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(all.Select(i => i.Id()), ids);
        Assert.Equal(Expected(all, sort), ids);
        Assert.Equal((12 + limit - 1) / limit, pages);
    }

    [Fact]
    public async Task ACursor_UsedWithAnotherSort_IsA400NamingCursorAndItsSort()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await TwoRunsAsync(ws);
        (string MadeWith, string UsedWith)[] pairs = [("-impact", ""), ("-impact", "-detectedAt"), ("", "severity"), ("-id", "-impact"), ("severity", "-id")];

        foreach (var (madeWith, usedWith) in pairs)
        {
            var first = await PageAsync(ws.Http, "?limit=2" + (madeWith.Length == 0 ? "" : "&sort=" + Uri.EscapeDataString(madeWith)));
            var cursor = Uri.EscapeDataString(first.Str("nextCursor"));

            var response = await ws.Http.GetAsync($"/api/v1/discrepancies?limit=2&cursor={cursor}" + (usedWith.Length == 0 ? "" : "&sort=" + Uri.EscapeDataString(usedWith)));

            await response.AssertProblemAsync(HttpStatusCode.BadRequest);
            var message = (await response.Json()).GetProperty("errors").GetProperty("cursor")[0].GetString()!;
            Assert.Contains("another sort", message);
            Assert.Contains($"sort={(madeWith.Length == 0 ? "-detectedAt" : madeWith)}", message);
        }
    }

    [Fact]
    public async Task CursorPaging_WithAFilter_StaysWithinTheFilter()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await TwoRunsAsync(ws);

        var (ids, _) = await WalkAsync(ws.Http, "?category=missing_in_keap&sort=-impact", 3);

        var expected = Items(await PageAsync(ws.Http, "?category=missing_in_keap&sort=-impact&limit=500"));
        Assert.Equal(10, expected.Count);
        Assert.Equal(expected.Select(i => i.Id()), ids);
    }

    [Fact]
    public async Task CursorPaging_OfOneRunsDiscrepancies_VisitsEachOfThemOnce()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var (_, second) = await TwoRunsAsync(ws);
        var path = $"/api/v1/runs/{second.GetProperty("id").GetGuid()}/discrepancies";
        var all = Items(await (await ws.Http.GetAsync(path + "?sort=severity&limit=500")).Json());

        var (ids, pages) = await WalkAsync(ws.Http, "?sort=severity", 4, path);

        Assert.Equal(12, all.Count); // the second run found the first run's eight again
        Assert.Equal(all.Select(i => i.Id()), ids);
        Assert.Equal(Expected(all, "severity"), ids);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task StateFilter_DefaultsToOpen_AcceptsAListAndAll()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await TwoRunsAsync(ws);
        var items = await ws.Http.DiscrepanciesAsync();
        var (resolved, acknowledged) = (items[0].Id(), items[1].Id());
        Assert.Equal(HttpStatusCode.OK, (await ws.Http.PostAsJsonAsync($"/api/v1/discrepancies/{resolved}/resolution", new { action = "resynced", resolvedBy = "me" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ws.Http.PostAsJsonAsync($"/api/v1/discrepancies/{acknowledged}/resolution", new { action = "acknowledge", resolvedBy = "me" })).StatusCode);

        var open = await ws.Http.DiscrepanciesAsync();
        Assert.Equal(10, open.Count);
        Assert.All(open, d => Assert.Equal("open", d.Str("state")));
        Assert.Equal(open.Select(d => d.Id()), (await ws.Http.DiscrepanciesAsync("?state=open")).Select(d => d.Id()));
        Assert.Equal(12, (await ws.Http.DiscrepanciesAsync("?state=all")).Count);
        Assert.Equal([resolved], (await ws.Http.DiscrepanciesAsync("?state=resolved")).Select(d => d.Id()));
        Assert.Equal(new[] { acknowledged, resolved }.Order(), (await ws.Http.DiscrepanciesAsync("?state=acknowledged,resolved")).Select(d => d.Id()).Order());
        Assert.Empty(await ws.Http.DiscrepanciesAsync("?state=ignored"));
    }

    [Fact]
    public async Task ListFilters_IgnoreEmptyEntries_AndOneWithNoneLeftIsLeftOut()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await TwoRunsAsync(ws);
        var resolved = (await ws.Http.DiscrepanciesAsync())[0].Id();
        Assert.Equal(HttpStatusCode.OK, (await ws.Http.PostAsJsonAsync($"/api/v1/discrepancies/{resolved}/resolution", new { action = "resynced", resolvedBy = "me" })).StatusCode);
        async Task<List<long>> IdsAsync(string query) => (await ws.Http.DiscrepanciesAsync(query)).Select(d => d.Id()).ToList();

        // No-code tools send an unmapped filter empty: it must not match nothing. state left out is open.
        var open = await IdsAsync("");
        Assert.Equal(11, open.Count);
        foreach (var query in new[] { "?state=", "?state=,", "?state=open,,", "?category=,,", "?severity=,&category=", "?state=,open&severity=, ," })
            Assert.Equal(open, await IdsAsync(query));
        Assert.Equal(12, (await IdsAsync("?state=all&category=,,")).Count);
        Assert.Equal([resolved], await IdsAsync("?state=,resolved,"));
        Assert.Equal(2, (await IdsAsync("?category=,amount_mismatch,missing_in_store,")).Count);
    }

    [Fact]
    public async Task CategoryAndSeverityFilters_TakeCommaSeparatedLists()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await TwoRunsAsync(ws);

        var categories = await ws.Http.DiscrepanciesAsync("?category=missing_in_store,amount_mismatch");
        Assert.Equal(["amount_mismatch", "missing_in_store"], categories.Select(d => d.Str("category")).Order());
        Assert.Equal(-5.5m, categories.Single(d => d.Str("category") == "amount_mismatch").GetProperty("difference").GetDecimal());

        var severe = await ws.Http.DiscrepanciesAsync("?severity=critical,high");
        Assert.Equal([150m, 250m, 1500m, 3000m], severe.Select(Impact).Order());

        var both = await ws.Http.DiscrepanciesAsync("?severity=low&category=missing_in_keap");
        Assert.Equal([2m, 5m], both.Select(Impact).Order());
    }

    [Theory]
    [InlineData("category", "missing_in_crm")]
    [InlineData("category", "missing_in_keap,nonsense")]
    [InlineData("severity", "urgent")]
    [InlineData("state", "closed")]
    public async Task UnknownFilterValue_Returns400NamingTheField(string field, string value)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.GetAsync($"/api/v1/discrepancies?{field}={Uri.EscapeDataString(value)}");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var message = (await response.Json()).GetProperty("errors").GetProperty(field)[0].GetString();
        Assert.Contains(value.Split(',')[^1], message);
    }

    [Fact]
    public async Task SinceOrderKeyAndCustomerEmail_Filter()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var (_, second) = await TwoRunsAsync(ws);

        var since = second.GetProperty("createdAt").GetDateTime().ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
        var recent = await ws.Http.DiscrepanciesAsync("?since=" + Uri.EscapeDataString(since));
        Assert.Equal([2m, 15m, 250m, 3000m], recent.Select(Impact).Order());
        Assert.Equal(12, (await ws.Http.DiscrepanciesAsync("?since=" + Uri.EscapeDataString(Day.AddDays(-30).ToString("O")))).Count);
        Assert.Empty(await ws.Http.DiscrepanciesAsync("?since=" + Uri.EscapeDataString(factory.Clock.GetUtcNow().AddHours(1).ToString("O"))));

        var byKey = Assert.Single(await ws.Http.DiscrepanciesAsync("?orderKey=1004"));
        Assert.Equal("S4", byKey.Str("storeOrderId"));

        var byEmail = Assert.Single(await ws.Http.DiscrepanciesAsync("?customerEmail=buyer4@example.com"));
        Assert.Equal(byKey.Id(), byEmail.Id());
        Assert.Equal(byKey.Id(), Assert.Single(await ws.Http.DiscrepanciesAsync("?customerEmail=BUYER4@Example.com")).Id());
        Assert.Empty(await ws.Http.DiscrepanciesAsync("?customerEmail=nobody@example.com"));
    }

    [Theory]
    [InlineData("Bob.Smith@Example.com")]
    [InlineData("bob.smith@example.com")]
    [InlineData("BOB.SMITH@EXAMPLE.COM")]
    [InlineData(" bob.smith@example.com ")]
    public async Task CustomerEmailFilter_IgnoresCaseAndSpaces_AsMatchingDoes(string query)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[]
        {
            Order("S1", "#1001", 30m, email: "Bob.Smith@Example.com", date: Day),
            Order("S2", "#1002", 40m, email: "someone@example.com", date: Day),
            StoreAnchor(),
        });
        await ws.Http.IngestAsync("keap", new[] { KeapAnchor() });
        await ws.Http.RunAsync(Window);

        var found = Assert.Single(await ws.Http.DiscrepanciesAsync("?customerEmail=" + Uri.EscapeDataString(query)));

        Assert.Equal("S1", found.Str("storeOrderId"));
        Assert.Equal("Bob.Smith@Example.com", found.Str("customerEmail"));
    }

    [Theory]
    [InlineData("?limit=501", "limit")]
    [InlineData("?limit=0", "limit")]
    [InlineData("?cursor=not-a-cursor", "cursor")]
    [InlineData("?cursor=%25%25%25", "cursor")]
    [InlineData("?sort=amount", "sort")]
    public async Task BadPagingOrSort_Returns400NamingTheField(string query, string field)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.GetAsync("/api/v1/discrepancies" + query);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True((await response.Json()).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Limit500_IsAccepted()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        Assert.Equal(HttpStatusCode.OK, (await ws.Http.GetAsync("/api/v1/discrepancies?limit=500")).StatusCode);
    }

    [Fact]
    public async Task List_AcceptsBasicAuthWithTheKeyAsUserName_ForZapierPolling()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await TwoRunsAsync(ws);
        using var zapier = factory.CreateClient();
        zapier.DefaultRequestHeaders.Authorization = WorkspaceClient.Basic(ws.ApiKey);

        var items = Items(await PageAsync(zapier, ""));

        Assert.Equal((await ws.Http.DiscrepanciesAsync()).Select(d => d.Id()), items.Select(d => d.Id()));
        zapier.DefaultRequestHeaders.Authorization = WorkspaceClient.Basic("rk_wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, (await zapier.GetAsync("/api/v1/discrepancies")).StatusCode);
    }

    [Fact]
    public async Task Items_AreFlat_NestedOnlyInCauseSuggestedActionResolutionAndLineDifferences()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await TwoRunsAsync(ws);
        var id = (await ws.Http.DiscrepanciesAsync())[0].Id();
        Assert.Equal(HttpStatusCode.OK, (await ws.Http.PostAsJsonAsync($"/api/v1/discrepancies/{id}/resolution", new { action = "resynced", note = "n", resolvedBy = "me" })).StatusCode);
        string[] nested = ["cause", "suggestedAction", "resolution", "lineDifferences"];

        var items = await ws.Http.DiscrepanciesAsync("?state=all");

        Assert.Contains(items, i => i.TryGetProperty("resolution", out var r) && r.ValueKind == JsonValueKind.Object);
        foreach (var item in items)
        {
            foreach (var property in item.EnumerateObject())
            {
                if (property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                    Assert.Contains(property.Name, nested);
            }
            foreach (var name in new[] { "cause", "resolution" })
                if (item.TryGetProperty(name, out var inner) && inner.ValueKind == JsonValueKind.Object)
                    Assert.All(inner.EnumerateObject(), p => Assert.DoesNotContain(p.Value.ValueKind, new[] { JsonValueKind.Object, JsonValueKind.Array }));
            foreach (var scalar in new[] { "id", "runId", "category", "severity", "state", "orderKey", "impact", "occurrences", "detectedAt" })
                Assert.True(item.TryGetProperty(scalar, out _), scalar);
            // The nested cause and action again as flat fields, for tools that map without parsing.
            Assert.Equal(item.GetProperty("cause").Str("code"), item.Str("causeCode"));
            Assert.Equal(item.GetProperty("cause").Str("explanation"), item.Str("causeText"));
            Assert.Equal(item.GetProperty("suggestedAction").Str("code"), item.Str("actionCode"));
            Assert.Equal(item.GetProperty("suggestedAction").Str("system"), item.Str("actionSystem"));
        }
    }

    // CSV

    /// <summary>RFC 4180: fields separated by commas, quoted when they hold a comma, quote or line break, quotes doubled.</summary>
    static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"')
            {
                Assert.True(field.Length == 0, $"A quote inside an unquoted field at {i}.");
                quoted = true;
            }
            else if (c == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') { }
            else if (c == '\n') { row.Add(field.ToString()); field.Clear(); rows.Add(row); row = []; }
            else field.Append(c);
        }
        Assert.False(quoted, "Unterminated quoted field.");
        if (field.Length > 0 || row.Count > 0) { row.Add(field.ToString()); rows.Add(row); }
        return rows;
    }

    static async Task<List<Dictionary<string, string>>> CsvAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var rows = ParseCsv(await response.Content.ReadAsStringAsync());
        var header = rows[0];
        Assert.All(rows, r => Assert.Equal(header.Count, r.Count));
        return rows.Skip(1).Select(r => header.Zip(r).ToDictionary(p => p.First, p => p.Second)).ToList();
    }

    [Fact]
    public async Task Csv_ForExcel_HasAByteOrderMarkAndPlainDates_AndCarriesSuggestedValuesAndLineDifferences()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await TwoRunsAsync(ws);
        // One pair whose lines differ (Keap has one tee of two), beside the usual mix.
        await ws.Http.IngestAsync("store", new[] { Order("S50", "#5001", 80m, email: "lines@example.com", date: Day)
            .With("lines", new[] { new { sku = "TEE", name = "Tee", quantity = 2, unitPrice = 40m } }) });
        await ws.Http.IngestAsync("keap", new[] { Order("K50", "Shopify Order #5001", 40m, "PAID", email: "lines@example.com", date: Day)
            .With("lines", new[] { new { sku = "TEE", name = "Tee", quantity = 1, unitPrice = 40m } }) });
        await ws.Http.RunAsync(Window);
        var json = await ws.Http.DiscrepanciesAsync("?limit=500");
        Assert.Contains(json, d => d.GetProperty("lineDifferences").GetArrayLength() > 0);

        var response = await ws.Http.GetAsync("/api/v1/discrepancies?format=csv&excel=true");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var rows = ParseCsv(Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3));
        var header = rows[0];
        var byId = rows.Skip(1).Select(r => header.Zip(r).ToDictionary(p => p.First, p => p.Second)).ToDictionary(r => r["id"]);
        foreach (var d in json)
        {
            var row = byId[d.Id().ToString(CultureInfo.InvariantCulture)];
            Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", row["detectedAt"]);
            Assert.Equal(d.GetProperty("detectedAt").GetDateTime().ToUniversalTime(), DateTime.SpecifyKind(DateTime.Parse(row["detectedAt"], CultureInfo.InvariantCulture), DateTimeKind.Utc), TimeSpan.FromSeconds(1));
            Assert.Equal(JsonSerializer.Serialize(d.GetProperty("suggestedAction").GetProperty("values")), JsonSerializer.Serialize(JsonDocument.Parse(row["suggestedValues"]).RootElement));
            var lines = d.GetProperty("lineDifferences").EnumerateArray().ToList();
            Assert.Equal(lines.Count == 0, row["lineDifferences"].Length == 0);
            foreach (var line in lines)
                Assert.Contains($"{line.Str("line")}: {line.Str("kind")}", row["lineDifferences"]);
        }

        // Without excel: no byte order mark, ISO dates with Z.
        var plain = await (await ws.Http.GetAsync("/api/v1/discrepancies?format=csv")).Content.ReadAsByteArrayAsync();
        Assert.Equal((byte)'i', plain[0]);
        Assert.Contains("Z,", Encoding.UTF8.GetString(plain));
    }

    [Fact]
    public async Task Csv_ByFormatOrAccept_HasTheHeaderRowAndTheSameRowsAsTheJsonList()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await TwoRunsAsync(ws);
        var json = await ws.Http.DiscrepanciesAsync("?limit=500");

        var byFormat = await ws.Http.GetAsync("/api/v1/discrepancies?format=csv");
        var text = await byFormat.Content.ReadAsStringAsync();
        var header = text[..text.IndexOf('\r')].Split(',');
        foreach (var column in new[] { "id", "runId", "category", "severity", "state", "orderKey", "customerEmail", "difference", "impact", "causeCode", "suggestedAction", "resolutionNote" })
            Assert.Contains(column, header);
        var rows = await CsvAsync(byFormat);
        Assert.Equal(json.Select(d => d.Id().ToString(CultureInfo.InvariantCulture)), rows.Select(r => r["id"]));
        foreach (var (d, r) in json.Zip(rows))
        {
            Assert.Equal(d.Str("category"), r["category"]);
            Assert.Equal(d.Str("severity"), r["severity"]);
            Assert.Equal(d.Str("orderKey"), r["orderKey"]);
            Assert.Equal(d.Str("customerEmail"), r["customerEmail"]);
            Assert.Equal(Impact(d), decimal.Parse(r["impact"], CultureInfo.InvariantCulture));
            Assert.Equal(d.GetProperty("runId").GetGuid().ToString(), r["runId"]);
            Assert.Equal(d.GetProperty("cause").Str("code"), r["causeCode"]);
        }

        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/discrepancies?category=missing_in_keap");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var byAccept = await CsvAsync(await ws.Http.SendAsync(request));
        var jsonMissing = await ws.Http.DiscrepanciesAsync("?category=missing_in_keap");
        Assert.Equal(jsonMissing.Select(d => d.Id().ToString(CultureInfo.InvariantCulture)), byAccept.Select(r => r["id"]));

        var runId = json[0].GetProperty("lastSeenRunId").GetGuid();
        var runCsv = await CsvAsync(await ws.Http.GetAsync($"/api/v1/runs/{runId}/discrepancies?format=csv"));
        var runJson = Items(await (await ws.Http.GetAsync($"/api/v1/runs/{runId}/discrepancies?limit=500")).Json());
        Assert.Equal(runJson.Select(d => d.Id().ToString(CultureInfo.InvariantCulture)), runCsv.Select(r => r["id"]));
    }

    [Theory]
    [InlineData("/api/v1/discrepancies?severity=urgent", HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/discrepancies?limit=501", HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/runs/0193f0a0-0000-7000-8000-000000000001/discrepancies", HttpStatusCode.NotFound)]
    public async Task Csv_Errors_AreStillProblemJson(string path, HttpStatusCode status)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));

        var byAccept = await ws.Http.SendAsync(request);
        var byFormat = await ws.Http.GetAsync(path + (path.Contains('?') ? "&" : "?") + "format=csv");

        foreach (var response in new[] { byAccept, byFormat })
        {
            await response.AssertProblemAsync(status);
            if (status == HttpStatusCode.BadRequest)
                Assert.Equal(JsonValueKind.Object, (await response.Json()).GetProperty("errors").ValueKind);
        }
    }

    [Fact]
    public async Task Csv_KeepsNegativeTotalsInStoreAndKeapValueAsNumbers_ButEscapesFormulasThatStartWithAMinus()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        // A credit order: negative totals on both sides, 5 apart; and an email that is a formula starting with a minus.
        await ws.Http.IngestAsync("store", new[]
        {
            Order("S1", "#1001", -20m, date: Day),
            Order("S2", "#1002", 30m, email: "-2+3+cmd|' /C calc'!A0", date: Day),
            StoreAnchor(),
        });
        await ws.Http.IngestAsync("keap", new[] { Order("K1", "Shopify Order #1001", -25m, "PAID", date: Day), KeapAnchor() });
        await ws.Http.RunAsync(Window);

        var rows = await CsvAsync(await ws.Http.GetAsync("/api/v1/discrepancies?format=csv"));

        var amount = rows.Single(r => r["category"] == "amount_mismatch");
        Assert.Equal("-20.00", amount["storeValue"]);
        Assert.Equal("-25.00", amount["keapValue"]);
        Assert.Equal("5", amount["difference"]);
        Assert.Equal("'-2+3+cmd|' /C calc'!A0", rows.Single(r => r["orderKey"] == "1002")["customerEmail"]);
    }

    [Fact]
    public async Task Csv_EscapesCellsASpreadsheetWouldRunAsFormulas_KeepsNegativeAmountsAsNumbers_AndQuotesSeparators()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        const string hyperlink = "=HYPERLINK(\"http://evil.example\",\"click\")";
        string[] emails = [hyperlink, "+tag@example.com", "-minus@example.com", "@at@example.com", "o'brien, \"bob\"@example.com"];
        await ws.Http.IngestAsync("store", emails
            .Select((email, i) => Order($"S{i + 1}", $"#{1001 + i}", 10m + i * 20m, email: email, date: Day))
            .Append(Order("S9", "#1009", 100m, email: "minus-five@example.com", date: Day))
            .Append(StoreAnchor()).ToArray());
        await ws.Http.IngestAsync("keap", new[] { Order("K9", "Shopify Order #1009", 105.5m, "PAID", email: "minus-five@example.com", date: Day), KeapAnchor() });
        await ws.Http.RunAsync(Window);
        var json = await ws.Http.DiscrepanciesAsync();
        var formulaNote = json.Single(d => d.Str("orderKey") == "1002").Id();
        var multiLineNote = json.Single(d => d.Str("orderKey") == "1003").Id();
        const string multiLine = "Called \"Bob\", he said:\nfixed, really";
        Assert.Equal(HttpStatusCode.OK, (await ws.Http.PostAsJsonAsync($"/api/v1/discrepancies/{formulaNote}/resolution", new { action = "accepted_difference", note = "=1+1", resolvedBy = "@ana" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ws.Http.PostAsJsonAsync($"/api/v1/discrepancies/{multiLineNote}/resolution", new { action = "resynced", note = multiLine, resolvedBy = "ana" })).StatusCode);

        var rows = await CsvAsync(await ws.Http.GetAsync("/api/v1/discrepancies?state=all&format=csv"));

        Assert.Equal(6, rows.Count);
        string Cell(string orderKey, string column) => rows.Single(r => r["orderKey"] == orderKey)[column];
        Assert.Equal("'" + hyperlink, Cell("1001", "customerEmail"));
        Assert.Equal("'+tag@example.com", Cell("1002", "customerEmail"));
        Assert.Equal("'-minus@example.com", Cell("1003", "customerEmail"));
        Assert.Equal("'@at@example.com", Cell("1004", "customerEmail"));
        Assert.Equal("o'brien, \"bob\"@example.com", Cell("1005", "customerEmail"));
        Assert.Equal("'=1+1", Cell("1002", "resolutionNote"));
        Assert.Equal("'@ana", Cell("1002", "resolvedBy"));
        Assert.Equal(multiLine, Cell("1003", "resolutionNote"));
        Assert.Equal("-5.5", Cell("1009", "difference"));
        Assert.Equal("5.5", Cell("1009", "impact"));
        Assert.Equal("minus-five@example.com", Cell("1009", "customerEmail"));
        // Every text cell that starts like a formula is defused.
        Assert.All(rows.SelectMany(r => r.Where(c => c.Key is not ("difference" or "impact")).Select(c => c.Value)),
            cell => Assert.False(cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@', cell));

        // The JSON keeps the values as they are.
        Assert.Equal(hyperlink, json.Single(d => d.Str("orderKey") == "1001").Str("customerEmail"));
    }

    [Theory]
    [InlineData(";=cmd|' /C calc'!A0;", "\";'=cmd|' /C calc'!A0;\"")]
    [InlineData("a;b", "\"a;b\"")]
    [InlineData("a; =1", "\"a;' =1\"")]
    [InlineData("  =HYPERLINK(\"http://x\")", "\"'  =HYPERLINK(\"\"http://x\"\")\"")]
    [InlineData(" -5", " -5")]
    [InlineData("a b", "a b")]
    [InlineData("x\ty", "\"x\ty\"")]
    [InlineData("\0x", "'\0x")]
    [InlineData("-5;-3.5", "\"-5;-3.5\"")]
    [InlineData("ok;@SUM(A1)", "\"ok;'@SUM(A1)\"")]
    public void CsvCell_QuotesSemicolonsAndTabs_AndDefusesWhatFollowsASemicolonOrSpacesAsACellStart(string value, string cell)
    {
        var line = new System.Text.StringBuilder();

        ReconcileApi.Features.Discrepancies.CsvExport.Text(line, value);

        Assert.Equal(cell + ",", line.ToString());
    }
}
