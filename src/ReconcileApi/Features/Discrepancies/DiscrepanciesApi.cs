namespace ReconcileApi.Features.Discrepancies;

public static class DiscrepanciesApi
{
    public static IEndpointRouteBuilder MapDiscrepancies(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("Discrepancies");
        ListDiscrepancies.Map(group);
        GetDiscrepancy.Map(group);
        GetDiscrepancyHistory.Map(group);
        ResolveDiscrepancy.Map(group);
        ResolveDiscrepancies.Map(group);
        return app;
    }

    public static IServiceCollection AddDiscrepancies(this IServiceCollection services) => services.AddScoped<DiscrepancyLifecycle>();
}
