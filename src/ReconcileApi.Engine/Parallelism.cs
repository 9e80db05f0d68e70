using System.Collections.Concurrent;

namespace ReconcileApi.Engine;

/// <summary>
/// How a reconciliation spreads its loops over the cores: below <see cref="From"/> items a loop stays on one
/// thread (threads cost more than small loops). One value per run, so a test can force every parallel path
/// (<c>From = 1</c>) without touching other runs; results never depend on it.
/// </summary>
internal readonly record struct Parallelism(int From)
{
    public static Parallelism Default { get; } = new(8192);

    /// <summary>Runs <paramref name="body"/> over [0, count) in chunks, on all cores when the work is large enough.</summary>
    public void ForRanges(int count, Action<int, int> body)
    {
        if (count < From)
        {
            body(0, count);
            return;
        }
        Parallel.ForEach(Partitioner.Create(0, count, Math.Max(Math.Max(1, From / 2), count / (Environment.ProcessorCount * 8))), r => body(r.Item1, r.Item2));
    }
}
