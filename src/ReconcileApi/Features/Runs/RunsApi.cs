using ReconcileApi.Infrastructure;

namespace ReconcileApi.Features.Runs;

public static class RunsApi
{
    public static IEndpointRouteBuilder MapRuns(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("Runs");
        StartRun.Map(group);
        ListRuns.Map(group);
        GetRun.Map(group);
        CancelRun.Map(group);
        ListPendingOrders.Map(group);
        return app;
    }
}
