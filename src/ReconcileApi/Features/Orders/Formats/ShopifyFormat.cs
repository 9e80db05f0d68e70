using System.Text.Json;
using ReconcileApi.Engine;

namespace ReconcileApi.Features.Orders.Formats;

/// <summary>
/// Shopify REST Admin order objects (<c>GET /admin/api/…/orders.json</c>, order webhooks).
/// Lines: <c>line_items</c> become product lines and <c>shipping_lines</c> shipping lines; tax and
/// discounts stay order-level amounts (Shopify spreads them over lines, so lines of their own would
/// double count).
/// </summary>
public sealed class ShopifyFormat : IJsonOrderFormat
{
    const string GidPrefix = "gid://shopify/Order/";

    static readonly HashSet<string> PaidStatuses = new(StringComparer.OrdinalIgnoreCase) { "paid", "partially_refunded", "refunded" };

    public string Name => "shopify";

    public IReadOnlyList<string> WrapperProperties { get; } = ["orders", "order"];

    public ReadOrder Read(JsonElement element, FormatContext context)
    {
        if (FormatSupport.NotAnObject(element) is { } notAnObject)
            return notAnObject;
        var errors = new List<FieldError>();
        var o = new JsonFields(element, context.Zone, errors);

        var id = o.Text("id") ?? o.Text("admin_graphql_api_id");
        // The GraphQL id and the REST id name the same order.
        if (id is not null && id.StartsWith(GidPrefix, StringComparison.Ordinal))
            id = id[GidPrefix.Length..];
        if (o.Bool("test"))
            return ReadOrder.Skipped(id ?? "", "test order");
        if (id is null)
            FormatSupport.MissingOrderId(errors, "id");

        var total = o.Money("total_price", required: true) ?? 0;
        var status = o.Text("financial_status");
        if (o.Text("cancelled_at") is not null)
        {
            o.Instant("cancelled_at");
            status = "cancelled";
        }

        var lines = new List<OrderLine>();
        foreach (var item in o.Objects("line_items"))
        {
            var quantity = item.Money("quantity") ?? 1;
            var price = item.Money("price") ?? 0;
            var discount = item.Money("total_discount");
            lines.Add(new OrderLine(
                item.Text("sku"),
                item.Text("product_id"),
                item.Text("title") ?? item.Text("name"),
                quantity,
                price,
                FormatSupport.LineAmount(quantity, price, discount)));
        }
        var shippingLines = new List<OrderLine>();
        foreach (var item in o.Objects("shipping_lines"))
        {
            var price = item.Money("discounted_price") ?? item.Money("price") ?? 0;
            shippingLines.Add(new OrderLine(item.Text("code"), null, item.Text("title") ?? "Shipping", 1, price, price, LineKind.Shipping));
        }
        lines.AddRange(shippingLines);

        var shipping = o.Money("total_shipping_price_set.shop_money.amount")
            ?? FormatSupport.Sum(shippingLines.Select(l => (decimal?)l.UnitPrice));

        var order = new CanonicalOrder
        {
            OrderId = id ?? "",
            OrderNumber = o.Text("name") ?? o.Text("order_number"),
            CustomerEmail = o.Text("email") ?? o.Text("contact_email") ?? o.Text("customer.email"),
            CustomerName = FormatSupport.PersonName(o.Text("customer.first_name"), o.Text("customer.last_name"))
                ?? FormatSupport.PersonName(o.Text("billing_address.first_name"), o.Text("billing_address.last_name"))
                ?? o.Text("billing_address.name"),
            OrderDate = o.Instant("created_at") ?? o.Instant("processed_at"),
            UpdatedAt = o.Instant("updated_at"),
            Currency = o.Text("currency")?.ToUpperInvariant(),
            Total = total,
            Subtotal = o.Money("subtotal_price"),
            Tax = o.Money("total_tax"),
            Shipping = shipping,
            Discount = o.Money("total_discounts"),
            AmountPaid = AmountPaid(o, total),
            AmountRefunded = Refunded(o),
            Status = status,
            Lines = lines,
        };
        return new ReadOrder(order, errors);
    }

    static decimal? AmountPaid(JsonFields o, decimal total)
    {
        var financial = o.Text("financial_status");
        if (financial is not null && PaidStatuses.Contains(financial))
            return total;
        // Partially paid orders say what is still owed.
        if (string.Equals(financial, "partially_paid", StringComparison.OrdinalIgnoreCase) && o.Money("total_outstanding") is { } outstanding)
            return total - outstanding;
        return financial is null ? null : 0;
    }

    /// <summary>
    /// Successful refund transactions. An order without <c>refunds</c>, or whose refunds list no
    /// transactions (older API versions show only refund line items), says nothing: null, not 0.
    /// </summary>
    static decimal? Refunded(JsonFields o)
    {
        if (!o.TryGet("refunds", out _))
            return null;
        decimal sum = 0;
        var refunds = 0;
        var sawTransactions = false;
        foreach (var refund in o.Objects("refunds"))
        {
            refunds++;
            foreach (var transaction in refund.Objects("transactions"))
            {
                sawTransactions = true;
                if (!string.Equals(transaction.Text("kind"), "refund", StringComparison.OrdinalIgnoreCase))
                    continue;
                var status = transaction.Text("status");
                if (status is not null && !string.Equals(status, "success", StringComparison.OrdinalIgnoreCase))
                    continue;
                sum += transaction.Money("amount") ?? 0;
            }
        }
        return refunds > 0 && !sawTransactions ? null : sum;
    }
}
