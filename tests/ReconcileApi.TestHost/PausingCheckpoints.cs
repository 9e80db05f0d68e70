using ReconcileApi.Features.Orders;
using ReconcileApi.Features.Runs;

namespace ReconcileApi.TestHost;

/// <summary>Holds every run at its checkpoint for a while: long enough to kill the process, or for a second run to catch up.</summary>
public sealed class PausingCheckpoints(TimeSpan pause) : RunCheckpoints
{
    public override Task BeforeMatchingAsync(Guid runId, CancellationToken ct) => Task.Delay(pause, ct);
}

/// <summary>Holds every ingest after its batch is committed, before the answer is sent: long enough to kill the process.</summary>
public sealed class PausingIngestCheckpoints(TimeSpan pause) : IngestCheckpoints
{
    public override Task AfterStoredAsync(Guid batchId, CancellationToken ct) => Task.Delay(pause, ct);
}
