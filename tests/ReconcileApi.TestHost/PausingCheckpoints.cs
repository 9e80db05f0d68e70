using ReconcileApi.Features.Orders;
using ReconcileApi.Features.Runs;

namespace ReconcileApi.TestHost;

/// <summary>
/// Holds every run at its checkpoints for a while: long enough to kill the process, or for a second run to catch up;
/// <paramref name="whileSaving"/> holds it with its results written in its open transaction (and says so on stdout).
/// </summary>
public sealed class PausingCheckpoints(TimeSpan pause, TimeSpan whileSaving = default) : RunCheckpoints
{
    public override Task BeforeMatchingAsync(Guid runId, CancellationToken ct) => Task.Delay(pause, ct);

    public override Task WhileSavingAsync(Guid runId, CancellationToken ct)
    {
        if (whileSaving <= TimeSpan.Zero)
            return Task.CompletedTask;
        Console.WriteLine($"Run {runId} holds while saving");
        return Task.Delay(whileSaving, ct);
    }
}

/// <summary>Holds every ingest after its batch is committed, before the answer is sent: long enough to kill the process.</summary>
public sealed class PausingIngestCheckpoints(TimeSpan pause) : IngestCheckpoints
{
    public override Task AfterStoredAsync(Guid batchId, CancellationToken ct) => Task.Delay(pause, ct);
}
