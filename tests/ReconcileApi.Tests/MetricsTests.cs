using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static ReconcileApi.Tests.Api;
using static ReconcileApi.Tests.LifecycleTestData;

namespace ReconcileApi.Tests;

/// <summary>Issue #11: the daily and cause metrics add up with the runs' own summaries (this class moves its host's clock).</summary>
public sealed class MetricsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    static readonly DateOnly First = new(2026, 10, 15);
    const int Days = 30;

    static DateTime Local(DateOnly day, int hour, int minute = 0) =>
        TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(new TimeOnly(hour, minute)), NewYork);

    /// <summary>
    /// A month in New York (across the end of summer time): three store orders a day at 10:00, 14:00 and 23:30 local
    /// (23:30 is the next day in UTC); Keap has each, except the 23:30 order every fifth day (missing in Keap) and
    /// the 10:00 order every seventh day 5.00 short (amount mismatch).
    /// </summary>
    static async Task SeedMonthAsync(WorkspaceClient ws)
    {
        var store = new List<Dictionary<string, object?>>();
        var keap = new List<Dictionary<string, object?>>();
        for (var i = 0; i < Days; i++)
        {
            var day = First.AddDays(i);
            foreach (var (hour, minute, slot) in new[] { (10, 0, 'a'), (14, 0, 'b'), (23, 30, 'c') })
            {
                var number = $"{i:00}{slot}";
                var at = Local(day, hour, minute);
                store.Add(Order("S" + number, "#" + number, 100m + i, email: $"c{number}@example.com", date: at));
                if (slot == 'c' && i % 5 == 0)
                    continue;
                keap.Add(Order("K" + number, "Shopify Order #" + number, slot == 'a' && i % 7 == 0 ? 95m + i : 100m + i, "PAID", email: $"c{number}@example.com", date: at));
            }
        }
        // Later orders on both sides, so every order of the month is past the settle time.
        store.Add(Order("S-late", "#late", 10m, email: "late@example.com", date: Local(new DateOnly(2026, 11, 15), 12)));
        keap.Add(Order("K-late", "Shopify Order #late", 10m, "PAID", email: "late@example.com", date: Local(new DateOnly(2026, 11, 15), 12)));
        await ws.Http.IngestAsync("store", store);
        await ws.Http.IngestAsync("keap", keap);
    }

    static async Task<JsonElement> MetricsAsync(WorkspaceClient ws, string path)
    {
        var response = await ws.Http.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Json();
    }

    [Fact]
    public async Task DailyAndCauseMetrics_OfASeededMonth_AddUpWithTheRunsSummary()
    {
        using var ws = await factory.CreateWorkspaceAsync("America/New_York");
        await SeedMonthAsync(ws);
        var run = await ws.Http.RunAsync(new { from = "2026-10-15", to = "2026-11-14" });
        Assert.Equal("succeeded", run.Str("status"));
        var window = run.GetProperty("window");
        Assert.Equal(Days * 3, window.GetProperty("storeOrders").GetInt32());

        var daily = await MetricsAsync(ws, "/api/v1/metrics/daily?from=2026-10-15&to=2026-11-16");
        Assert.Equal("America/New_York", daily.Str("timezone"));
        var days = daily.GetProperty("days").EnumerateArray().ToList();
        Assert.Equal(Days + 3, days.Count);
        for (var i = 0; i < Days; i++)
        {
            var day = days[i];
            Assert.Equal(First.AddDays(i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), day.Str("date"));
            Assert.Equal(run.Str("id"), day.Str("runId"));
            Assert.Equal(3, day.GetProperty("storeOrders").GetInt32()); // 23:30 New York counts on its own local day
            Assert.Equal(i % 5 == 0 ? 2 : 3, day.GetProperty("keapOrders").GetInt32());
            Assert.Equal(i % 5 == 0 ? 1 : 0, day.GetProperty("missingInKeap").GetInt32());
            Assert.Equal(3 * (100m + i), day.GetProperty("storeRevenue").GetDecimal());
            Assert.Equal(i % 5 == 0 ? 0.6667m : 1m, day.GetProperty("matchRate").GetDecimal());
        }
        var totals = daily.GetProperty("totals");
        Assert.Equal(window.GetProperty("storeOrders").GetInt32(), totals.GetProperty("storeOrders").GetInt32());
        Assert.Equal(window.GetProperty("keapOrders").GetInt32(), totals.GetProperty("keapOrders").GetInt32());
        Assert.Equal(window.GetProperty("storeRevenue").GetDecimal(), totals.GetProperty("storeRevenue").GetDecimal());
        Assert.Equal(window.GetProperty("keapRevenue").GetDecimal(), totals.GetProperty("keapRevenue").GetDecimal());
        Assert.Equal(run.GetProperty("matched").GetInt32(), totals.GetProperty("matched").GetInt32());
        Assert.Equal(window.GetProperty("matchRate").GetDecimal(), totals.GetProperty("matchRate").GetDecimal());
        // Every finding was first detected by the run, today (16 November in New York).
        var today = days[^1];
        Assert.Equal("2026-11-16", today.Str("date"));
        Assert.Equal(JsonValueKind.Null, today.GetProperty("runId").ValueKind);
        Assert.Equal(run.GetProperty("newDiscrepancies").GetInt32(), today.GetProperty("found").GetInt32());
        Assert.Equal(run.GetProperty("discrepancies").GetInt32(), totals.GetProperty("found").GetInt32());
        Assert.Equal(run.GetProperty("impact").GetDecimal(), today.GetProperty("impact").GetDecimal());
        Assert.Equal(run.GetProperty("byCategory").GetProperty("missing_in_keap").GetInt32(), today.GetProperty("foundByCategory").GetProperty("missing_in_keap").GetInt32());
        var open = daily.GetProperty("open");
        Assert.Equal(run.GetProperty("discrepancies").GetInt32(), open.GetProperty("total").GetInt32());
        Assert.Equal(run.GetProperty("impact").GetDecimal(), open.GetProperty("impact").GetDecimal());
        Assert.Equal(6, open.GetProperty("byCategory").GetProperty("missing_in_keap").GetInt32());
        Assert.Equal(5, open.GetProperty("byCategory").GetProperty("amount_mismatch").GetInt32());

        // Five hours later one is fixed: resolved today, median five hours; no longer open.
        factory.Clock.Advance(TimeSpan.FromHours(5));
        var first = (await ws.Http.DiscrepanciesAsync("?category=amount_mismatch"))[0];
        var resolved = await ws.Http.PostAsJsonAsync($"/api/v1/discrepancies/{first.Id()}/resolution", new { action = "updated_in_keap", resolvedBy = "ana@example.com" });
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        daily = await MetricsAsync(ws, "/api/v1/metrics/daily?from=2026-11-16&to=2026-11-16");
        today = Assert.Single(daily.GetProperty("days").EnumerateArray());
        Assert.Equal(1, today.GetProperty("resolved").GetInt32());
        Assert.Equal(5.0, today.GetProperty("medianHoursToResolve").GetDouble(), 1);
        Assert.Equal(run.GetProperty("discrepancies").GetInt32() - 1, daily.GetProperty("open").GetProperty("total").GetInt32());

        // Causes: today against yesterday (nothing then, so every cause is new); findings add up with the run.
        var causes = await MetricsAsync(ws, "/api/v1/metrics/causes?from=2026-11-16&to=2026-11-16");
        Assert.Equal("2026-11-15", causes.Str("previousFrom"));
        var list = causes.GetProperty("causes").EnumerateArray().ToList();
        Assert.Equal(run.GetProperty("discrepancies").GetInt32(), list.Sum(c => c.GetProperty("findings").GetInt32()));
        Assert.Equal(run.GetProperty("impact").GetDecimal(), list.Sum(c => c.GetProperty("impact").GetDecimal()));
        Assert.All(list, c => Assert.Equal("new", c.Str("trend")));
        Assert.Equal(list.OrderByDescending(c => c.GetProperty("impact").GetDecimal()).Select(c => c.Str("causeCode")), list.Select(c => c.Str("causeCode")));
        Assert.Contains(list, c => c.Str("category") == "missing_in_keap");

        // The next day's causes compare with today's.
        var tomorrow = await MetricsAsync(ws, "/api/v1/metrics/causes?from=2026-11-17&to=2026-11-17");
        Assert.All(tomorrow.GetProperty("causes").EnumerateArray(), c =>
        {
            Assert.Equal(0, c.GetProperty("findings").GetInt32());
            Assert.Equal("down", c.Str("trend"));
        });
    }

    [Theory]
    [InlineData("?from=2026-13-01", "from")]
    [InlineData("?from=yesterday", "from")]
    [InlineData("?from=2026-11-10&to=2026-11-01", "from")]
    [InlineData("?from=2024-01-01&to=2026-11-01", "from")]
    [InlineData("?to=05/06/2026", "to")]
    public async Task BadPeriod_IsA400NamingTheParameter(string query, string field)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        foreach (var path in new[] { "/api/v1/metrics/daily", "/api/v1/metrics/causes" })
        {
            var response = await ws.Http.GetAsync(path + query);
            await response.AssertProblemAsync(HttpStatusCode.BadRequest);
            Assert.True((await response.Json()).GetProperty("errors").TryGetProperty(field, out _));
        }
    }

    [Theory]
    [InlineData("?from=0001-01-01", "from")]
    [InlineData("?to=9999-12-31", "to")]
    [InlineData("?from=1969-12-31T23:00:00Z", "from")]
    public async Task ADateOutsideTheSupportedYears_IsToldItsRange_NotThatItIsNoDate(string query, string field)
    {
        using var ws = await factory.CreateWorkspaceAsync();

        var response = await ws.Http.GetAsync("/api/v1/metrics/daily" + query);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var message = (await response.Json()).GetProperty("errors").GetProperty(field)[0].GetString();
        Assert.Equal("Is out of the supported range: metrics cover days from 1970-01-01 to 2099-12-31.", message);
    }

    [Fact]
    public async Task DefaultPeriod_IsTheLast30DaysInTheWorkspacesZone()
    {
        using var ws = await factory.CreateWorkspaceAsync("Pacific/Auckland");
        var daily = await MetricsAsync(ws, "/api/v1/metrics/daily");
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(factory.Clock.GetUtcNow().UtcDateTime, TimeZoneInfo.FindSystemTimeZoneById("Pacific/Auckland")));
        Assert.Equal(today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), daily.Str("to"));
        Assert.Equal(30, daily.GetProperty("days").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, daily.GetProperty("totals").GetProperty("matchRate").ValueKind);

        // An instant (as generated clients send dates) counts as its day in the workspace's zone: 20:00 UTC is the next day in Auckland.
        var instants = await MetricsAsync(ws, "/api/v1/metrics/daily?from=2026-11-01T20:00:00Z&to=2026-11-02T08:00:00%2B13:00");
        Assert.Equal(("2026-11-02", "2026-11-02"), (instants.Str("from"), instants.Str("to")));
    }
}
