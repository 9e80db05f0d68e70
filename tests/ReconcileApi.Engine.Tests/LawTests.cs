using ReconcileApi.Engine;
using static ReconcileApi.Engine.Tests.Orders;

namespace ReconcileApi.Engine.Tests;

/// <summary>Laws that hold for any data, checked on seeded random datasets (deterministic, fast).</summary>
public sealed class LawTests
{
    const int Runs = 40;
    static readonly string[] Statuses = ["paid", "unpaid", "refunded", "partially_paid", "cancelled", "draft"];

    /// <summary>
    /// Random store orders and Keap orders with overlapping references, random differences, emails
    /// from a small pool (so the fuzzy pass has work), keyless orders and duplicates.
    /// </summary>
    static (List<CanonicalOrder> Store, List<CanonicalOrder> Keap) Dataset(int seed, bool duplicates = true, bool keyless = true, string[]? statuses = null)
    {
        statuses ??= Statuses;
        var rng = new Random(seed);
        var n = rng.Next(5, 60);
        List<CanonicalOrder> store = [], keap = [];
        for (var i = 0; i < n; i++)
        {
            var key = (1000 + rng.Next(duplicates ? n + n / 4 : 10_000)).ToString();
            if (!duplicates && (store.Any(o => o.OrderNumber == "#" + key) || keap.Any(o => o.OrderNumber == "#" + key)))
                continue;
            var date = T0.AddHours(rng.Next(0, 24 * 20)).AddMinutes(rng.Next(60));
            var o = Store("#" + key, $"S{i}", date) with
            {
                CustomerEmail = $"c{rng.Next(8)}@example.com",
                Total = rng.Next(1, 500),
                Status = statuses[rng.Next(statuses.Length)],
                AmountPaid = null,
                AmountRefunded = null,
                Lines = [Line($"SKU{rng.Next(5)}", rng.Next(1, 4), rng.Next(1, 50))],
            };
            if (rng.Next(10) == 0 && keyless)
                o = o with { OrderNumber = null };
            var side = rng.Next(3);
            if (side != 1)
                store.Add(o);
            if (side != 0)
            {
                var k = o with { OrderId = $"K{i}", OrderNumber = rng.Next(10) == 0 ? null : "#" + key };
                if (rng.Next(4) == 0) k = k with { Total = k.Total + rng.Next(1, 30) };
                if (rng.Next(6) == 0) k = k with { OrderDate = date.AddHours(rng.Next(-40, 40)) };
                if (rng.Next(6) == 0) k = k with { Status = statuses[rng.Next(statuses.Length)] };
                if (rng.Next(8) == 0) k = k with { CustomerEmail = $"c{rng.Next(8)}@example.com" };
                keap.Add(k);
            }
        }
        return (store, keap);
    }

    static List<string> Identities(ReconciliationResult r) => r.Findings.Select(f => f.IdentityKey).Order(StringComparer.Ordinal).ToList();

    /// <summary>The same settings for both sides, so that swapping them is meaningful.</summary>
    static readonly ReconcileSettings Symmetric = ReconcileSettings.Default with
    {
        StatusMap = new Dictionary<OrderSource, IReadOnlyDictionary<string, PaymentState>>(),
    };

    /// <summary>
    /// Among orders both sides should have (never-paid store orders and Keap drafts are each side's own,
    /// so they are left out here), swapping the sides swaps what is missing where.
    /// </summary>
    [Fact]
    public void SwappingSides_SwapsMissingInStoreAndMissingInKeap()
    {
        for (var seed = 0; seed < Runs; seed++)
        {
            var (store, keap) = Dataset(seed, statuses: ["paid", "unpaid", "refunded", "partially_paid"]);
            var forward = Reconciler.Reconcile(store, keap, Symmetric);
            var backward = Reconciler.Reconcile(keap, store, Symmetric);

            static List<string> Missing(ReconciliationResult r, Category c) =>
                r.Findings.Where(f => f.Category == c).Select(f => f.OrderKey.Replace("store-id:", "").Replace("keap-id:", "")).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(Missing(forward, Category.MissingInKeap), Missing(backward, Category.MissingInStore));
            Assert.Equal(Missing(forward, Category.MissingInStore), Missing(backward, Category.MissingInKeap));
            Assert.Equal(forward.Matched, backward.Matched);
            Assert.Equal(forward.Pending, backward.Pending);
        }
    }

