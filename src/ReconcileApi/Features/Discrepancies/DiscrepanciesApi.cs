namespace ReconcileApi.Features.Discrepancies;

public static class DiscrepanciesApi
{
    public static IEndpointRouteBuilder MapDiscrepancies(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("Discrepancies")
            // What the list reads from its text parameters (ContractTests checks each one is accepted).
            .WithParameterValues("state", [.. WireEnum.Values<DiscrepancyState>(), "all"], list: true)
            .WithParameterValues("category", WireEnum.Values<Category>(), list: true)
            .WithParameterValues("severity", WireEnum.Values<Severity>(), list: true)
            .WithParameterValues("sort", ["-detectedAt", "-impact", "severity", "-id"])
            .WithParameterValues("format", ["json", "csv"]);
        ListDiscrepancies.Map(group);
        GetDiscrepancy.Map(group);
        GetDiscrepancyHistory.Map(group);
        ResolveDiscrepancy.Map(group);
        ResolveDiscrepancies.Map(group);
        return app;
    }

    public static IServiceCollection AddDiscrepancies(this IServiceCollection services) => services.AddScoped<DiscrepancyLifecycle>();
}
