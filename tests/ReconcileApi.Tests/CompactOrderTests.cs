using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReconcileApi.Data;
using ReconcileApi.Engine;
using ReconcileApi.Features.Orders;
using static ReconcileApi.Tests.Api;
using static ReconcileApi.Tests.LifecycleTestData;

namespace ReconcileApi.Tests;

/// <summary>
/// Issue #13: an order is stored in its binary form (<see cref="OrderCodec"/>), which the order list, a run and the next
/// ingest read, so it must give back exactly the order. Every vendor case checks its stored orders with <see cref="AssertStoredAsBinaryAsync"/>.
/// </summary>
public sealed class CompactOrderTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    /// <summary>Every stored order of the workspace is its binary form alone, hashed as ingest compares it, and decodes to an order that encodes the same.</summary>
    internal static async Task AssertStoredAsBinaryAsync(IServiceProvider services, Guid workspaceId)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        var rows = await db.Orders.Where(o => o.WorkspaceId == workspaceId).Select(o => new { o.OrderId, o.Payload, o.Compact, o.ContentHash }).ToListAsync();
        foreach (var row in rows)
        {
            Assert.True(row.Compact is not null, $"order {row.OrderId} has no binary form");
            Assert.Equal("", row.Payload);
            Assert.Equal(OrderCodec.Hash(row.Compact), row.ContentHash);
            Assert.Equal(row.Compact, OrderCodec.Encode(OrderCodec.Decode(row.Compact)));
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

    /// <summary>
    /// Decoding shares a line or a status it decoded recently from the same bytes (issue #13: a run decodes millions of
    /// orders). 12,000 distinct lines — more than it remembers, so slots collide and are replaced — among them lines of one
    /// product that differ in one value (a quantity, a price's scale, a kind), still come back exactly; repeated ones are shared.
    /// </summary>
    [Fact]
    public void Decoding_shares_repeated_lines_and_texts_and_gives_every_order_back_exactly()
    {
        var rng = new Random(7);
        var shipping = new OrderLine(null, null, "Shipping", 1, 5.00m, Kind: LineKind.Shipping);
        // One product in eight variants that differ in one value each: the quantity, the price's scale, the kind.
        OrderLine Line(int product, int variant) => new($"SKU-{product}", product % 3 == 0 ? null : $"{product}", $"Product {product}",
            1 + (variant & 1), (variant & 2) == 0 ? 9.5m : 9.50m, Kind: (variant & 4) == 0 ? LineKind.Product : LineKind.Fee)
        { Discount = product % 7 == 0 ? 1m : null };
        var orders = Enumerable.Range(0, 20_000).Select(i => Samples()["every field"] with
        {
            OrderId = "order-" + i,
            Status = i % 3 == 0 ? "paid" : "refunded",
            Currency = i % 2 == 0 ? "USD" : "EUR",
            Lines = [Line(rng.Next(1_500), rng.Next(8)), Line(rng.Next(1_500), rng.Next(8)), shipping],
        }).ToList();
        var encoded = orders.Select(OrderCodec.Encode).ToList();
        // Decoded in another order than encoded, twice: what a slot holds when a line comes again is unpredictable.
        foreach (var i in Enumerable.Range(0, orders.Count).Reverse().Concat(Enumerable.Range(0, orders.Count)))
            Assert.Equal(OrderJson.Serialize(orders[i]), OrderJson.Serialize(OrderCodec.Decode(encoded[i])));
        var (a, b) = (OrderCodec.Decode(encoded[0]), OrderCodec.Decode(encoded[6]));
        Assert.Same(a.Lines[2], b.Lines[2]);
        Assert.Same(a.Status, b.Status);
        Assert.NotSame(a.OrderId, OrderCodec.Decode(encoded[0]).OrderId);
    }

    [Fact]
    public void Another_version_is_refused() =>
        Assert.Throws<FormatException>(() => OrderCodec.Decode([OrderCodec.Version + 1, 0]));

    [Fact]
    public async Task Orders_stored_as_JSON_by_earlier_builds_are_read_from_it_and_unchanged_when_sent_again()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var store = new[] { StoreAnchor(), Order("S1", "#1001", 50m, date: Day), Order("S2", "#1002", 20m, date: Day) };
        await ws.Http.IngestAsync("store", store);
        await ws.Http.IngestAsync("keap", new[] { KeapAnchor(), Order("K1", "Shopify Order #1001", 40m, "PAID", date: Day) });
        var first = await ws.Http.RunAsync(Window);
        Assert.Equal("succeeded", first.Str("status"));
        Assert.Equal(2, first.GetProperty("discrepancies").GetInt32());
        var s1 = await (await ws.Http.GetAsync("/api/v1/sources/store/orders/S1")).Json();

        // As databases of earlier builds hold them: the JSON and the SHA-256 of it; before issue #13 without the binary
        // form (all but S2), between then and the binary form becoming the stored order with it (S2).
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
            var rows = await db.Orders.Where(o => o.WorkspaceId == ws.WorkspaceId).ToListAsync();
            Assert.Equal(5, rows.Count);
            foreach (var row in rows)
            {
                var order = OrderCodec.Decode(row.Compact);
                (row.Payload, row.ContentHash, row.SentHash) = (OrderJson.Serialize(order), OrderJson.LegacyHash(order), null);
                if (row.OrderId != "S2")
                    row.Compact = null;
            }
            await db.SaveChangesAsync();
        }
        var second = await ws.Http.RunAsync(Window);
        Assert.Equal("succeeded", second.Str("status"));
        Assert.Equal(2, second.GetProperty("persistingDiscrepancies").GetInt32());
        Assert.Equal(0, second.GetProperty("newDiscrepancies").GetInt32());
        Assert.Equal(first.GetProperty("window").GetProperty("matchRate").GetDecimal(), second.GetProperty("window").GetProperty("matchRate").GetDecimal());
        Assert.Equal(s1.ToString(), (await (await ws.Http.GetAsync("/api/v1/sources/store/orders/S1")).Json()).ToString());

        var again = await ws.Http.IngestAsync("store", store);
        Assert.Equal((3, 0, 0), (again.GetProperty("unchanged").GetInt32(), again.GetProperty("updated").GetInt32(), again.GetProperty("inserted").GetInt32()));
        var changed = await ws.Http.IngestAsync("store", new[] { Order("S1", "#1001", 55m, date: Day), Order("S2", "#1002", 25m, date: Day) });
        Assert.Equal(2, changed.GetProperty("updated").GetInt32());
        var s1Now = await (await ws.Http.GetAsync("/api/v1/sources/store/orders/S1")).Json();
        Assert.Equal(55m, s1Now.GetProperty("order").GetProperty("total").GetDecimal());
        // The version replaced is the order as it was, read from the JSON the earlier build stored.
        Assert.Equal(s1.GetProperty("order").ToString(), s1Now.GetProperty("previousVersions")[0].GetProperty("order").ToString());
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
            var rewritten = await db.Orders.Where(o => o.WorkspaceId == ws.WorkspaceId && (o.OrderId == "S1" || o.OrderId == "S2")).ToListAsync();
            Assert.All(rewritten, o => Assert.Equal(("", OrderCodec.Hash(o.Compact)), (o.Payload, o.ContentHash)));
        }
    }

    [Fact]
    public async Task A_changed_order_gets_a_new_binary_form_and_keeps_its_previous_version_as_JSON()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[] { Order("S1", "#1001", 50m, date: Day) });
        var before = await (await ws.Http.GetAsync("/api/v1/sources/store/orders/S1")).Json();
        await ws.Http.IngestAsync("store", new[] { Order("S1", "#1001", 45.10m, email: "new@example.com", date: Day) });
        await AssertStoredAsBinaryAsync(factory.Services, ws.WorkspaceId);
        var after = await (await ws.Http.GetAsync("/api/v1/sources/store/orders/S1")).Json();
        Assert.Equal((2, "new@example.com", 45.10m), (after.GetProperty("version").GetInt32(), after.GetProperty("order").Str("customerEmail"),
            after.GetProperty("order").GetProperty("total").GetDecimal()));
        Assert.Equal(before.GetProperty("order").ToString(), after.GetProperty("previousVersions")[0].GetProperty("order").ToString());
    }
}
