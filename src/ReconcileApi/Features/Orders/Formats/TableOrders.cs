namespace ReconcileApi.Features.Orders.Formats;

/// <summary>Groups a table's rows into orders and hands each group to a format's mapping.</summary>
static class TableOrders
{
    public const string OrderId = "orderId";
    public const string Sku = "sku";
    public const string ProductId = "productId";
    public const string ProductName = "productName";
    public const string Quantity = "quantity";
    public const string UnitPrice = "unitPrice";
    public const string LineTotal = "lineTotal";
    public const string LineDiscount = "lineDiscount";
    public const string LineKindField = "lineKind";
    /// <summary>A line's amount before its discounts (WooCommerce's <c>item_subtotal</c>; <see cref="LineTotal"/> is after them).</summary>
    public const string LineSubtotal = "lineSubtotal";
    public const string LineTax = "lineTax";

    static readonly string[] LineFields = [Sku, ProductId, ProductName, Quantity, UnitPrice, LineTotal];

    /// <summary>
    /// Rows with the same <paramref name="groupField"/> value form one order, in order of first appearance.
    /// A row with no key but line cells continues the order above it (exports that write the order's fields
    /// only once); a row with neither starts an order of its own, which then reports its missing id.
    /// Blank rows are skipped. A row with more cells than the header rejects its order: its cells may have shifted
    /// (an unquoted comma); one with fewer ends early, its missing cells empty, as some writers leave trailing ones off.
    /// With <paramref name="splitField"/>, rows of one group value whose split values differ are different orders (two
    /// Shopify orders may share a name, never an id); a row without a split value joins the last order of its group value.
    /// </summary>
    public static IEnumerable<TableOrder> Read(
        Table table, FormatContext context, IReadOnlyDictionary<string, string[]> aliases, string groupField,
        Func<TableOrderRows, ReadOrder> map, string? splitField = null)
    {
        var columns = new TableColumns(table.Header, aliases, context.ColumnMap);
        context = WithDateOrderShown(table, columns, context);
        var groups = new List<List<TableRow>>();
        var byKey = new Dictionary<string, List<TableRow>>(StringComparer.Ordinal);
        var lastSplit = new Dictionary<string, string>(StringComparer.Ordinal);
        List<TableRow>? previous = null;
        foreach (var row in table.Rows)
        {
            if (row.Cells.All(string.IsNullOrWhiteSpace))
                continue;
            if (RepeatsHeader(row, table.Header))
            {
                // Two exports joined into one file (cat, or a spreadsheet's paste) repeat the header: it was read as an order
                // with the id "order_id", rejected for a total "total" that is no number — true, and no help.
                groups.Add([row]);
                previous = null;
                continue;
            }
            var key = columns.Cell(row, groupField);
            if (key is not null && splitField is not null)
            {
                if (columns.Cell(row, splitField) is { } split)
                    key = lastSplit[key] = key + "\n" + split;
                else if (lastSplit.TryGetValue(key, out var last))
                    key = last;
            }
            List<TableRow>? group;
            if (key is null)
            {
                if (previous is not null && LineFields.Any(f => columns.Cell(row, f) is not null) && columns.Has(groupField))
                    group = previous;
                else
                    groups.Add(group = []);
            }
            else if (!byKey.TryGetValue(key, out group))
            {
                byKey[key] = group = [];
                groups.Add(group);
            }
            group.Add(row);
            previous = group;
        }
        foreach (var rows in groups)
        {
            if (rows.Count == 1 && RepeatsHeader(rows[0], table.Header))
            {
                var skipped = ReadOrder.Skipped("", "repeated header");
                skipped.Problems.Warn("", $"Line {rows[0].Line} repeats the header row (two exports joined into one file?): it is no order, and was skipped.");
                yield return new TableOrder(rows[0].Line, skipped, columns.Raw(rows));
                continue;
            }
            var problems = new ReadProblems();
            problems.Errors.AddRange(columns.MapErrors);
            if (rows == groups[0])
                problems.Warnings.AddRange(columns.Misspelt);
            foreach (var row in rows)
            {
                columns.CompareCopies(row, problems);
                if (table.NotUtf8)
                    RejectInvalidText(table, row, problems);
                if (row.Cells.Count > table.Header.Count)
                    problems.Error("", $"Line {row.Line} has {row.Cells.Count} cells where the header has {table.Header.Count}: a value past the last " +
                        "column, or an unquoted comma (a decimal comma as in 1,50, a comma in a name) that splits one value in two and shifts the " +
                        "cells after it. Quote such values.");
            }
            var read = map(new TableOrderRows(columns, rows, context, problems));
            yield return new TableOrder(rows[0].Line, read, columns.Raw(rows));
        }
    }

    /// <summary>The date columns a table format reads (<see cref="TableOrderRows.Instant"/>).</summary>
    static readonly string[] DateFields = ["orderDate", "updatedAt", "createdAt", "paidAt", "cancelledAt"];

