using ReconcileApi.Engine;
using static ReconcileApi.Engine.Tests.Orders;

namespace ReconcileApi.Engine.Tests;

public sealed class WindowAndPendingTests
{
    [Fact]
    public void StoreOrder_IsPendingNotMissing_WhenYoungerThanTheSettleTimeAtTheCutoff()
    {
        var result = Reconciler.Reconcile([Store(date: T0)], [], ReconcileSettings.Default, asOf: T0.AddMinutes(30));

        Assert.Empty(result.Findings);
        var pending = Assert.Single(result.PendingOrders);
        Assert.Equal((OrderSource.Store, "S1001", "1001", T0), (pending.Source, pending.OrderId, pending.OrderKey, pending.OrderDate));
    }

    [Fact]
    public void TheOtherSidesNewestOrder_DoesNotMoveTheCutoff()
    {
        // Keap's newest order is two days old; the store order is a day old: missing, not pending.
        var result = Reconciler.Reconcile([Store(date: T0)], [Keap("Shopify Order #0999", "K0999", T0.AddDays(-1))], ReconcileSettings.Default with { FuzzyMatching = false }, asOf: T0.AddDays(1));

        Assert.Equal(Category.MissingInKeap, Single(result.Findings, Category.MissingInKeap).Category);
        Assert.Empty(result.PendingOrders);
    }

    [Fact]
    public void KeapOrder_IsMissing_WhenOlderThanSettleTime()
    {
        var result = Reconcile([Store("#9999", "S9999", T0.AddMinutes(90))], [Keap(date: T0), Keap("Shopify Order #9999", "K9999", T0.AddMinutes(90))]);

        Assert.Equal(Category.MissingInStore, Assert.Single(result.Findings).Category);
        Assert.Equal(0, result.Pending);
    }

    [Fact]
    public void Window_ReportsOnlyFindingsWhoseStoreDateIsInside()
    {
        var window = new ReconcileWindow(T0, T0.AddDays(1));
        var before = Store("#1000", "S1000", T0.AddHours(-2));
        var inside = Store("#1001", "S1001", T0.AddHours(1));
        var keapBefore = Keap("Shopify Order #1000", "K1000", T0.AddHours(-2)) with { Total = 1m };
        var keapInside = Keap("Shopify Order #1001", "K1001", T0.AddHours(1)) with { Total = 1m };

        var result = Reconcile([before, inside], [keapBefore, keapInside], ReconcileSettings.Default, window);

        Assert.Equal("1001", Assert.Single(result.Findings).OrderKey);
        Assert.Equal(1, result.StoreOrders);
        Assert.Equal(1, result.Matched);
    }

    [Fact]
    public void Window_PairStraddlingTheEdge_IsMatchedNotMissing()
    {
        var window = new ReconcileWindow(T0, T0.AddDays(1));
        var store = Store(date: T0.AddMinutes(10));
        var keap = Keap(date: T0.AddMinutes(-10));
        var later = LaterPair();

        var result = Reconcile([store, later.Store], [keap, later.Keap], ReconcileSettings.Default, window);

        Assert.Empty(result.Findings);
        Assert.Equal(1, result.Matched);
    }

    [Fact]
    public void Window_KeapOnlyOrder_IsReportedByItsKeapDate()
    {
        var window = new ReconcileWindow(T0, T0.AddDays(1));
        var later = LaterPair();
        var keapOnlyInside = Keap("Shopify Order #1005", "K1005", T0.AddHours(3));
        var keapOnlyOutside = Keap("Shopify Order #1006", "K1006", T0.AddHours(-3));

        var result = Reconcile([later.Store], [keapOnlyInside, keapOnlyOutside, later.Keap], ReconcileSettings.Default with { FuzzyMatching = false }, window);

        Assert.Equal("K1005", Assert.Single(result.Findings).KeapOrderId);
    }

    [Fact]
    public void Window_ReportsADuplicate_ByTheExtraRecordsDate()
    {
        var window = new ReconcileWindow(T0, T0.AddDays(1));
        var copyInside = Store(id: "S1001b", date: T0.AddMinutes(5));
        var copyOutside = Store(id: "S1001c", date: T0.AddDays(2));

        var result = Reconcile([Store(), copyInside, copyOutside], [Keap()], ReconcileSettings.Default, window);

        Assert.Equal("S1001b", Assert.Single(result.Findings).DuplicateOrderId);
    }

