using System.Collections.Concurrent;

namespace ReconcileApi.Engine;

/// <summary>
/// How a run uses the machine; results never depend on it. One value per run, so a test can force every
/// parallel path (<c>ParallelFrom = 1</c>) and the benchmark can measure the prefetch hints (<c>Prefetch = false</c>)
/// without touching other runs.
/// </summary>
/// <param name="ParallelFrom">Below this many items a loop stays on one thread (threads cost more than small loops).</param>
/// <param name="Prefetch">Whether the loops issue <see cref="Engine.Prefetch"/> hints.</param>
/// <param name="KeyPatternBudgetSeconds">What a run may spend in a workspace's own key pattern, all orders together.</param>
internal readonly record struct Tuning(int ParallelFrom, bool Prefetch = true, double KeyPatternBudgetSeconds = 60)
{
    public static Tuning Default { get; } = new(8192);

    public TimeSpan KeyPatternBudget => TimeSpan.FromSeconds(KeyPatternBudgetSeconds);

    /// <summary>Runs <paramref name="body"/> over [0, count) in chunks, on all cores when the work is large enough.</summary>
    public void ForRanges(int count, Action<int, int> body)
    {
        if (count < ParallelFrom)
        {
            body(0, count);
            return;
        }
        Parallel.ForEach(Partitioner.Create(0, count, Math.Max(Math.Max(1, ParallelFrom / 2), count / (Environment.ProcessorCount * 8))), r => body(r.Item1, r.Item2));
    }
}
