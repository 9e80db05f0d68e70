namespace ReconcileApi.Features.Orders;

/// <summary>
/// Where an ingest can be held for a test, through DI (tests/ReconcileApi.TestHost replaces it): after its batch
/// is committed and before the answer is sent — the moment a crash must not lose a retry's answer.
/// </summary>
public class IngestCheckpoints
{
    public virtual Task AfterStoredAsync(Guid batchId, CancellationToken ct) => Task.CompletedTask;
}
