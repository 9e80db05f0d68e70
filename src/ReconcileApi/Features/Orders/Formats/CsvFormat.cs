using static ReconcileApi.Features.Orders.Formats.TableOrders;

namespace ReconcileApi.Features.Orders.Formats;

/// <summary>
/// A generic order table: one row per order, or several rows sharing an order id (one per line; the
/// order's fields come from its first row that has them, and a later row with another value is a warning). Columns are found by the header aliases in
/// <see cref="Aliases"/> (keys are the canonical field names a column map may name). Line columns give
/// product lines unless a line kind column says otherwise; a table without them whose products are packed in one cell
/// (BigCommerce's and WooCommerce's one-row-per-order exports) gives the lines <see cref="PackedLines"/> reads.
/// </summary>
public sealed class CsvFormat : ITableOrderFormat
{
    public static IReadOnlyDictionary<string, string[]> Aliases { get; } = new Dictionary<string, string[]>
    {
        [OrderId] = ["order id", "id", "order_id", "order uid"],
        [OrderNumber] = ["order number", "order #", "order no", "number", "name", "reference", "title", "order name", "order title", "order reference"],
        ["customerEmail"] = ["email", "customer email", "contact email", "billing email", "e-mail", "email address"],
        ["customerName"] = ["customer name", "customer", "billing name", "contact name", "full name"],
        ["firstName"] = ["first name", "billing first name", "given name", "customer first name"],
        ["lastName"] = ["last name", "billing last name", "family name", "surname", "customer last name"],
        ["orderDate"] = ["order date", "date", "created at", "created", "date created", "created date", "order time", "creation date"],
        ["updatedAt"] = ["updated at", "updated", "date modified", "modified", "last updated", "modification date"],
        ["currency"] = ["currency", "currency code", "order currency", "order currency code"],
        // BigCommerce's export writes each amount with and without tax: the total is the one with it ("Inc-Tax Total" in its MYOB
        // template, whose "Total" is the subtotal), the subtotal and shipping the ones without, as its API reader takes them.
        ["total"] = ["inc-tax total", "order total (inc tax)", "total", "order total", "amount", "grand total", "total price", "total amount"],
        ["subtotal"] = ["subtotal", "sub total", "subtotal price", "subtotal (ex tax)"],
        [SubtotalIncTax] = ["subtotal (inc tax)"],
        ["tax"] = ["tax", "taxes", "total tax", "tax total", "tax amount", "sales tax"],
        ["shipping"] = ["shipping", "shipping total", "shipping amount", "shipping cost", "shipping price", "shipping cost (ex tax)", "shipping cost (inc tax)", "inc-tax freight amount"],
        ["discount"] = ["discount", "discounts", "discount amount", "discount total", "total discounts"],
        ["amountPaid"] = ["amount paid", "total paid", "paid amount"],
        ["amountRefunded"] = ["amount refunded", "refunded", "refunded amount", "refund total", "refund amount", "total refunded", "refunded total"],
        ["status"] = ["status", "financial status", "pay status", "payment status", "order status"],
        ["paymentReference"] = ["payment reference", "transaction id", "payment id", "payment ref"],
        ["platform"] = ["platform", "store platform"],
        ["sourceType"] = ["source type", "order source"],
        ["taxesIncluded"] = ["taxes included", "prices include tax", "tax included"],
        [Sku] = ["sku", "lineitem sku", "product sku", "item sku", "line sku"],
        [ProductId] = ["product id", "lineitem product id", "item product id"],
        [ProductName] = ["product name", "lineitem name", "product", "item name", "item", "line name"],
        [Quantity] = ["quantity", "qty", "lineitem quantity", "item quantity", "line quantity"],
        [UnitPrice] = ["unit price", "price", "lineitem price", "item price", "price per unit", "line price"],
        [LineTotal] = ["line total", "lineitem total", "item total"],
        [LineSubtotal] = ["line subtotal", "lineitem subtotal", "item subtotal"],
        [LineTax] = ["line tax", "lineitem tax", "item tax", "item total tax"],
        [LineDiscount] = ["line discount", "lineitem discount", "item discount"],
        [LineKindField] = ["line kind", "kind", "line type", "item type"],
        // Every product of the order in one cell (BigCommerce's "Product Details", WooCommerce's "line_items"): see PackedLines.
        [PackedItems] = ["product details", "line items"],
    };

    const string PackedItems = "packedLines";
    const string SubtotalIncTax = "subtotalIncTax";
    static readonly string[] LineColumns = [Sku, ProductId, ProductName, Quantity, UnitPrice, LineTotal];

    public string Name => "csv";

    /// <remarks>
    /// A table without an order id column (a bookkeeper's export that has only "Order Number") is keyed by its order
    /// numbers, as Shopify's export is by its names.
    /// </remarks>
    public IEnumerable<TableOrder> Read(Table table, FormatContext context)
    {
        var columns = new TableColumns(table.Header, Aliases, context.ColumnMap);
        // WooCommerce Analytics' orders download has "Net sales" and no total: a missing total names it.
        var netSales = table.Header.FirstOrDefault(h => TableColumns.Key(h) == "netsales")?.Trim();
        return TableOrders.Read(table, context, Aliases, columns.Has(OrderId) || !columns.Has(OrderNumber) ? OrderId : OrderNumber, o => Map(o, netSales));
    }

