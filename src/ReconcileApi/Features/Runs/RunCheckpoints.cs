namespace ReconcileApi.Features.Runs;

/// <summary>
/// Points in a run where nothing is saved yet. In the service they do nothing; a test host replaces this
/// service (dependency injection) to hold a run there — e.g. while its process is killed, or while a second
/// run catches up — so production code reads no test settings.
/// </summary>
public class RunCheckpoints
{
    /// <summary>The run's orders are loaded; matching has not started.</summary>
    public virtual Task BeforeMatchingAsync(Guid runId, CancellationToken ct) => Task.CompletedTask;

    /// <summary>The run's results are written in its open transaction; the run is neither completed nor committed.</summary>
    public virtual Task WhileSavingAsync(Guid runId, CancellationToken ct) => Task.CompletedTask;
}
