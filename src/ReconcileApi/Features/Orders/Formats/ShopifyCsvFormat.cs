using static ReconcileApi.Features.Orders.Formats.TableOrders;

namespace ReconcileApi.Features.Orders.Formats;

/// <summary>
/// Shopify's order export (Orders → Export): one row per line item, grouped by <c>Name</c> (and by <c>Id</c> where two
/// orders share a name: Shopify does not enforce unique names); the order's fields are filled on its first row only. OrderId is the <c>Id</c> column when the export has it, else
/// the name. Status is <c>Financial Status</c>, or "cancelled" when <c>Cancelled at</c> is set. Rows give
/// product lines only (the export's shipping is an order amount). Whether line prices include tax is read from
/// the amounts (see <see cref="FormatSupport.TaxesIncludedByAmounts"/>).
/// </summary>
public sealed class ShopifyCsvFormat : ITableOrderFormat
{
    const string OrderName = "orderNumber";

    public static IReadOnlyDictionary<string, string[]> Aliases { get; } = new Dictionary<string, string[]>
    {
        [OrderName] = ["Name"],
        [OrderId] = ["Id"],
        ["customerEmail"] = ["Email"],
        ["customerName"] = ["Billing Name", "Shipping Name"],
        ["status"] = ["Financial Status"],
        ["paidAt"] = ["Paid at"],
        ["currency"] = ["Currency"],
        ["subtotal"] = ["Subtotal"],
        ["shipping"] = ["Shipping"],
        ["tax"] = ["Taxes"],
        ["total"] = ["Total"],
        ["discount"] = ["Discount Amount"],
        ["orderDate"] = ["Created at"],
        ["cancelledAt"] = ["Cancelled at"],
        ["paymentReference"] = ["Payment Reference", "Payment ID"],
        ["amountRefunded"] = ["Refunded Amount"],
        ["outstanding"] = ["Outstanding Balance"],
        [Quantity] = ["Lineitem quantity"],
        [ProductName] = ["Lineitem name"],
        [UnitPrice] = ["Lineitem price"],
        [Sku] = ["Lineitem sku"],
        [LineDiscount] = ["Lineitem discount"],
    };

    static readonly HashSet<string> PaidStatuses = new(StringComparer.OrdinalIgnoreCase) { "paid", "partially_refunded", "refunded" };

    public string Name => "shopify-csv";

    public IEnumerable<TableOrder> Read(Table table, FormatContext context) =>
        TableOrders.Read(table, context, Aliases, OrderName, Map, splitField: OrderId);

    static ReadOrder Map(TableOrderRows o)
    {
        var name = o.Text(OrderName);
        var id = RequireId(o, o.Text(OrderId) ?? name, "Name");
        var total = o.Money("total", required: true) ?? 0;
        var financial = o.Text("status");
        var paidAt = o.Instant("paidAt");
        var status = financial;
        if (o.Text("cancelledAt") is not null)
        {
            o.Instant("cancelledAt");
            status = "cancelled";
        }
        var outstanding = o.Money("outstanding");
        decimal? paid = financial is not null && PaidStatuses.Contains(financial) || paidAt is not null ? total
            : financial is null ? null
            // How much of a partially paid order is paid only the outstanding balance can say.
            : financial.Equals("partially_paid", StringComparison.OrdinalIgnoreCase) ? total - outstanding
            : 0;
        var (subtotal, shipping, tax) = (o.Money("subtotal"), o.Money("shipping"), o.Money("tax"));
        var order = new CanonicalOrder
        {
            OrderId = id ?? "",
            OrderNumber = name,
            CustomerEmail = o.Text("customerEmail"),
            CustomerName = o.Text("customerName"),
            OrderDate = o.Instant("orderDate", strict: true),
            Currency = o.Text("currency")?.ToUpperInvariant(),
            Total = total,
            Subtotal = subtotal,
            Tax = tax,
            Shipping = shipping,
            // The export has no taxes-included column; its amounts tell (a VAT shop's Total is Subtotal + Shipping).
            TaxesIncluded = FormatSupport.TaxesIncludedByAmounts(subtotal, shipping, tax, total),
            Platform = "shopify",
            Discount = o.Money("discount"),
            AmountPaid = paid,
            AmountRefunded = o.Money("amountRefunded"),
            Status = status,
            PaymentReference = o.Text("paymentReference"),
            Lines = Lines(o, _ => LineKind.Product),
        };
        return new ReadOrder(order, o.Problems);
    }
}
