namespace ReconcileApi.Features.Metrics;

public static class MetricsApi
{
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("Metrics");
        GetDailyMetrics.Map(group);
        GetCauseMetrics.Map(group);
        return app;
    }
}
