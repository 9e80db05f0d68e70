namespace ReconcileApi.Features.Orders;

public static class OrdersApi
{
    public static IEndpointRouteBuilder MapOrders(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("Orders")
            .WithParameterValues("source", WireEnum.Values<OrderSource>());
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
