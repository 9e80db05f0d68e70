using System.Text;
using System.Text.RegularExpressions;

namespace ReconcileApi.Features.Orders.Formats;

/// <summary>
/// An order's products packed into one cell of a one-row-per-order export, in the two shapes stores write:
/// <list type="bullet">
/// <item>BigCommerce's order export (the "Default" template's <c>Product Details</c>): "Product ID: 100, Product Qty: 1,
/// Product SKU: A-1, Product Name: Tee, Product Variation Details: Size: S, Color: Red, Product Unit Price: 67.50,
/// Product Total Price: 67.50|Product ID: 115, …". Products are joined by <c>|</c>, each starting with the cell's first label;
/// a label is "Product …" or "Peachtree …" after ", ". Names and variation details may hold commas, colons and pipes,
/// so a pipe starts a product only before that first label, and ", " ends a value only before a label.</item>
/// <item>WooCommerce's Customer/Order/Coupon Export (<c>line_items</c>): "id:11|name:Tee|product_id:7|sku:A-1|quantity:2|
/// subtotal:40.00|subtotal_tax:0.00|total:36.00|total_tax:0.00|refunded:0.00|refunded_qty:0|meta:" with items joined by
/// <c>;</c>; the plugin escapes <c>:</c>, <c>|</c> and <c>;</c> in values with a backslash.</item>
/// </list>
/// </summary>
public static partial class PackedLines
{
    /// <summary>The items of a cell as label → value (labels as written), or null when the cell is in neither shape.</summary>
    public static List<Dictionary<string, string>>? Parse(string cell)
    {
        cell = cell.Trim();
        if (WooKey().IsMatch(cell))
            return Woo(cell);
        if (BigCommerceFirstLabel().Match(cell) is { Success: true } first)
            return BigCommerce(cell, first.Groups[1].Value);
        return null;
    }

    /// <summary>What each line field is called inside a packed cell (compared as <see cref="TableColumns.Key"/> compares headers).</summary>
    static readonly (string Field, string[] Labels)[] Labels =
    [
        (TableOrders.Sku, ["product sku", "sku"]),
        (TableOrders.ProductId, ["product id"]),
        (TableOrders.ProductName, ["product name", "name"]),
        (TableOrders.Quantity, ["product qty", "quantity", "qty"]),
        (TableOrders.UnitPrice, ["product unit price", "price"]),
        (TableOrders.LineTotal, ["product total price", "product total", "total"]),
        // WooCommerce's line subtotal is before coupons, its total after: the difference is the line's discount.
        (TableOrders.LineSubtotal, ["subtotal"]),
        (TableOrders.LineTax, ["total tax"]),
    ];

    /// <summary>
    /// The product lines packed in <paramref name="field"/>'s cell of the order's rows (normally its one row). A cell in
    /// neither shape, or a product whose quantity or price cannot be read, leaves the order without lines with a warning
    /// naming the column, the line and the product, as an unreadable line row does.
    /// </summary>
    public static List<OrderLine> Read(TableOrderRows o, string field)
    {
        var lines = new LineReader(o.Problems);
        var header = o.Columns.HeaderOf(field);
        foreach (var row in o.Rows)
        {
            if (o.Text(row, field) is not { } cell)
                continue;
            if (Parse(cell) is not { } items)
            {
                lines.Unreadable(header, $"Line {row.Line}: the products in this cell are in no known shape (BigCommerce's \"Product ID: …, Product Qty: …\" " +
                    "or WooCommerce's \"id:…|name:…|quantity:…\").");
                continue;
            }
            for (var i = 0; i < items.Count; i++)
                Add(items[i], $"Line {row.Line}, product {i + 1}", header, lines);
        }
        return lines.Lines;
    }

