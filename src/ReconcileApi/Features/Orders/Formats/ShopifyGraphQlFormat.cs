namespace ReconcileApi.Features.Orders.Formats;

/// <summary>
/// Shopify GraphQL Admin API <c>Order</c> objects — the REST API is legacy and new public apps must use GraphQL — read by
/// <see cref="ShopifyOrderReader"/> with <see cref="ShopifyFields.GraphQl"/>, so an order gives the canonical order its REST
/// object gives: the body of an <c>orders</c> query (<c>{"data": {"orders": {"edges": [{"node": …}]}}}</c> or <c>nodes</c>),
/// the connection or list a Make.com or Zapier step passes on, or one order (an <c>order</c> query). Money is the
/// MoneyBag's <c>shopMoney</c> (<c>presentmentMoney</c> is the buyer's currency), ids are <c>legacyResourceId</c> or the number
/// in the <c>gid://shopify/Order/…</c> id, <c>displayFinancialStatus</c> (PARTIALLY_REFUNDED) is the REST status name.
/// </summary>
public sealed class ShopifyGraphQlFormat : IJsonOrderFormat
{
    public string Name => "shopify-graphql";

    public string OrderIdField => "legacyResourceId";

    /// <summary>An <c>orders</c> or <c>order</c> query's response, its <c>data</c> or connection alone, or the orders as a list.</summary>
    public IReadOnlyList<string> WrapperProperties { get; } =
    [
        "data.orders.edges.node", "data.orders.nodes", "data.order", "orders.edges.node", "orders.nodes", "orders", "order", "edges.node", "nodes",
    ];

    /// <summary>MoneyBag totals and fields no other shape has: a GraphQL order is one even beside its <c>createdAt</c>, <c>updatedAt</c> and <c>taxesIncluded</c>, which canonical orders have too.</summary>
    public IReadOnlyList<string> Marks { get; } =
    [
        "legacyResourceId", "displayFinancialStatus", "displayFulfillmentStatus", "presentmentCurrencyCode", "totalPriceSet", "currentTotalPriceSet",
        "originalTotalPriceSet", "subtotalPriceSet", "currentSubtotalPriceSet", "totalTaxSet", "currentTotalTaxSet", "totalDiscountsSet",
        "currentTotalDiscountsSet", "totalShippingPriceSet", "totalRefundedSet", "totalOutstandingSet", "totalReceivedSet",
        // A connection's edge sent as a record of its own ({"cursor": …, "node": {…}}).
        "node",
    ];

    /// <summary>The Order object's fields (https://shopify.dev/docs/api/admin-graphql/latest/objects/Order).</summary>
    public IReadOnlyList<string> Signature { get; }

    public ShopifyGraphQlFormat() => Signature = [.. Marks, "lineItems", "shippingLines", "processedAt", "cancelledAt", "currencyCode", "discountCodes"];

    /// <summary>
    /// An order, or an edge of a connection passed on as it is — a Make or Zapier step that maps <c>data.orders.edges</c> into the
    /// body sends <c>[{"cursor": …, "node": {…}}]</c> —, whose order is its <c>node</c>.
    /// </summary>
    public ReadOrder Read(JsonElement element, FormatContext context) =>
        ShopifyOrderReader.Read(element.ValueKind == JsonValueKind.Object && element.TryGetProperty("node", out var node) && node.ValueKind == JsonValueKind.Object ? node : element,
            context, ShopifyFields.GraphQl);
}
