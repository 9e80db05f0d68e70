using ReconcileApi.Engine;

namespace ReconcileApi.Engine.Tests;

/// <summary>Tiny builders: one store order and its Keap twin that reconcile cleanly; tests change what they test.</summary>
internal static class Orders
{
    public static readonly DateTime T0 = new(2026, 10, 1, 12, 0, 0, DateTimeKind.Utc);

    public static OrderLine Line(string? sku = "TEE-BLK-M", decimal quantity = 2, decimal unitPrice = 40m, string? productId = null, string? name = "Tee", LineKind kind = LineKind.Product) =>
        new(sku, productId, name, quantity, unitPrice, quantity * unitPrice, kind);

    public static CanonicalOrder Store(string? number = "#1001", string id = "S1001", DateTime? date = null) => new()
    {
        OrderId = id,
        OrderNumber = number,
        CustomerEmail = "bob@example.com",
        CustomerName = "Bob Norman",
        OrderDate = date ?? T0,
        Currency = "USD",
        Total = 100m,
        Subtotal = 80m,
        Tax = 12m,
        Shipping = 8m,
        Discount = 0m,
        AmountPaid = 100m,
        AmountRefunded = 0m,
        Status = "paid",
        Lines = [Line(), Line(sku: null, name: "Shipping", quantity: 1, unitPrice: 8m, kind: LineKind.Shipping)],
    };

    public static CanonicalOrder Keap(string? number = "Shopify Order #1001", string id = "K1001", DateTime? date = null) => new()
    {
        OrderId = id,
        OrderNumber = number,
        CustomerEmail = "bob@example.com",
        OrderDate = date ?? T0.AddMinutes(1),
        Currency = "USD",
        Total = 100m,
        AmountPaid = 100m,
        AmountRefunded = 0m,
        Status = "PAID",
        Lines = [Line()],
    };

    /// <summary>A clean pair a day later, so orders of the test are old enough not to be pending.</summary>
    public static (CanonicalOrder Store, CanonicalOrder Keap) LaterPair() =>
        (Store("#9999", "S9999", T0.AddDays(1)), Keap("Shopify Order #9999", "K9999", T0.AddDays(1)));

    public static ReconciliationResult Reconcile(IEnumerable<CanonicalOrder> store, IEnumerable<CanonicalOrder> keap, ReconcileSettings? settings = null, ReconcileWindow? window = null) =>
        Reconciler.Reconcile(store.ToList(), keap.ToList(), settings ?? ReconcileSettings.Default, window);

    /// <summary>Reconciles one pair (plus a later clean pair) and returns the findings.</summary>
    public static IReadOnlyList<Finding> Findings(CanonicalOrder? store, CanonicalOrder? keap, ReconcileSettings? settings = null)
    {
        var later = LaterPair();
        return Reconcile(store is null ? [later.Store] : [store, later.Store], keap is null ? [later.Keap] : [keap, later.Keap], settings).Findings;
    }

    public static Finding Single(IReadOnlyList<Finding> findings, Category category) => Assert.Single(findings, f => f.Category == category);
}