    const string OrderNumber = "orderNumber";

    static ReadOrder Map(TableOrderRows o, string? netSales)
    {
        var id = RequireId(o, o.Text(OrderId) ?? (o.Columns.Has(OrderId) ? null : o.Text(OrderNumber)), "order id");
        var order = new CanonicalOrder
        {
            OrderId = id ?? "",
            // A store's export without order numbers (BigCommerce's has only "Order ID"; WooCommerce's order_number is empty
            // unless a plugin numbers orders) is keyed by its ids, which are the numbers the store shows, as the stores' API
            // readers do (an id with a control character, which the validator rejects, is not copied to say it twice). A Keap id is
            // never a store reference.
            OrderNumber = o.Text(OrderNumber) ?? (o.Context.Side == OrderSource.Store && id?.Any(char.IsControl) == false ? id : null),
            CustomerEmail = o.Text("customerEmail"),
            CustomerName = o.Text("customerName") ?? FormatSupport.PersonName(o.Text("firstName"), o.Text("lastName")),
            OrderDate = o.Instant("orderDate", strict: true),
            UpdatedAt = o.Instant("updatedAt"),
            Currency = o.Text("currency")?.ToUpperInvariant(),
            Total = o.Columns.Has("total") ? o.Money("total", required: true) ?? 0 : NoTotalColumn(o, netSales),
            Subtotal = o.Money("subtotal"),
            Tax = o.Money("tax"),
            Shipping = o.Money("shipping"),
            Discount = o.Money("discount"),
            AmountPaid = o.Money("amountPaid"),
            AmountRefunded = o.Money("amountRefunded"),
            Status = o.Text("status"),
            PaymentReference = o.Text("paymentReference"),
            Platform = o.Text("platform")?.ToLowerInvariant(),
            SourceType = o.Text("sourceType")?.ToUpperInvariant(),
            TaxesIncluded = Flag(o, "taxesIncluded"),
            Lines = o.Columns.Has(PackedItems) && !LineColumns.Any(o.Columns.Has) ? PackedLines.Read(o, PackedItems) : Lines(o, LineKinds.FromText),
        };
        order = order with
        {
            AmountRefunded = Refunded(o, order.Total, order.AmountRefunded),
            TaxesIncluded = order.TaxesIncluded ?? LinesIncludeTax(order.Lines, order.Subtotal, o.Money(SubtotalIncTax)),
        };
        return new ReadOrder(order, o.Problems);
    }

    static decimal NoTotalColumn(TableOrderRows o, string? netSales)
    {
        o.Problems.Error("total", "Is required: the table has no order total column (Order Total, Total, order_total, Order Total (inc tax), …); " +
            "name it with ?columnMap=total=<header>." + (netSales is not null
                ? $" '{netSales}' is not the order total (it leaves out tax and shipping and takes out refunds): export the orders with their totals."
                : ""));
        return 0;
    }

    /// <summary>
    /// Whether the line prices include tax, from a table that gives the subtotal both ways (BigCommerce's Subtotal (ex tax) and
    /// (inc tax)): its products are priced with tax when the store shows order prices with tax, without it otherwise, and nothing
    /// else in the file says which. The lines' totals add up to one of the two; null when they add up to neither (or both).
    /// </summary>
    static bool? LinesIncludeTax(IReadOnlyList<OrderLine> lines, decimal? exTax, decimal? incTax)
    {
        if (exTax is not { } ex || incTax is not { } inc || ex == inc || lines.Count == 0 || lines.Any(l => l.LineTotal is null))
            return null;
        return FormatSupport.TaxInside(lines.Sum(l => l.LineTotal!.Value), withTaxInside: inc, withTaxOnTop: ex);
    }

    /// <summary>
    /// The refunded amount; for a store order whose status says it was refunded (not partly) and whose refund column says 0 or
    /// nothing, its total, with a warning: BigCommerce's export writes its Refund Amount from refunded_amount, documented as
    /// "always returns 0", so a Refunded order shows 0.0000 (its API reader takes the total the same way).
    /// </summary>
    static decimal? Refunded(TableOrderRows o, decimal total, decimal? refunded)
    {
        if (o.Context.Side == OrderSource.Keap || refunded is not (null or 0m) || total <= 0m
            || !string.Equals(o.Text("status"), "refunded", StringComparison.OrdinalIgnoreCase))
            return refunded;
        o.Problems.Warn(o.Columns.HeaderOf(refunded is null ? "status" : "amountRefunded"),
            $"Line {o.Rows[0].Line}: the order is '{o.Text("status")}' with {(refunded is null ? "no refunded amount" : "a refunded amount of 0")}; its whole total {total} is read as refunded.");
        return total;
    }
}
