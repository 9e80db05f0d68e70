using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using static ReconcileApi.Tests.LifecycleTestData;

namespace ReconcileApi.Tests.Vendor;

/// <summary>
/// Orders in the vendors' own shapes (built from their documented payloads, see SOURCES.md), sent through
/// HTTP in their native format, reconciled by a run, and held to the answer a bookkeeper expects: exactly
/// the listed findings with their category, cause, severity and suggested action — or nothing to report.
/// One file in <c>Vendor/Cases</c> per case.
/// </summary>
public sealed class VendorCaseTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Vendor", "Cases");
    static readonly string[] Severities = ["critical", "high", "medium", "low"];

    public static TheoryData<string> Cases => [.. Directory.GetFiles(Folder, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)).Order()];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Case_GivesTheAnswerABookkeeperExpects(string name)
    {
        var c = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Folder, name + ".json"))).RootElement;
        using var ws = await factory.CreateWorkspaceAsync();
        if (c.TryGetProperty("settings", out var settings))
            (await ws.Http.PutAsJsonAsync("/api/v1/settings", settings)).EnsureSuccessStatusCode();
        foreach (var side in (string[])["store", "keap"])
        {
            if (!c.TryGetProperty(side, out var batch))
                continue;
            var receipt = await IngestAsync(ws.Http, side, batch);
            Assert.True(receipt.GetProperty("errors").GetArrayLength() == 0, $"{side} receipt: {receipt}");
            if (c.TryGetProperty("receipt", out var expectedReceipts) && expectedReceipts.TryGetProperty(side, out var expectedReceipt))
                foreach (var count in expectedReceipt.EnumerateObject())
                    Assert.True(count.Value.GetInt32() == receipt.GetProperty(count.Name).GetInt32(), $"{side} receipt {count.Name}: {receipt}");
        }

        // What the run reads, the binary form, is the stored order exactly.
        await CompactOrderTests.AssertStoredAsBinaryAsync(factory.Services, ws.WorkspaceId);

        var run = await ws.Http.RunAsync(c.GetProperty("window"));
        Assert.True(run.Str("status") == "succeeded", run.GetRawText());
        var items = (await (await ws.Http.GetAsync($"/api/v1/runs/{run.Str("id")}/discrepancies?limit=500")).Json())
            .GetProperty("items").EnumerateArray().ToList();
        var found = string.Join("\n  ", items.Select(i => $"{i.Str("category")} {i.Str("orderKey")} {i.GetProperty("cause").Str("code")} {i.Str("severity")} {i.GetProperty("impact")} {i.GetProperty("suggestedAction").Str("code")}: {i.GetProperty("cause").Str("explanation")}"));

        var expected = c.GetProperty("expect").EnumerateArray().ToList();
        Assert.True(expected.Count == items.Count, $"{name}: expected {expected.Count} findings, found {items.Count}:\n  {found}");
        foreach (var e in expected)
        {
            var item = items.SingleOrDefault(i => i.Str("category") == e.Str("category") && i.Str("orderKey") == e.Str("orderKey"));
            Assert.True(item.ValueKind == JsonValueKind.Object, $"{name}: no {e.Str("category")} for {e.Str("orderKey")} among:\n  {found}");
            Assert.True(e.Str("cause") == item.GetProperty("cause").Str("code"), $"{name}: cause of {e}:\n  {found}");
            Assert.True(e.Str("severity") == item.Str("severity"), $"{name}: severity of {e}:\n  {found}");
            var action = item.GetProperty("suggestedAction");
            Assert.True(e.Str("action") == action.Str("code"), $"{name}: action of {e}:\n  {found}");
            if (e.TryGetProperty("values", out var values))
                foreach (var v in values.EnumerateObject())
                    Assert.Equal(v.Value.ToString(), action.GetProperty("values").GetProperty(v.Name).ToString());
            Assert.False(string.IsNullOrWhiteSpace(item.GetProperty("cause").Str("explanation")));
        }
        // Listed most severe first, then by money at stake.
        Assert.Equal(items.OrderBy(i => Array.IndexOf(Severities, i.Str("severity"))).ThenByDescending(i => i.GetProperty("impact").GetDecimal()).Select(i => i.Id()), items.Select(i => i.Id()));

        if (c.TryGetProperty("run", out var expectedRun))
        {
            foreach (var p in expectedRun.EnumerateObject())
            {
                var detail = $"{name}: run {p.Name}: {run}";
                switch (p.Name)
                {
                    case "matchRate":
                        Assert.True(p.Value.GetDecimal() == run.GetProperty("window").GetProperty("matchRate").GetDecimal(), detail);
                        break;
                    case "keapBehindHoursAtLeast":
                        Assert.True(run.GetProperty("syncLag").GetProperty("keap").GetProperty("behindHours").GetDouble() >= p.Value.GetDouble(), detail);
                        break;
                    default:
                        Assert.True(p.Value.GetInt32() == run.GetProperty(p.Name).GetInt32(), detail);
                        break;
                }
            }
        }

        // The same data again: every finding persists unchanged (its stored signature matches what the finding writes),
        // nothing is new, reopened or resolved, and no history is written beyond each one's creation.
        var again = await ws.Http.RunAsync(c.GetProperty("window"));
        Assert.True((0, 0, 0, items.Count) == (again.GetProperty("newDiscrepancies").GetInt32(), again.GetProperty("reopenedDiscrepancies").GetInt32(),
            again.GetProperty("autoResolved").GetInt32(), again.GetProperty("persistingDiscrepancies").GetInt32()), $"{name}: second run {again}");
        foreach (var item in items)
        {
            var history = (await (await ws.Http.GetAsync($"/api/v1/discrepancies/{item.Id()}/history")).Json()).EnumerateArray().Select(h => h.Str("kind"));
            Assert.True(history.SequenceEqual(["created"]), $"{name}: history of {item.Str("category")} {item.Str("orderKey")}: {string.Join(", ", history)}");
        }
    }

    static async Task<JsonElement> IngestAsync(HttpClient http, string side, JsonElement batch)
    {
        var format = batch.Str("format");
        HttpContent content = batch.TryGetProperty("csv", out var csv)
            ? new StringContent(csv.GetString()!, Encoding.UTF8, "text/csv")
            : new StringContent(batch.GetProperty("body").GetRawText(), Encoding.UTF8, "application/json");
        var response = await http.PostAsync($"/api/v1/sources/{side}/orders?format={format}", content);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Json();
    }
}
