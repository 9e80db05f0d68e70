using ReconcileApi.Engine;

namespace ReconcileApi.Features.Orders.Formats;

/// <summary>
/// Which column holds which canonical field in one table: header aliases per format, overridden by the
/// caller's <see cref="FormatContext.ColumnMap"/> (canonical field → header text). Headers and map keys are
/// compared by <see cref="Key"/> (case, spaces, underscores, dashes and dots ignored).
/// </summary>
public sealed class TableColumns
{
    readonly Dictionary<string, int> index = new(StringComparer.Ordinal);
    readonly IReadOnlyList<string> header;

    /// <summary>Problems with the column map; every order of the table reports them, so a wrong map never passes silently.</summary>
    public IReadOnlyList<FieldError> MapErrors { get; }

    public TableColumns(IReadOnlyList<string> header, IReadOnlyDictionary<string, string[]> aliases, IReadOnlyDictionary<string, string> columnMap)
    {
        this.header = header;
        var byKey = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
            byKey.TryAdd(Key(header[i]), i);
        foreach (var (field, names) in aliases)
        {
            foreach (var name in names)
            {
                if (byKey.TryGetValue(Key(name), out var i))
                {
                    index[field] = i;
                    break;
                }
            }
        }
        var fieldsByKey = aliases.Keys.ToDictionary(Key, f => f, StringComparer.Ordinal);
        var mapErrors = new List<FieldError>();
        foreach (var (field, headerText) in columnMap)
        {
            if (!fieldsByKey.TryGetValue(Key(field), out var canonical))
                mapErrors.Add(new FieldError($"columnMap.{field}", $"Unknown field; this format reads {string.Join(", ", aliases.Keys)}."));
            else if (!byKey.TryGetValue(Key(headerText), out var i))
                mapErrors.Add(new FieldError($"columnMap.{field}", $"The table has no column '{headerText}'."));
            else
                index[canonical] = i;
        }
        MapErrors = mapErrors;
    }

    /// <summary>A header or field name reduced for comparison: "Order #" → "order#", "Lineitem_SKU" → "lineitemsku".</summary>
    public static string Key(string text) =>
        new(text.Where(c => !char.IsWhiteSpace(c) && c is not ('_' or '-' or '.' or '\uFEFF')).Select(char.ToLowerInvariant).ToArray());

    public bool Has(string field) => index.ContainsKey(field);

    /// <summary>The column's header as written in the file (what error messages name), or the field itself.</summary>
    public string HeaderOf(string field) => index.TryGetValue(field, out var i) ? header[i].Trim().TrimStart('\uFEFF') : field;

    /// <summary>The cell of a field in a row, cleaned: trimmed, a spreadsheet's leading <c>'</c> dropped, empty → null.</summary>
    public string? Cell(TableRow row, string field)
    {
        if (!index.TryGetValue(field, out var i) || i >= row.Cells.Count)
            return null;
        var text = row.Cells[i]?.Trim();
        if (text is { Length: > 0 } && text[0] == '\'')
            text = text[1..].Trim();
        return string.IsNullOrEmpty(text) ? null : text;
    }

    public IReadOnlyDictionary<string, string> Raw(IReadOnlyList<TableRow> rows)
    {
        // First row by header; later rows (one per line item) as "header (line N)", non-empty cells only.
        var raw = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            for (var i = 0; i < header.Count && i < row.Cells.Count; i++)
            {
                var cell = row.Cells[i] ?? "";
                if (r == 0)
                    raw.TryAdd(header[i], cell);
                else if (cell.Length > 0)
                    raw.TryAdd($"{header[i]} (line {row.Line})", cell);
            }
        }
        return raw;
    }
}

/// <summary>
/// The rows of one order in a table, read field by field. A problem names the column as its header is
/// written in the file (or the canonical field when the table has no such column) and its message starts
/// with the file line, e.g. <c>Lineitem quantity</c>: "Line 3: 'one' is not a number." As in JSON, only
/// the id, the total and an unreadable order date reject the order; other cells are left out with a warning.
/// </summary>
public sealed class TableOrderRows(TableColumns columns, IReadOnlyList<TableRow> rows, FormatContext context, ReadProblems problems)
{
    public IReadOnlyList<TableRow> Rows => rows;

    public ReadProblems Problems => problems;

    public TableColumns Columns => columns;

    /// <summary>An order-level field: the first non-empty cell among the order's rows (normally its first row).</summary>
    public string? Text(string field) => First(field)?.Text;

    public decimal? Money(string field, bool required = false)
    {
        if (First(field) is not { } cell)
        {
            if (required)
                problems.Error(columns.HeaderOf(field), columns.Has(field) ? $"Line {rows[0].Line}: is required." : "Is required: the table has no such column.");
            return null;
        }
        var value = Number(cell.Row, field);
        if (value is null)
            Report(required, field, $"Line {cell.Row.Line}: '{cell.Text}' is not a number.");
        return value;
    }

