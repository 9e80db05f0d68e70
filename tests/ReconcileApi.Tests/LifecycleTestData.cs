using System.Text.Json;
using static ReconcileApi.Tests.Api;

namespace ReconcileApi.Tests;

/// <summary>Small builders shared by the run, lifecycle, resolution and list tests.</summary>
public static class LifecycleTestData
{
    /// <summary>Noon five days before the service's clock starts: far enough back that a later anchor order settles everything before it.</summary>
    public static readonly DateTime Day = ApiFactory.Start.UtcDateTime.Date.AddDays(-5).AddHours(12);

    /// <summary>A window that covers <see cref="Day"/> and the anchors a day later.</summary>
    public static readonly object Window = new { from = Day.AddDays(-3), to = Day.AddDays(3) };

    /// <summary>Sets (or removes, with null) one field of a canonical order built by <c>Api.Order</c>.</summary>
    public static Dictionary<string, object?> With(this Dictionary<string, object?> order, string field, object? value)
    {
        order[field] = value;
        return order;
    }

    /// <summary>
    /// A pair that matches a day after <see cref="Day"/>: it makes the newest order of each side late
    /// enough that the orders on <see cref="Day"/> are past the settle time (missing, not pending).
    /// </summary>
    public static Dictionary<string, object?> StoreAnchor() => Api.Order("S-ANCHOR", "#9999", 10m, email: "anchor@example.com", date: Day.AddDays(1));
    public static Dictionary<string, object?> KeapAnchor() => Api.Order("K-ANCHOR", "Shopify Order #9999", 10m, "PAID", email: "anchor@example.com", date: Day.AddDays(1));

    /// <summary>An amount mismatch on 1001 (store 50, Keap 40), a store order missing in Keap (1002) and two extra Keap records of 1003.</summary>
    public static async Task IngestMixAsync(WorkspaceClient ws)
    {
        await ws.Http.IngestAsync("store", new[]
        {
            Order("S1", "#1001", 50m, date: Day),
            Order("S2", "#1002", 70m, email: "lost@example.com", date: Day),
            Order("S3", "#1003", 30m, date: Day),
            StoreAnchor(),
        });
        await ws.Http.IngestAsync("keap", new[]
        {
            Order("K1", "Shopify Order #1001", 40m, "PAID", date: Day),
            Order("K3", "Shopify Order #1003", 30m, "PAID", date: Day),
            Order("K3b", "Shopify Order #1003", 30m, "PAID", date: Day.AddMinutes(2)),
            Order("K3c", "Shopify Order #1003", 30m, "PAID", date: Day.AddMinutes(4)),
            KeapAnchor(),
        });
    }

    public static string Str(this JsonElement e, string property) =>
        e.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    public static long Id(this JsonElement e) => e.GetProperty("id").GetInt64();

    /// <summary>The severity the default thresholds (1000 / 100 / 10) give a money discrepancy.</summary>
    public static string SeverityOf(string category, decimal impact) => category switch
    {
        "email_mismatch" or "date_mismatch" or "probable_match" => "low",
        _ when impact >= 1000m => "critical",
        _ when impact >= 100m => "high",
        _ when impact >= 10m => "medium",
        _ => "low",
    };

    public static int SeverityRank(string severity) => Array.IndexOf(["critical", "high", "medium", "low"], severity);
}
