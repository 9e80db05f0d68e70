namespace ReconcileApi.Features.Orders;

public static class OrdersApi
{
    public static IEndpointRouteBuilder MapOrders(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("Orders", "Each side's orders in, in canonical JSON or a vendor's own JSON or CSV shape, and what was stored from them.")
            .WithMetadata(OpenApi.EnumParameter<OrderSource>("source"));
        IngestOrders.Map(group);
        GetBatch.Map(group);
        ListOrders.Map(group);
        GetOrder.Map(group);
        return app;
    }

    public static IServiceCollection AddOrders(this IServiceCollection services) => services
        .AddScoped<OrderStore>()
        .AddSingleton<IngestCheckpoints>();
}
