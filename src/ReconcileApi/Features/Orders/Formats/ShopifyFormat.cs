namespace ReconcileApi.Features.Orders.Formats;

/// <summary>
/// Shopify REST Admin order objects (<c>GET /admin/api/…/orders.json</c>, order webhooks), read by <see cref="ShopifyOrderReader"/>
/// with <see cref="ShopifyFields.Rest"/>: its summary says how the order maps to the canonical one.
/// </summary>
public sealed class ShopifyFormat : IJsonOrderFormat
{
    public string Name => "shopify";

    public string OrderIdField => "id";

    public IReadOnlyList<string> WrapperProperties { get; } = ["orders", "order"];

    /// <summary>REST Admin order fields (DOMAIN.md, "Shopify"); <c>line_items</c> and <c>total_tax</c> are WooCommerce's too.</summary>
    public IReadOnlyList<string> Signature { get; } =
    [
        "line_items", "total_price", "subtotal_price", "total_tax", "total_discounts", "financial_status", "fulfillment_status", "order_number",
        "processed_at", "created_at", "current_total_price", "total_line_items_price", "admin_graphql_api_id", "taxes_included",
        "presentment_currency", "contact_email", "total_shipping_price_set", "cancelled_at",
    ];

    public ReadOrder Read(JsonElement element, FormatContext context) => ShopifyOrderReader.Read(element, context, ShopifyFields.Rest);
}