    /// <summary>Every order carries a reference: one without can only ever be a probable match for a person to confirm.</summary>
    [Fact]
    public void DatasetReconciledWithItself_HasNoFindings()
    {
        for (var seed = 0; seed < Runs; seed++)
        {
            var (store, _) = Dataset(seed, duplicates: false, keyless: false);

            var result = Reconciler.Reconcile(store, store, ReconcileSettings.Default);

            Assert.True(result.Findings.Count == 0, $"seed {seed}: {string.Join(", ", Identities(result))}");
            Assert.Equal(store.Count, result.Matched);
        }
    }

    [Fact]
    public void ShufflingInput_ChangesNothing()
    {
        for (var seed = 0; seed < Runs; seed++)
        {
            var (store, keap) = Dataset(seed);
            var rng = new Random(seed);
            var expected = Reconciler.Reconcile(store, keap, ReconcileSettings.Default);

            var shuffled = Reconciler.Reconcile(store.OrderBy(_ => rng.Next()).ToList(), keap.OrderBy(_ => rng.Next()).ToList(), ReconcileSettings.Default);

            Assert.Equal(expected.Findings.Select(Describe), shuffled.Findings.Select(Describe));
            Assert.Equal((expected.Matched, expected.Pending), (shuffled.Matched, shuffled.Pending));
        }
    }

    [Fact]
    public void NoRecord_IsPairedTwice_AndEveryRecordIsAccountedFor()
    {
        for (var seed = 0; seed < Runs; seed++)
        {
            var (store, keap) = Dataset(seed);

            var r = Reconciler.Reconcile(store, keap, ReconcileSettings.Default);

            var probable = r.Findings.Where(f => f.Category == Category.ProbableMatch).ToList();
            Assert.Equal(probable.Count, probable.Select(f => f.StoreOrderId).Distinct().Count());
            Assert.Equal(probable.Count, probable.Select(f => f.KeapOrderId).Distinct().Count());
            var missingStore = r.Findings.Count(f => f.Category == Category.MissingInKeap);
            var dupStore = r.Findings.Count(f => f.Category == Category.DuplicateInStore);
            var pendingStore = r.PendingOrders.Count(p => p.Source == OrderSource.Store);
            Assert.Equal(store.Count, r.Matched + missingStore + dupStore + pendingStore + r.NotExpectedInKeap);
            var missingKeap = r.Findings.Count(f => f.Category == Category.MissingInStore);
            var dupKeap = r.Findings.Count(f => f.Category == Category.DuplicateInKeap);
            Assert.Equal(keap.Count, r.Matched + missingKeap + dupKeap + (r.Pending - pendingStore) + r.NotExpectedInStore);
        }
    }

    [Fact]
    public void ParallelAndPartitionedPaths_GiveTheSameResult()
    {
        for (var seed = 0; seed < Runs; seed++)
        {
            var (store, keap) = Dataset(seed);
            var serial = Reconciler.Reconcile(store, keap, ReconcileSettings.Default);
            // Every range split, several index partitions, the parallel sort: what a million-order run does.
            var parallel = Reconciler.Reconcile(store, keap, ReconcileSettings.Default, new Tuning(ParallelFrom: 1));

            Assert.Equal(serial.Findings.Select(Describe), parallel.Findings.Select(Describe));
            Assert.Equal((serial.Matched, serial.Pending), (parallel.Matched, parallel.Pending));
        }
    }

    static string Describe(Finding f) =>
        $"{f.IdentityKey}|{f.Severity}|{f.Impact}|{f.StoreOrderId}|{f.KeapOrderId}|{f.Cause.Code}|{f.Cause.Explanation}|{f.StoreValue}|{f.KeapValue}|{f.MatchScore}";
}