    /// <summary>An order-level date; one that cannot be read rejects the order when <paramref name="strict"/> (the order date).</summary>
    public DateTime? Instant(string field, bool strict = false)
    {
        if (First(field) is not { } cell)
            return null;
        if (Lenient.TryInstant(cell.Text, context.Zone, out var utc))
            return utc;
        Report(strict, field, $"Line {cell.Row.Line}: '{cell.Text}' is not a date; use ISO 8601, e.g. 2026-10-01T12:00:00-05:00.");
        return null;
    }

    public string? Text(TableRow row, string field) => columns.Cell(row, field);

    /// <summary>A number in one row's cell; null when empty or unreadable (the caller says what that means).</summary>
    public decimal? Number(TableRow row, string field) =>
        columns.Cell(row, field) is { } text && Lenient.TryDecimal(text, out var value) ? value : null;

    /// <summary>A line's quantity or price in one row: without it the order's lines cannot be read.</summary>
    public decimal? LineAmount(TableRow row, string field, LineReader lines)
    {
        var text = columns.Cell(row, field);
        if (text is not null && Lenient.TryDecimal(text, out var value))
            return value;
        lines.Unreadable(columns.HeaderOf(field), text is null
            ? columns.Has(field) ? $"Line {row.Line}: is empty." : "The table has no such column."
            : $"Line {row.Line}: '{text}' is not a number.");
        return null;
    }

    /// <summary>A line's quantity in one row: as <see cref="LineAmount"/>, and a negative one cannot be read either.</summary>
    public decimal? LineQuantity(TableRow row, string field, LineReader lines)
    {
        var quantity = LineAmount(row, field, lines);
        if (quantity is >= 0)
            return quantity;
        if (quantity is { } q)
            lines.Unreadable(columns.HeaderOf(field), $"Line {row.Line}: must be zero or more, not {q}.");
        return null;
    }

    /// <summary>An optional number in one row's cell; an unreadable one is left out with a warning.</summary>
    public decimal? OptionalNumber(TableRow row, string field)
    {
        var text = columns.Cell(row, field);
        if (text is null)
            return null;
        if (Lenient.TryDecimal(text, out var value))
            return value;
        Report(false, field, $"Line {row.Line}: '{text}' is not a number.");
        return null;
    }

    void Report(bool reject, string field, string message)
    {
        if (reject)
            problems.Error(columns.HeaderOf(field), message);
        else
            problems.Warn(columns.HeaderOf(field), message + " Left out.");
    }

    (TableRow Row, string Text)? First(string field)
    {
        foreach (var row in rows)
        {
            if (columns.Cell(row, field) is { } text)
                return (row, text);
        }
        return null;
    }
}

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

    static readonly string[] LineFields = [Sku, ProductId, ProductName, Quantity, UnitPrice, LineTotal];

    /// <summary>
    /// Rows with the same <paramref name="groupField"/> value form one order, in order of first appearance.
    /// A row with no key but line cells continues the order above it (exports that write the order's fields
    /// only once); a row with neither starts an order of its own, which then reports its missing id.
    /// Blank rows are skipped.
    /// </summary>
    public static IEnumerable<TableOrder> Read(
        Table table, FormatContext context, IReadOnlyDictionary<string, string[]> aliases, string groupField,
        Func<TableOrderRows, ReadOrder> map)
    {
        var columns = new TableColumns(table.Header, aliases, context.ColumnMap);
        var groups = new List<List<TableRow>>();
        var byKey = new Dictionary<string, List<TableRow>>(StringComparer.Ordinal);
        List<TableRow>? previous = null;
        foreach (var row in table.Rows)
        {
            if (row.Cells.All(string.IsNullOrWhiteSpace))
                continue;
            var key = columns.Cell(row, groupField);
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
            var problems = new ReadProblems();
            problems.Errors.AddRange(columns.MapErrors);
            var read = map(new TableOrderRows(columns, rows, context, problems));
            yield return new TableOrder(rows[0].Line, read, columns.Raw(rows));
        }
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
            var price = o.Text(row, UnitPrice) is null && lineTotal is { } t && quantity is { } q && q != 0 ? t / q : o.LineAmount(row, UnitPrice, lines);
            if (quantity is null || price is null || kind is null)
                continue;
            var discount = o.OptionalNumber(row, LineDiscount);
            lines.Add(new OrderLine(
                o.Text(row, Sku),
                o.Text(row, ProductId),
                o.Text(row, ProductName),
                quantity.Value,
                price.Value,
                lineTotal ?? FormatSupport.LineAmount(quantity.Value, price.Value, discount),
                kind.Value) { Discount = discount is { } d && d != 0 ? d : null });
        }
        return lines.Lines;
    }

    /// <summary>A canonical kind name ("shipping") or, failing that, a Keap item type ("DISCOUNT_ORDER").</summary>
    public static LineKind? Kind(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return LineKind.Product;
        if (!int.TryParse(text, out _) && Enum.TryParse<LineKind>(text.Trim(), ignoreCase: true, out var kind) && Enum.IsDefined(kind))
            return kind;
        return KeapFormat.ItemKind(text);
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
