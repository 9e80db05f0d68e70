namespace ReconcileApi.Features.Metrics;

public static class MetricsApi
{
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("Metrics", "Per-day orders, revenue, match rate and findings, and findings by cause, over days of the workspace's time zone.");
        GetDailyMetrics.Map(group);
        GetCauseMetrics.Map(group);
        return app;
    }
}
