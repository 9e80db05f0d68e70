namespace ReconcileApi.Features.Alerts;

public static class AlertsApi
{
    public static IServiceCollection AddAlerts(this IServiceCollection services) => services
        .AddScoped<AlertEvaluator>()
        .AddScoped<SilenceCheckJob>()
        .AddSingleton<SilenceWatch>();

    public static IEndpointRouteBuilder MapAlerts(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("Alerts", "Alert rules checked after runs and ingests, and the alerts they open until their condition clears.")
            .WithMetadata(OpenApi.EnumParameter<AlertStatus>("status"));
        AlertRules.Map(group);
        ListAlerts.Map(group);
        AcknowledgeAlert.Map(group);
        return app;
    }
}
