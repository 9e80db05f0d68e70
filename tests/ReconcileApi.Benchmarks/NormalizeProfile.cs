using System.Diagnostics;
using ReconcileApi.Engine;

namespace ReconcileApi.Benchmarks;

/// <summary>Times each part of normalization on one thread, to see where a run's first phase goes.</summary>
internal static class NormalizeProfile
{
    /// <param name="encoded">The Keap orders in their binary form (<c>--encoded</c>): their normalize pass is timed read
    /// as facts from the bytes and, for comparison, decoded into orders first.</param>
    public static void Run(SyntheticDataset data, ReconcileApi.Features.Orders.EncodedOrders? encoded)
    {
        var settings = ReconcileSettings.Default;
        var lines = new LineComparison(settings);
        var keys = new OrderKeyPattern(settings.KeapKeyPattern);
        var statuses = new StatusMap(OrderSource.Keap, null);
        var normalizer = new Normalizer(OrderSource.Keap, settings, TimeZoneInfo.Utc, lines, Tuning.Default);
        var orders = data.Keap;
        for (var rep = 0; rep < 3; rep++)
        {
            var parts = new List<string>();
            long sink = 0;
            Time("touch", () => { foreach (var o in orders) sink += o.OrderId.Length; });
            Time("key", () => { foreach (var o in orders) sink += (long)keys.Fingerprint(o.OrderNumber).A; });
            Time("email", () => { foreach (var o in orders) sink += (long)Fingerprint.OfFolded(o.CustomerEmail).A; });
            Time("lines", () => { foreach (var o in orders) sink += (long)lines.Fingerprint(o.Lines, OrderSource.Keap); });
            Time("status", () => { foreach (var o in orders) sink += (int)(statuses.Map(o) ?? 0); });
            Time("all", () => { foreach (var o in orders) sink += normalizer.Normalize(o).Ticks; });
            var small = orders.Take(10_000).ToList();
            Time("status-10k-x100", () => { for (var r = 0; r < 100; r++) foreach (var o in small) sink += (int)(statuses.Map(o) ?? 0); });
            Time("key-10k-x100", () => { for (var r = 0; r < 100; r++) foreach (var o in small) sink += (long)keys.Fingerprint(o.OrderNumber).A; });
            Time("email-10k-x100", () => { for (var r = 0; r < 100; r++) foreach (var o in small) sink += (long)Fingerprint.OfFolded(o.CustomerEmail).A; });
            Time("lines-10k-x100", () => { for (var r = 0; r < 100; r++) foreach (var o in small) sink += (long)lines.Fingerprint(o.Lines, OrderSource.Keap); });
            Time("all-10k-x100", () => { for (var r = 0; r < 100; r++) foreach (var o in small) sink += normalizer.Normalize(o).Ticks; });
            Time("all-parallel", () => sink += normalizer.NormalizeAll(orders).Length);
            if (encoded is not null)
            {
                var gcs = GC.CollectionCount(0);
                Time("encoded-parallel", () => sink += normalizer.NormalizeAll(encoded).Length);
                parts[^1] += $" ({GC.CollectionCount(0) - gcs} gen-0 GCs)";
                gcs = GC.CollectionCount(0);
                Time("encoded-decoded-parallel", () => sink += normalizer.NormalizeAll(new Decoding(encoded)).Length);
                parts[^1] += $" ({GC.CollectionCount(0) - gcs} gen-0 GCs)";
            }
            Console.WriteLine($"  normalize {orders.Count:N0} Keap orders, one thread (ms): {string.Join(", ", parts)} ({sink % 10})");

            void Time(string name, Action body)
            {
                var sw = Stopwatch.StartNew();
                body();
                parts.Add($"{name} {sw.Elapsed.TotalMilliseconds:F0}");
            }
        }
    }

    /// <summary>The encoded orders seen only as a list, so the engine decodes each order it reads.</summary>
    sealed class Decoding(ReconcileApi.Features.Orders.EncodedOrders orders) : IReadOnlyList<CanonicalOrder>
    {
        public CanonicalOrder this[int index] => orders[index];
        public int Count => orders.Count;
        public IEnumerator<CanonicalOrder> GetEnumerator() => orders.GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
