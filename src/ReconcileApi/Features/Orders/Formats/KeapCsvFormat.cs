using static ReconcileApi.Features.Orders.Formats.TableOrders;

namespace ReconcileApi.Features.Orders.Formats;

/// <summary>
/// A Keap order or invoice report exported as CSV. Its columns are whatever the user picked, so every
/// field has aliases (Order Id, Order Title, Order Date, First Name, Last Name, Email, Order Total,
/// Total Paid, Total Due, Pay Status, Product Name, SKU, Qty, Price …) and a column map overrides them.
/// Several rows per order id are one order with one line each. An item type column classifies lines as
/// <see cref="LineKinds.FromKeapItemType"/> does, and shipping, tax and discount lines give the order's amounts.
/// Keap reports carry no currency unless a Currency column is added.
/// </summary>
public sealed class KeapCsvFormat : ITableOrderFormat
{
    public static IReadOnlyDictionary<string, string[]> Aliases { get; } = new Dictionary<string, string[]>
    {
        [OrderId] = ["Order Id", "Id", "Invoice Id", "Job Id", "Order_Id"],
        // Keap's own invoice number is not a store reference: only the title carries one.
        ["orderNumber"] = ["Order Title", "Title", "Job Title"],
        ["orderDate"] = ["Order Date", "Invoice Date", "Date", "Date Created", "Creation Date"],
        ["updatedAt"] = ["Last Updated", "Modification Date", "Date Modified"],
        ["firstName"] = ["First Name", "Contact First Name"],
        ["lastName"] = ["Last Name", "Contact Last Name"],
        ["customerName"] = ["Contact Name", "Customer Name", "Name"],
        ["customerEmail"] = ["Email", "Contact Email", "Email Address"],
        ["currency"] = ["Currency", "Currency Code"],
        ["total"] = ["Order Total", "Invoice Total", "Total"],
        ["amountPaid"] = ["Total Paid", "Amount Paid"],
        ["totalDue"] = ["Total Due", "Amount Due", "Balance Due"],
        ["amountRefunded"] = ["Refund Total", "Total Refunded", "Refunded"],
        ["status"] = ["Pay Status", "Payment Status", "Order Status", "Status"],
        ["sourceType"] = ["Source Type", "Order Source"],
        ["createdAt"] = ["Creation Date", "Date Created", "Created"],
        [ProductName] = ["Product Name", "Product", "Item Name", "Order Item", "Item"],
        [Sku] = ["SKU", "Product SKU", "Product Code"],
        [ProductId] = ["Product Id"],
        [Quantity] = ["Qty", "Quantity"],
        [UnitPrice] = ["Unit Price", "Price", "Price Per Unit", "Product Price"],
        [LineTotal] = ["Item Total", "Line Total"],
        [LineDiscount] = ["Item Discount", "Discount"],
        [LineKindField] = ["Item Type", "Type", "Order Item Type"],
    };

    public string Name => "keap-csv";

    public IEnumerable<TableOrder> Read(Table table, FormatContext context) =>
        TableOrders.Read(table, context, Aliases, OrderId, Map);

    static ReadOrder Map(TableOrderRows o)
    {
        var id = RequireId(o, o.Text(OrderId), "Order Id");
        var lines = Lines(o, LineKinds.FromKeapItemType);
        decimal? KindSum(LineKind kind) => lines.Any(l => l.Kind == kind) ? lines.Where(l => l.Kind == kind).Sum(l => l.LineTotal ?? 0) : null;
        var total = o.Money("total", required: true) ?? 0;
        var due = o.Money("totalDue");
        var order = new CanonicalOrder
        {
            OrderId = id ?? "",
            OrderNumber = o.Text("orderNumber"),
            CustomerEmail = o.Text("customerEmail"),
            CustomerName = FormatSupport.PersonName(o.Text("firstName"), o.Text("lastName")) ?? o.Text("customerName"),
            OrderDate = o.Instant("orderDate", strict: true),
            UpdatedAt = o.Instant("updatedAt"),
            CreatedAt = o.Instant("createdAt"),
            SourceType = o.Text("sourceType")?.ToUpperInvariant(),
            Currency = o.Text("currency")?.ToUpperInvariant(),
            Total = total,
            Subtotal = KindSum(LineKind.Product),
            Tax = KindSum(LineKind.Tax),
            Shipping = KindSum(LineKind.Shipping),
            Discount = KindSum(LineKind.Discount) is { } d ? Math.Abs(d) : null,
            // Reports without a Total Paid column often have Total Due.
            AmountPaid = o.Money("amountPaid") ?? total - due,
            // Reports write money given back as a credit ("-$60.00", "($60.00)"); the order's refunded amount is its size.
            AmountRefunded = o.Money("amountRefunded") is { } refunded ? Math.Abs(refunded) : null,
            Status = o.Text("status"),
            Lines = lines,
        };
        return new ReadOrder(order, o.Problems);
    }
}
