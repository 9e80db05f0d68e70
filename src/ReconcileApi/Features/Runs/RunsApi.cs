namespace ReconcileApi.Features.Runs;

public static class RunsApi
{
    /// <summary>The run job and its checkpoints (Hangfire resolves the job from the request scope's container).</summary>
    public static IServiceCollection AddRuns(this IServiceCollection services) => services
        .AddScoped<ReconcileRunJob>()
        .AddScoped<RunStarter>()
        .AddScoped<RunNotifications>()
        .AddSingleton<RunCheckpoints>();

    public static IEndpointRouteBuilder MapRuns(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("Runs", "Reconciliations of a window of stored orders, in the background: start, poll, cancel, list, and the orders a run left pending.");
        StartRun.Map(group);
        ListRuns.Map(group);
        GetRun.Map(group);
        CancelRun.Map(group);
        ListPendingOrders.Map(group);
        return app;
    }
}
