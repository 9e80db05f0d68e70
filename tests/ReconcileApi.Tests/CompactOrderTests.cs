using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReconcileApi.Data;
using ReconcileApi.Engine;
using ReconcileApi.Features.Orders;
using static ReconcileApi.Tests.Api;
using static ReconcileApi.Tests.LifecycleTestData;

namespace ReconcileApi.Tests;

/// <summary>
/// Issue #13: what a run reads is the binary form written at ingest (<see cref="OrderCodec"/>), so it must give back
/// exactly the stored order. Every vendor case checks its stored orders with <see cref="AssertDecodesToPayloadAsync"/>.
/// </summary>
public sealed class CompactOrderTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    /// <summary>Every stored order of the workspace: its binary form decodes to its JSON payload, value for value.</summary>
    internal static async Task AssertDecodesToPayloadAsync(IServiceProvider services, Guid workspaceId)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        var rows = await db.Orders.Where(o => o.WorkspaceId == workspaceId).Select(o => new { o.OrderId, o.Payload, o.Compact }).ToListAsync();
        foreach (var row in rows)
        {
            Assert.True(row.Compact is not null, $"order {row.OrderId} has no binary form");
            Assert.Equal(row.Payload, OrderJson.Serialize(OrderCodec.Decode(row.Compact)));
        }
    }

    public static TheoryData<string> Orders => [.. Samples().Keys];

    static Dictionary<string, CanonicalOrder> Samples()
    {
        var full = new CanonicalOrder
        {
            OrderId = "gid://shopify/Order/1",
            OrderNumber = "#1001",
            CustomerEmail = "Zoë@Example.com",
            CustomerName = "Zoë Ærø 山田",
            OrderDate = new DateTime(2026, 3, 8, 7, 30, 0, DateTimeKind.Utc),
            Currency = "EUR",
            Total = 1234.50m,
            Subtotal = 1000m,
            Tax = 0.0001m,
            Shipping = 0m,
            Discount = -5.25m,
            AmountPaid = 79228162514264337593543950335m,
            AmountRefunded = -79228162514264337593543950335m,
            Status = "partially_refunded",
            PaymentReference = "",
            UpdatedAt = new DateTime(2026, 3, 9, 1, 2, 3, 456, DateTimeKind.Unspecified),
            CreatedAt = DateTime.MinValue,
            Platform = "shopify",
            TaxesIncluded = false,
            PresentmentCurrency = "GBP",
            PresentmentTotal = 0.0000000000000000000000000001m,
            SourceType = "MANUAL_PAYMENT",
            Lines =
            [
                new OrderLine("SKU-1", "8000012", "Thing", 2.000m, 19.99m, 39.98m, LineKind.Product) { Discount = 1m, Tax = 3.2m, OriginalQuantity = 3m },
                new OrderLine(null, null, null, 1m, 5.00m, null, LineKind.Shipping),
                new OrderLine("", "", "", 0m, -0m, null, LineKind.Fee),
            ],
        };
        return new()
        {
            ["every field"] = full,
            ["only the required"] = new CanonicalOrder { OrderId = "1", Total = 0m },
            ["taxes included, an unspecified date, max ticks"] = full with { TaxesIncluded = true, OrderDate = DateTime.MaxValue, Lines = [] },
            ["wide negative amounts"] = full with { Total = -18446744073709551616m, Subtotal = decimal.MinValue },
        };
    }

    [Theory]
    [MemberData(nameof(Orders))]
    public void An_order_comes_back_exactly(string sample)
    {
        var order = Samples()[sample];
        var decoded = OrderCodec.Decode(OrderCodec.Encode(order));
        Assert.Equal(OrderJson.Serialize(order), OrderJson.Serialize(decoded));
        // The scale of each amount and the kind of each date, which JSON text shows only in part.
        Assert.Equal(order.Total.Scale, decoded.Total.Scale);
        Assert.Equal(order.OrderDate?.Kind, decoded.OrderDate?.Kind);
        Assert.Equal(order.UpdatedAt?.Kind, decoded.UpdatedAt?.Kind);
        Assert.Equal(order.Lines.Select(l => (l.Quantity.Scale, l.UnitPrice.Scale)), decoded.Lines.Select(l => (l.Quantity.Scale, l.UnitPrice.Scale)));
    }

    [Fact]
    public void A_list_of_encoded_orders_gives_each_back_across_its_buffers()
    {
        var list = new EncodedOrders();
        var orders = Enumerable.Range(0, 30_000).Select(i => Samples()["every field"] with { OrderId = "order-" + i, CustomerName = new string('x', i % 700) }).ToList();
        foreach (var o in orders)
            list.Add(OrderCodec.Encode(o));
        Assert.Equal(orders.Count, list.Count);
        Assert.All(new[] { 0, 1, 12_345, 29_999 }, i => Assert.Equal(OrderJson.Serialize(orders[i]), OrderJson.Serialize(list[i])));
        Assert.Equal(orders.Select(o => o.OrderId), list.Select(o => o.OrderId));
        Assert.Throws<ArgumentOutOfRangeException>(() => list[orders.Count]);
    }

    [Fact]
    public void Another_version_is_refused() =>
        Assert.Throws<FormatException>(() => OrderCodec.Decode([OrderCodec.Version + 1, 0]));

    [Fact]
    public async Task Orders_stored_before_the_binary_form_are_read_from_their_payload()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[] { StoreAnchor(), Order("S1", "#1001", 50m, date: Day), Order("S2", "#1002", 20m, date: Day) });
        await ws.Http.IngestAsync("keap", new[] { KeapAnchor(), Order("K1", "Shopify Order #1001", 40m, "PAID", date: Day) });
        var first = await ws.Http.RunAsync(Window);
        Assert.Equal("succeeded", first.Str("status"));
        Assert.Equal(2, first.GetProperty("discrepancies").GetInt32());

        // As a database migrated from before issue #13 holds them.
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
            Assert.Equal(5, await db.Orders.Where(o => o.WorkspaceId == ws.WorkspaceId).ExecuteUpdateAsync(s => s.SetProperty(o => o.Compact, (byte[]?)null)));
        }
        var second = await ws.Http.RunAsync(Window);
        Assert.Equal("succeeded", second.Str("status"));
        Assert.Equal(2, second.GetProperty("persistingDiscrepancies").GetInt32());
        Assert.Equal(0, second.GetProperty("newDiscrepancies").GetInt32());
        Assert.Equal(first.GetProperty("window").GetProperty("matchRate").GetDecimal(), second.GetProperty("window").GetProperty("matchRate").GetDecimal());
    }

    [Fact]
    public async Task A_changed_order_gets_a_new_binary_form()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[] { Order("S1", "#1001", 50m, date: Day) });
        await ws.Http.IngestAsync("store", new[] { Order("S1", "#1001", 45.10m, email: "new@example.com", date: Day) });
        await AssertDecodesToPayloadAsync(factory.Services, ws.WorkspaceId);
    }
}
