namespace ReconcileApi.Features.Orders;

public static class OrdersApi
{
    public static IEndpointRouteBuilder MapOrders(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("Orders")
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
