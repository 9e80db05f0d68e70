namespace ReconcileApi.Features.Discrepancies;

public static class DiscrepanciesApi
{
    public static IEndpointRouteBuilder MapDiscrepancies(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("Discrepancies", "What runs found, tracked until resolved: list, filter, export as CSV, resolve one or many, read the history.")
            // What the list reads from its text parameters (ContractTests checks each one is accepted).
            .WithParameterValues("state", "DiscrepancyStateFilter", [.. WireEnum.Values<DiscrepancyState>(), "all"], list: true)
            .WithMetadata(OpenApi.EnumParameter<Category>("category", list: true))
            .WithMetadata(OpenApi.EnumParameter<Severity>("severity", list: true))
            .WithParameterValues("sort", "DiscrepancySort", ["-detectedAt", "-impact", "severity", "-id"])
            .WithParameterValues("format", "ListFormat", ["json", "csv"]);
        ListDiscrepancies.Map(group);
        GetDiscrepancy.Map(group);
        GetDiscrepancyHistory.Map(group);
        ResolveDiscrepancy.Map(group);
        ResolveDiscrepancies.Map(group);
        return app;
    }

    public static IServiceCollection AddDiscrepancies(this IServiceCollection services) => services.AddScoped<DiscrepancyLifecycle>();
}