    /// <summary>
    /// A file is written by one exporter in one date format: when neither the request nor the settings give a date order
    /// and the table's dates show one — some only day first can read ("25/11/2026"), none only month first, or the other
    /// way round — its dates are read that way, so a BigCommerce export's "05/11/2026" is 5 November beside its
    /// "25/11/2026" instead of rejecting every order dated on a day of 12 or less. Dates that show both orders decide nothing.
    /// </summary>
    static FormatContext WithDateOrderShown(Table table, TableColumns columns, FormatContext context)
    {
        if (context.DateOrder is not null)
            return context;
        var fields = DateFields.Where(columns.Has).ToArray();
        (DateOrder Order, string ShownBy)? shown = null;
        foreach (var row in table.Rows)
        {
            foreach (var field in fields)
            {
                var text = columns.Cell(row, field);
                if (Lenient.OrderShown(text) is not { } order)
                    continue;
                if (shown is { } known && known.Order != order)
                    return context;
                shown ??= (order, $"line {row.Line}: '{text!.Trim()}' in {columns.HeaderOf(field)}");
            }
        }
        return shown is { } s ? context with { DateOrder = s.Order, DateOrderShownBy = s.ShownBy } : context;
    }

    /// <summary>A row whose cells are the header's names again (compared first by its first cell, so a data row costs one comparison).</summary>
    static bool RepeatsHeader(TableRow row, IReadOnlyList<string> header)
    {
        if (row.Cells.Count != header.Count || header.Count == 0 || !Same(row.Cells[0], header[0]))
            return false;
        for (var i = 1; i < header.Count; i++)
        {
            if (!Same(row.Cells[i], header[i]))
                return false;
        }
        return true;

        static bool Same(string? cell, string name) =>
            cell is not null && cell.AsSpan().Trim().TrimStart('\uFEFF').Equals(name, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// One line per row that has any line cell; <paramref name="kindOf"/> reads the row's line kind column.
    /// A row whose quantity or price cannot be read (a price may come from the line total) leaves the order
    /// without lines, with a warning (see <see cref="LineReader"/>).
    /// </summary>
    public static List<OrderLine> Lines(TableOrderRows o, Func<string?, LineKind?> kindOf)
    {
        var lines = new LineReader(o.Problems);
        foreach (var row in o.Rows)
        {
            if (!LineFields.Any(f => o.Text(row, f) is not null))
                continue;
            var kindText = o.Text(row, LineKindField);
            var kind = kindOf(kindText);
            if (kind is null)
                lines.Unreadable(o.Columns.HeaderOf(LineKindField), $"Line {row.Line}: unknown line kind '{kindText}'; use product, shipping, tax, discount or fee.");
            var quantity = o.LineQuantity(row, Quantity, lines);
            var lineTotal = o.OptionalNumber(row, LineTotal);
            // Without a unit price, the price is the amount before discounts (else the line total) per unit.
            var subtotal = o.OptionalNumber(row, LineSubtotal);
            var price = o.Text(row, UnitPrice) is null && FormatSupport.PriceFromAmounts(quantity, subtotal, lineTotal) is { } derived ? derived : o.LineAmount(row, UnitPrice, lines);
            if (quantity is null || price is null || kind is null)
                continue;
            var discount = o.OptionalNumber(row, LineDiscount) ?? FormatSupport.DiscountFromAmounts(subtotal, lineTotal);
            lines.Add(new OrderLine(
                o.Text(row, Sku),
                o.Text(row, ProductId),
                o.Text(row, ProductName),
                quantity.Value,
                price.Value,
                lineTotal ?? FormatSupport.LineAmount(quantity.Value, price.Value, discount),
                kind.Value) { Discount = discount is { } d && d != 0 ? d : null, Tax = o.OptionalNumber(row, LineTax) });
        }
        return lines.Lines;
    }

    /// <summary>
    /// A cell of a CSV that is not UTF-8 where the reader found bytes that were not text: its order is rejected naming the column
    /// and line, as a JSON record's invalid UTF-8 is, never stored with U+FFFD in place of its letters ("Zoë" saved by Excel in
    /// Windows-1252 came back "Zo�" without a word).
    /// </summary>
    static void RejectInvalidText(Table table, TableRow row, ReadProblems problems)
    {
        for (var i = 0; i < row.Cells.Count; i++)
        {
            if (row.Cells[i]?.Contains('\uFFFD') == true)
                problems.Error(i < table.Header.Count ? table.Header[i].Trim().TrimStart('\uFEFF') : $"column {i + 1}",
                    $"Line {row.Line}: is not valid text (invalid UTF-8: the file is not saved as UTF-8; in Excel, save as \"CSV UTF-8\"); the record is kept among the rejected records.");
        }
    }

    /// <summary>A yes/no cell ("true", "yes", "1"); null when empty, left out with a warning when unreadable.</summary>
    public static bool? Flag(TableOrderRows o, string field)
    {
        var text = o.Text(field);
        switch (text?.ToLowerInvariant())
        {
            case null:
                return null;
            case "true" or "yes" or "y" or "1":
                return true;
            case "false" or "no" or "n" or "0":
                return false;
            default:
                o.Problems.Warn(o.Columns.HeaderOf(field), $"'{text}' is not yes or no; left out.");
                return null;
        }
    }

    /// <summary>The order id, or null after reporting it missing (as "orderId", like every format).</summary>
    public static string? RequireId(TableOrderRows o, string? id, string vendorField)
    {
        if (id is null)
            FormatSupport.MissingOrderId(o.Problems, $"column '{(o.Columns.Has(OrderId) ? o.Columns.HeaderOf(OrderId) : vendorField)}', line {o.Rows[0].Line}");
        return id;
    }
}