    [Fact]
    public void Dates_OfEveryKind_AreComparedAsInstants()
    {
        var settings = ReconcileSettings.Default with { DateToleranceHours = 0.5 };
        var local = T0.ToLocalTime();
        var berlinWallClock = new DateTime(2026, 10, 1, 14, 0, 0, DateTimeKind.Unspecified); // CEST, UTC+2

        Assert.Empty(Reconcile([Store(date: local)], [Keap(date: T0)], settings).Findings);
        Assert.Empty(Reconcile([Store(date: berlinWallClock)], [Keap(date: T0)], settings with { Timezone = "Europe/Berlin" }).Findings);
    }

    [Fact]
    public void Days_CutTheWindowInTheZonesLocalDays_AndAddUpToTheRun()
    {
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        DateTime Local(int day, int hour) => TimeZoneInfo.ConvertTimeToUtc(new DateTime(2026, 10, day, hour, 0, 0), newYork);
        // 1 October 23:00 New York is 2 October in UTC; the 1003 pair sits on 2 October, 1002 never reached Keap.
        var store = new[] { Store("#1001", "S1", Local(1, 10)), Store("#1002", "S2", Local(1, 23)), Store("#1003", "S3", Local(2, 9)) };
        var keap = new[] { Keap("Shopify Order #1001", "K1", Local(1, 10)), Keap("Shopify Order #1003", "K3", Local(2, 9)) };
        var window = new ReconcileWindow(Local(1, 0), Local(3, 0), newYork);

        var result = Reconciler.Reconcile(store, keap, ReconcileSettings.Default with { FuzzyMatching = false }, window, asOf: Local(5, 0));

        Assert.Equal([new DateOnly(2026, 10, 1), new DateOnly(2026, 10, 2)], result.Days.Select(d => d.Date));
        var (first, second) = (result.Days[0], result.Days[1]);
        Assert.Equal((2, 1, 1, 1, true), (first.StoreOrders, first.KeapOrders, first.Matched, first.MissingInKeap, first.Complete));
        Assert.Equal((1, 1, 1, 0, true), (second.StoreOrders, second.KeapOrders, second.Matched, second.MissingInKeap, second.Complete));
        Assert.Equal(result.StoreOrders, result.Days.Sum(d => d.StoreOrders));
        Assert.Equal(result.StoreRevenue, result.Days.Sum(d => d.StoreRevenue));
        Assert.Equal(result.Matched, result.Days.Sum(d => d.Matched));
        Assert.Equal(result.MatchRate, Math.Round((decimal)result.Days.Sum(d => d.Matched) / result.Days.Sum(d => d.Matched + d.MissingInKeap), 4));

        // A window that starts at noon covers part of its first day; no window, no days.
        var partial = Reconciler.Reconcile(store, keap, ReconcileSettings.Default, window with { From = Local(1, 12) }, asOf: Local(5, 0));
        Assert.False(partial.Days[0].Complete);
        Assert.Empty(Reconciler.Reconcile(store, keap, ReconcileSettings.Default).Days);
    }

    [Fact]
    public void RunImpact_CountsEachOrdersMoneyOnce_WhenSeveralFindingsConcernIt()
    {
        // Keap has 60 of 100, unpaid, on another day: the amount, the status and the date differ — one order's money at stake.
        var keap = Keap() with { Total = 60m, AmountPaid = 0m, Status = "UNPAID", OrderDate = T0.AddDays(3) };
        var result = Reconciler.Reconcile([Store()], [keap], ReconcileSettings.Default);

        Assert.True(result.Findings.Count >= 2, string.Join(", ", result.Findings.Select(f => f.Category)));
        Assert.True(result.Findings.Sum(f => f.Impact) > result.Impact, string.Join(", ", result.Findings.Select(f => $"{f.Category} {f.Impact}")));
        Assert.Equal(result.Findings.Max(f => f.Impact), result.Impact);
        Assert.True(result.Impact <= 100m);
    }
}
