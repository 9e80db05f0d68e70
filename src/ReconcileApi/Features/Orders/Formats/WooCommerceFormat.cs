using System.Text.Json;
using ReconcileApi.Engine;

namespace ReconcileApi.Features.Orders.Formats;

/// <summary>
/// WooCommerce REST API v3 order objects (<c>GET /wp-json/wc/v3/orders</c>, order webhooks).
/// <c>date_created_gmt</c> is UTC written without an offset, so it is read as UTC; <c>date_created</c>
/// (site-local, no offset) is only the fallback and is read in <see cref="FormatContext.Zone"/>.
/// Lines: <c>line_items</c> → product, <c>shipping_lines</c> → shipping, <c>fee_lines</c> → fee.
/// </summary>
public sealed class WooCommerceFormat : IJsonOrderFormat
{
    public string Name => "woocommerce";

    public IReadOnlyList<string> WrapperProperties { get; } = ["orders"];

    public ReadOrder Read(JsonElement element, FormatContext context)
    {
        if (FormatSupport.NotAnObject(element) is { } notAnObject)
            return notAnObject;
        var errors = new List<FieldError>();
        var o = new JsonFields(element, context.Zone, errors);
        var gmt = new JsonFields(element, TimeZoneInfo.Utc, errors);

        var id = o.Text("id");
        if (id is null)
            FormatSupport.MissingOrderId(errors, "id");
        var total = o.Money("total", required: true) ?? 0;

        var lines = new List<OrderLine>();
        var subtotals = new List<decimal?>();
        foreach (var item in o.Objects("line_items"))
        {
            var productId = item.Text("product_id") is { } p && p != "0" ? p : item.Text("variation_id");
            var quantity = item.Money("quantity") ?? 1;
            var lineTotal = item.Money("total");
            // price is the unit price after discounts, and may be missing on hand-made payloads.
            var price = item.Money("price") ?? (lineTotal is { } t && quantity != 0 ? t / quantity : 0);
            subtotals.Add(item.Money("subtotal") ?? lineTotal);
            lines.Add(new OrderLine(item.Text("sku"), productId, item.Text("name"), quantity, price, lineTotal ?? quantity * price));
        }
        foreach (var item in o.Objects("shipping_lines"))
        {
            var amount = item.Money("total") ?? 0;
            lines.Add(new OrderLine(item.Text("method_id"), null, item.Text("method_title") ?? "Shipping", 1, amount, amount, LineKind.Shipping));
        }
        foreach (var item in o.Objects("fee_lines"))
        {
            var amount = item.Money("total") ?? 0;
            lines.Add(new OrderLine(null, null, item.Text("name") ?? "Fee", 1, amount, amount, LineKind.Fee));
        }

        decimal? refunded = null;
        if (o.TryGet("refunds", out _))
        {
            refunded = 0;
            foreach (var refund in o.Objects("refunds"))
                refunded += Math.Abs(refund.Money("total") ?? refund.Money("amount") ?? 0);
        }

        var paid = gmt.Text("date_paid_gmt") is not null ? gmt.Instant("date_paid_gmt") : o.Instant("date_paid");
        // An order that carries the field but no date is unpaid; one without the field says nothing.
        var saysPaid = element.TryGetProperty("date_paid_gmt", out _) || element.TryGetProperty("date_paid", out _);

        var order = new CanonicalOrder
        {
            OrderId = id ?? "",
            OrderNumber = o.Text("number") ?? id,
            CustomerEmail = o.Text("billing.email"),
            CustomerName = FormatSupport.PersonName(o.Text("billing.first_name"), o.Text("billing.last_name"))
                ?? FormatSupport.PersonName(o.Text("shipping.first_name"), o.Text("shipping.last_name")),
            OrderDate = gmt.Text("date_created_gmt") is not null ? gmt.Instant("date_created_gmt") : o.Instant("date_created"),
            UpdatedAt = gmt.Text("date_modified_gmt") is not null ? gmt.Instant("date_modified_gmt") : o.Instant("date_modified"),
            Currency = o.Text("currency")?.ToUpperInvariant(),
            Total = total,
            Subtotal = subtotals.Count > 0 && subtotals.All(s => s is not null) ? FormatSupport.Sum(subtotals) : null,
            Tax = o.Money("total_tax"),
            Shipping = o.Money("shipping_total"),
            Discount = o.Money("discount_total"),
            AmountPaid = paid is not null ? total : saysPaid ? 0 : null,
            AmountRefunded = refunded,
            Status = o.Text("status"),
            PaymentReference = o.Text("transaction_id"),
            Lines = lines,
        };
        return new ReadOrder(order, errors);
    }
}
