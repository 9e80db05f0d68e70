using System.Text.Json;
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
            AssertFactsAsDecoded(row.Compact);
        }
    }

    /// <summary>
    /// What a run's normalize pass reads from the binary form (<see cref="OrderCodec.Facts"/>, which skips what it does
    /// not need) is what the decoded order says: amounts with their scale, dates with their kind, the very lines.
    /// </summary>
    internal static void AssertFactsAsDecoded(byte[] encoded)
    {
        static string Describe(OrderFacts f) => string.Join(" | ", f.OrderNumber.ToString(), f.CustomerEmail.ToString(), f.Currency, f.Status,
            f.OrderDate?.Ticks, f.OrderDate?.Kind, f.Total, f.AmountPaid, f.AmountRefunded, string.Join(", ", f.Lines));
        var scratch = new FactsScratch { Text = new char[1] };
        var facts = OrderCodec.Facts(encoded, scratch);
        var decoded = OrderCodec.Decode(encoded);
        Assert.Equal(Describe(OrderFacts.Of(decoded)), Describe(facts));

        // Read as the normalize pass reads them: each line's facts straight from the bytes, into the printer.
        static ulong Print(in LineFacts l) =>
            (ulong)(uint)string.Join("|", l.Kind, l.Sku.ToString(), l.Name.ToString(), l.Quantity, l.UnitPrice).GetHashCode() * 0x9E3779B97F4A7C15UL;
        var printing = new FactsScratch { Text = new char[1], LineText = new char[1], PrintLine = Print };
        var printed = OrderCodec.Facts(encoded, printing);
        Assert.Equal(decoded.Lines.Aggregate(0UL, (sum, l) => sum + Print(LineFacts.Of(l))), printed.LinesPrint);
        Assert.Empty(printed.Lines);
        Assert.Equal(Describe(OrderFacts.Of(decoded with { Lines = [] })), Describe(printed));
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
        AssertFactsAsDecoded(OrderCodec.Encode(order));
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
        {
            Assert.Equal(OrderJson.Serialize(orders[i]), OrderJson.Serialize(OrderCodec.Decode(encoded[i])));
            if (i % 97 == 0)
                AssertFactsAsDecoded(encoded[i]);
        }
        var (a, b) = (OrderCodec.Decode(encoded[0]), OrderCodec.Decode(encoded[6]));
        Assert.Same(a.Lines[2], b.Lines[2]);
        Assert.Same(a.Status, b.Status);
        Assert.NotSame(a.OrderId, OrderCodec.Decode(encoded[0]).OrderId);
    }

    /// <summary>
    /// A run over its orders in their binary form (normalized from their bytes, <see cref="OrderFacts"/>) finds exactly what
    /// a run over the same orders as objects finds: every kind of difference, keys by the default patterns and by a
    /// workspace's own, texts beyond the scratch's first room, unicode emails, refunds, orders without a number or a date.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_run_over_the_binary_form_finds_what_a_run_over_the_orders_finds(bool ownPatterns)
    {
        var rng = new Random(13);
        var day = new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        var store = new List<CanonicalOrder>();
        var keap = new List<CanonicalOrder>();
        for (var i = 0; i < 4_000; i++)
        {
            var lines = new OrderLine[] { new($"SKU-{i % 40}", null, $"Product {i % 40}", 1 + i % 3, 9.99m), new(null, null, "Shipping", 1, 5m, Kind: LineKind.Shipping) };
            var total = lines.Sum(l => l.Quantity * l.UnitPrice);
            var o = new CanonicalOrder
            {
                OrderId = $"gid://shopify/Order/{i}",
                OrderNumber = i % 250 == 0 ? null : $"#{1000 + i}",
                CustomerEmail = i % 9 == 0 ? $"Zoë.{i}@Exämple.com" : $"buyer{i}@example.com" + new string(' ', i % 300),
                CustomerName = "Buyer " + i,
                OrderDate = i % 333 == 0 ? null : day.AddMinutes(i * 7),
                Currency = i % 5 == 0 ? "EUR" : "USD",
                Total = total,
                AmountPaid = i % 4 == 0 ? total : null,
                AmountRefunded = i % 17 == 0 ? 5m : null,
                Status = (i % 6) switch { 0 => "paid", 1 => "refunded", 2 => "partially_refunded", 3 => "pending", 4 => "voided", _ => "PAID " },
                Platform = "shopify",
                Lines = lines,
            };
            store.Add(o);
            var k = (rng.Next(12)) switch
            {
                0 => null,
                1 => o with { Total = o.Total + 1 },
                2 => o with { Status = "UNPAID", AmountPaid = 0m },
                3 => o with { CustomerEmail = "other@example.com" },
                4 => o with { Lines = [lines[0] with { Quantity = lines[0].Quantity + 1 }, lines[1]] },
                5 => o with { Currency = "GBP" },
                6 => o with { OrderDate = o.OrderDate?.AddDays(3) },
                _ => o,
            };
            if (k is not null)
                keap.Add(k with { OrderId = $"{50_000 + i}", OrderNumber = o.OrderNumber is null ? null : "Shopify Order " + o.OrderNumber, Status = k.Status?.ToUpperInvariant() });
        }
        var settings = ownPatterns
            ? ReconcileSettings.Default with { StoreKeyPattern = @"#(\d+)", KeapKeyPattern = @"Order #(\d+)" }
            : ReconcileSettings.Default;
        EncodedOrders Encoded(List<CanonicalOrder> orders)
        {
            var list = new EncodedOrders();
            orders.ForEach(o => list.Add(OrderCodec.Encode(o)));
            return list;
        }
        var window = new ReconcileWindow(day, day.AddDays(40));
        var asObjects = Reconciler.Reconcile(store, keap, settings, window, day.AddDays(60));
        var asBinary = Reconciler.Reconcile(Encoded(store), Encoded(keap), settings, window, day.AddDays(60));
        Assert.True(asObjects.Findings.Count > 1_000, $"{asObjects.Findings.Count} findings");
        Assert.Equal(JsonSerializer.Serialize(asObjects), JsonSerializer.Serialize(asBinary));
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
