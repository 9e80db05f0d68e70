using System.Text.Json;
using ReconcileApi.Engine;

namespace ReconcileApi.Features.Orders.Formats;

/// <summary>
/// BigCommerce Orders V2 objects (<c>GET /stores/{hash}/v2/orders</c>): RFC 2822 dates, 4-decimal money
/// strings. The order id is also its order number. <c>products</c> is an array when the caller expanded
/// it and a <c>{url, resource}</c> reference otherwise; a reference gives no lines. Shipping is an
/// order amount only (V2 has no shipping line objects on the order).
/// </summary>
public sealed class BigCommerceFormat : IJsonOrderFormat
{
    /// <summary>BigCommerce's fixed order statuses by <c>status_id</c>.</summary>
    public static IReadOnlyDictionary<int, string> StatusNames { get; } = new Dictionary<int, string>
    {
        [0] = "Incomplete", [1] = "Pending", [2] = "Shipped", [3] = "Partially Shipped", [4] = "Refunded",
        [5] = "Cancelled", [6] = "Declined", [7] = "Awaiting Payment", [8] = "Awaiting Pickup",
        [9] = "Awaiting Shipment", [10] = "Completed", [11] = "Awaiting Fulfillment",
        [12] = "Manual Verification Required", [13] = "Disputed", [14] = "Partially Refunded",
    };

    // Statuses a store only reaches once the payment was taken (Refunded ones were paid first).
    static readonly HashSet<int> PaidStatusIds = [2, 3, 4, 8, 9, 10, 11, 14];

    static readonly HashSet<string> PaidPaymentStatuses = new(StringComparer.OrdinalIgnoreCase)
        { "captured", "paid", "partially refunded", "refunded" };

    public string Name => "bigcommerce";

    public IReadOnlyList<string> WrapperProperties { get; } = ["orders"];

    public ReadOrder Read(JsonElement element, FormatContext context)
    {
        if (FormatSupport.NotAnObject(element) is { } notAnObject)
            return notAnObject;
        var errors = new List<FieldError>();
        var o = new JsonFields(element, context.Zone, errors);

        var id = o.Text("id");
        if (id is null)
            FormatSupport.MissingOrderId(errors, "id");
        var total = o.Money("total_inc_tax", required: true) ?? 0;

        int? statusId = null;
        if (o.Text("status_id") is { } statusIdText)
        {
            if (int.TryParse(statusIdText, out var parsed))
                statusId = parsed;
            else
                o.Error("status_id", $"'{statusIdText}' is not a BigCommerce status id.");
        }
        var status = o.Text("status");
        if (status is null && statusId is { } sid)
        {
            if (StatusNames.TryGetValue(sid, out var name))
                status = name;
            else
                o.Error("status_id", $"{sid} is not a BigCommerce status id (0–14).");
        }

        var discount = FormatSupport.Sum([o.Money("discount_amount"), o.Money("coupon_discount")]);

        var order = new CanonicalOrder
        {
            OrderId = id ?? "",
            OrderNumber = id,
            CustomerEmail = o.Text("billing_address.email"),
            CustomerName = FormatSupport.PersonName(o.Text("billing_address.first_name"), o.Text("billing_address.last_name")),
            OrderDate = o.Instant("date_created"),
            UpdatedAt = o.Instant("date_modified"),
            Currency = (o.Text("currency_code") ?? o.Text("default_currency_code"))?.ToUpperInvariant(),
            Total = total,
            Subtotal = o.Money("subtotal_ex_tax"),
            Tax = o.Money("total_tax"),
            Shipping = o.Money("shipping_cost_inc_tax") ?? o.Money("shipping_cost_ex_tax"),
            Discount = discount,
            AmountPaid = AmountPaid(o, statusId, total),
            AmountRefunded = o.Money("refunded_amount"),
            Status = status,
            PaymentReference = o.Text("payment_provider_id"),
            Lines = ReadProducts(o),
        };
        return new ReadOrder(order, errors);
    }

    static decimal? AmountPaid(JsonFields o, int? statusId, decimal total)
    {
        if (o.Text("payment_status") is { } paymentStatus)
            return PaidPaymentStatuses.Contains(paymentStatus) ? total : 0;
        if (statusId is { } sid)
            return PaidStatusIds.Contains(sid) ? total : 0;
        return null;
    }

    static List<OrderLine> ReadProducts(JsonFields o)
    {
        var lines = new List<OrderLine>();
        // A {url, resource} reference: the products were not fetched with the order.
        if (!o.TryGet("products", out var products) || products.ValueKind == JsonValueKind.Object)
            return lines;
        foreach (var item in o.Objects("products"))
        {
            var quantity = item.Money("quantity") ?? 1;
            var price = item.Money("price_inc_tax") ?? item.Money("base_price") ?? item.Money("price_ex_tax") ?? 0;
            lines.Add(new OrderLine(
                item.Text("sku"),
                item.Text("product_id"),
                item.Text("name"),
                quantity,
                price,
                item.Money("total_inc_tax") ?? quantity * price));
        }
        return lines;
    }
}
