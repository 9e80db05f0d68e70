using ReconcileApi.Engine;
using static ReconcileApi.Engine.Tests.Orders;

namespace ReconcileApi.Engine.Tests;

/// <summary>
/// The service accepts money within ±10^12 and quantities within ±10^6 (4 decimal places); on any such values the
/// engine's arithmetic must not throw. Seeded random orders built only from the extremes of those ranges.
/// </summary>
public sealed class ExtremeValueTests
{
    const decimal Money = 1_000_000_000_000m, Quantity = 1_000_000m;
    static readonly decimal[] Amounts = [Money, -Money, 0m, 0.0001m, -0.0001m, 999_999_999_999.9999m, -999_999_999_999.9999m, Money / 3m];
    static readonly decimal[] Quantities = [Quantity, -Quantity, 0m, 0.0001m, 999_999.9999m, -999_999.9999m];
    static readonly string[] Statuses = ["paid", "refunded", "partially_refunded", "unpaid", "PAID", "UNPAID", "draft", "cancelled"];
    static readonly string[] Currencies = ["USD", "EUR", null!];

    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 100)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void OrdersAtTheBoundsOfWhatIsAccepted_NeverMakeTheEngineThrow(int seed)
    {
        var rng = new Random(seed);
        decimal A() => Amounts[rng.Next(Amounts.Length)];
        decimal? N() => rng.Next(4) == 0 ? null : A();
        decimal Q() => Quantities[rng.Next(Quantities.Length)];
        CanonicalOrder Random(CanonicalOrder o) => o with
        {
            Total = A(), Subtotal = N(), Tax = N(), Shipping = N(), Discount = N(), AmountPaid = N(), AmountRefunded = N(),
            Currency = Currencies[rng.Next(Currencies.Length)],
            PresentmentCurrency = rng.Next(3) == 0 ? "CAD" : null, PresentmentTotal = N(),
            TaxesIncluded = rng.Next(3) switch { 0 => true, 1 => false, _ => null },
            Status = Statuses[rng.Next(Statuses.Length)],
            Lines = [.. Enumerable.Range(0, rng.Next(0, 5)).Select(_ => new OrderLine($"SKU{rng.Next(3)}", null, "Item", Q(), A(), N())
            {
                Discount = N(), Tax = N(), OriginalQuantity = rng.Next(3) == 0 ? Q() : null,
            })],
        };

        List<CanonicalOrder> store = [], keap = [];
        for (var i = 0; i < 300; i++)
        {
            var date = T0.AddHours(rng.Next(-48, 48));
            store.Add(Random(Store($"#{1000 + i % 250}", $"S{i}", date)));
            if (rng.Next(5) != 0)
                keap.Add(Random(Keap($"Shopify Order #{1000 + i % 250}", $"K{i}", date.AddHours(rng.Next(-3, 3)))));
        }

        var result = Reconciler.Reconcile(store, keap, ReconcileSettings.Default, new ReconcileWindow(T0.AddDays(-3), T0.AddDays(3)), T0.AddDays(4));

        Assert.NotEmpty(result.Findings);
        Assert.True(result.Impact >= 0);
    }

    [Theory]
    [InlineData("Pacific/Kiritimati", 1, 1, 1, 0)]
    [InlineData("America/New_York", 9999, 12, 31, 23)]
    public void AWallClockOffTheCalendarInItsZone_IsNotConverted_AndHeldAtTheEdgeWhereBounded(string zoneId, int year, int month, int day, int hour)
    {
        Assert.True(TimeZones.TryFind(zoneId, out var zone));
        var wallClock = new DateTime(year, month, day, hour, 0, 0);

        Assert.False(TimeZones.TryToUtc(wallClock, zone, out _));
        Assert.Equal(year == 1 ? DateTime.MinValue.Ticks : DateTime.MaxValue.Ticks, TimeZones.ToUtc(wallClock, zone).Ticks);
        Assert.True(TimeZones.TryToUtc(wallClock, TimeZoneInfo.Utc, out var utc));
        Assert.Equal(wallClock.Ticks, utc.Ticks);
    }
}
