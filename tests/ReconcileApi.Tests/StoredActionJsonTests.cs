using System.Text.Json;
using ReconcileApi.Data;
using ReconcileApi.Engine;

namespace ReconcileApi.Tests;

/// <summary>
/// Issue #13: a run stores each finding's suggested action through <see cref="StoredJson.Serialize(SuggestedAction)"/>,
/// written directly instead of through the serializer. It must write what the serializer writes, character for character:
/// the lifecycle compares the stored text to tell a changed discrepancy, so any difference would record a false change.
/// </summary>
public sealed class StoredActionJsonTests
{
    static readonly DateTime Day = new(2026, 10, 10, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Every_action_the_engine_suggests_is_written_as_the_serializer_writes_it()
    {
        OrderLine Line(string sku, decimal quantity, decimal price, LineKind kind = LineKind.Product) => new(sku, null, $"Item \"{sku}\" <é>", quantity, price, Kind: kind);
        CanonicalOrder Store(string id, string number, decimal total, string? email = "a@example.com", params OrderLine[] lines) => new()
        {
            OrderId = id, OrderNumber = number, CustomerEmail = email, CustomerName = "Zoë O'Brien", OrderDate = Day, Currency = "USD", Total = total,
            Status = "paid", Shipping = 5m, Tax = 1.25m, Discount = 2.50m, Lines = lines,
        };
        CanonicalOrder Keap(string id, string number, decimal total, string status = "PAID", string? email = "a@example.com", params OrderLine[] lines) => new()
        {
            OrderId = id, OrderNumber = number, CustomerEmail = email, OrderDate = Day, Currency = "USD", Total = total, Status = status, Lines = lines,
        };
        var store = new List<CanonicalOrder>
        {
            Store("S1", "#1001", 50m), Store("S2", "#1002", 70m, null, Line("A-1", 2, 10.005m), Line("B", 1.5m, 3m)),
            Store("S3", "#1003", 30m), Store("S4", "#1004", 40m, "x@example.com"), Store("S5", "#1005", 12.34m, lines: Line("A-1", 1, 12.34m)),
            Store("S6", "#1006", 99.99m, "fuzzy@example.com"), Store("S9", "#1009", 5m),
        };
        var keap = new List<CanonicalOrder>
        {
            Keap("K1", "Shopify Order #1001", 40m), Keap("K3", "#1003", 30m), Keap("K3b", "#1003", 30m), Keap("K4", "#1004", 40m, "REFUNDED", "y@example.com"),
            Keap("K5", "#1005", 12.34m, lines: Line("A-1", 3, 12.34m)), Keap("K6", "no number", 99.99m, email: "fuzzy@example.com"),
            Keap("K7", "#1007", 15m, lines: Line("C", 1, 15m)), Keap("K9", "#1009", 5m),
        };
        var result = Reconciler.Reconcile(store, keap, ReconcileSettings.Default, new ReconcileWindow(Day.AddDays(-1), Day.AddDays(1)), Day.AddDays(30));
        Assert.True(result.Findings.Select(f => f.SuggestedAction.Code).Distinct().Count() >= 4, string.Join(", ", result.Findings.Select(f => f.SuggestedAction.Code)));
        foreach (var finding in result.Findings)
            Assert.Equal(JsonSerializer.Serialize(finding.SuggestedAction, StoredJson.Options), StoredJson.Serialize(finding.SuggestedAction));
    }

    [Fact]
    public void Values_of_every_kind_are_written_as_the_serializer_writes_them()
    {
        var nested = new Dictionary<string, object?> { ["inner"] = "x", ["none"] = null };
        var action = new SuggestedAction("review", "both", new Dictionary<string, object?>
        {
            ["null"] = null, ["text"] = "quote \" backslash \\ tag <b> & ampersand, é, 山田, emoji 😀, control \u0001", ["empty"] = "",
            ["decimal"] = 12.500m, ["negative"] = -0.0001m, ["max"] = decimal.MaxValue, ["int"] = 42, ["long"] = long.MinValue,
            ["true"] = true, ["false"] = false, ["double"] = 0.1 + 0.2, ["date"] = Day, ["enum"] = Severity.High, ["guid"] = Guid.Empty,
            ["items"] = new List<ActionValues> { new(["sku", "quantity"], "A", 2m), new(["sku", "quantity"], null, 0.5m) },
            ["map"] = nested, ["numbers"] = new[] { 1, 2, 3 }, ["mixed"] = new List<object?> { "a", 1m, null, nested },
            ["Capitalized Key"] = "kept as is",
        });
        Assert.Equal(JsonSerializer.Serialize(action, StoredJson.Options), StoredJson.Serialize(action));
    }
}
