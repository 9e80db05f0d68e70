using ReconcileApi.Features.Runs;

namespace ReconcileApi.TestHost;

/// <summary>Holds every run at its checkpoint for a while: long enough to kill the process, or for a second run to catch up.</summary>
public sealed class PausingCheckpoints(TimeSpan pause) : RunCheckpoints
{
    public override Task BeforeMatchingAsync(Guid runId, CancellationToken ct) => Task.Delay(pause, ct);
}
