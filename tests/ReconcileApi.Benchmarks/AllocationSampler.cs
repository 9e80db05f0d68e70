using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace ReconcileApi.Benchmarks;

/// <summary>
/// The runtime's allocation samples (one GCAllocationTick event per ≈100 KB allocated, naming the type that crossed
/// it), counted by type: `engine --alloc-types` prints which types feed the collector during the timed runs.
/// </summary>
sealed class AllocationSampler : EventListener
{
    readonly ConcurrentDictionary<string, long> _bytes = new();
    public bool Recording;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick is verbose
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!Recording || e.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.Payload is null)
            return;
        var type = e.PayloadNames!.IndexOf("TypeName") is var t and >= 0 ? e.Payload[t] as string ?? "?" : "?";
        var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(e.Payload[a]) : 100_000;
        _bytes.AddOrUpdate(type, amount, (_, v) => v + amount);
    }

    public void Print(int runs)
    {
        Console.WriteLine("  allocation samples by type (MB a run, sampled every ≈100 KB):");
        foreach (var (type, bytes) in _bytes.OrderByDescending(kv => kv.Value).Take(25))
            Console.WriteLine($"    {bytes / 1048576.0 / runs,8:F1}  {type}");
    }
}