    static void Add(Dictionary<string, string> item, string where, string header, LineReader lines)
    {
        var byKey = item.ToDictionary(p => TableColumns.Key(p.Key), p => p.Value, StringComparer.Ordinal);
        string? Value(string field)
        {
            foreach (var label in Labels.First(l => l.Field == field).Labels)
                if (byKey.TryGetValue(TableColumns.Key(label), out var v) && v.Length > 0)
                    return v;
            return null;
        }
        decimal? Number(string field, string what, bool required = false)
        {
            var text = Value(field);
            if (text is null)
            {
                if (required)
                    lines.Unreadable(header, $"{where}: has no {what}.");
                return null;
            }
            if (Lenient.TryDecimal(text, out var value))
                return value;
            lines.Unreadable(header, $"{where}: {what} '{text}' is not a number." + Lenient.NotANumberHint(text));
            return null;
        }

        var quantity = Number(TableOrders.Quantity, "quantity", required: true);
        if (quantity is < 0)
        {
            lines.Unreadable(header, $"{where}: quantity must be zero or more, not {quantity}.");
            return;
        }
        var total = Number(TableOrders.LineTotal, "total");
        var subtotal = Number(TableOrders.LineSubtotal, "subtotal");
        var price = Number(TableOrders.UnitPrice, "unit price") ?? FormatSupport.PriceFromAmounts(quantity, subtotal, total);
        if (quantity is null || price is null)
        {
            if (quantity is not null)
                lines.Unreadable(header, $"{where}: has no unit price (nor a total to take it from).");
            return;
        }
        var discount = FormatSupport.DiscountFromAmounts(subtotal, total);
        // WooCommerce writes "unknown_product" for the SKU of a product deleted since: no SKU.
        var sku = Value(TableOrders.Sku) is { } code && code != "unknown_product" ? code : null;
        lines.Add(new OrderLine(sku, Value(TableOrders.ProductId), Value(TableOrders.ProductName), quantity.Value, price.Value,
            total ?? FormatSupport.LineAmount(quantity.Value, price.Value, discount), LineKind.Product)
        {
            Discount = discount,
            Tax = Number(TableOrders.LineTax, "tax"),
        });
    }

    static List<Dictionary<string, string>> BigCommerce(string cell, string firstLabel)
    {
        var items = new List<Dictionary<string, string>>();
        foreach (var product in Regex.Split(cell, $@"\|\s*(?={Regex.Escape(firstLabel)}:)"))
        {
            var item = new Dictionary<string, string>(StringComparer.Ordinal);
            var labels = BigCommerceLabel().Matches(product);
            for (var i = 0; i < labels.Count; i++)
            {
                var start = labels[i].Index + labels[i].Length;
                var end = i + 1 < labels.Count ? labels[i + 1].Index : product.Length;
                item.TryAdd(labels[i].Groups[1].Value, product[start..end].Trim());
            }
            items.Add(item);
        }
        return items;
    }

    static List<Dictionary<string, string>> Woo(string cell)
    {
        var items = new List<Dictionary<string, string>>();
        foreach (var entry in SplitUnescaped(cell, ';'))
        {
            if (entry.Trim().Length == 0)
                continue;
            var item = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in SplitUnescaped(entry, '|'))
            {
                var parts = SplitUnescaped(pair, ':', limit: 2);
                item.TryAdd(Unescape(parts[0]).Trim(), parts.Count > 1 ? Unescape(parts[1]).Trim() : "");
            }
            items.Add(item);
        }
        return items;
    }

    /// <summary>Splits at <paramref name="separator"/> where no backslash escapes it; the parts keep their escapes.</summary>
    static List<string> SplitUnescaped(string text, char separator, int limit = int.MaxValue)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                current.Append(text[i]).Append(text[i + 1]);
                i++;
            }
            else if (text[i] == separator && parts.Count < limit - 1)
            {
                parts.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(text[i]);
            }
        }
        parts.Add(current.ToString());
        return parts;
    }

    static string Unescape(string text) => text.Replace(@"\:", ":").Replace(@"\|", "|").Replace(@"\;", ";");

    // WooCommerce's pipe-delimited item: a snake_case key and a colon right after it ("id:11|name:…").
    [GeneratedRegex(@"^[a-z][a-z0-9_]*:(?! )")]
    private static partial Regex WooKey();

    // BigCommerce's first label, at the start of the cell ("Product ID: 100").
    [GeneratedRegex(@"^((?:Product|Peachtree) [A-Za-z#][A-Za-z#]*(?: [A-Za-z#][A-Za-z#]*)*):")]
    private static partial Regex BigCommerceFirstLabel();

    // A BigCommerce label: at the start, or after ", ", a capitalised "Product …" or "Peachtree …" words and a colon.
    [GeneratedRegex(@"(?:^|,\s)((?:Product|Peachtree)(?: [A-Z#][A-Za-z#]*)+):\s?")]
    private static partial Regex BigCommerceLabel();
}
