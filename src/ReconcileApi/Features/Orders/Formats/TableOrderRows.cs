namespace ReconcileApi.Features.Orders.Formats;

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

    public FormatContext Context => context;

    /// <summary>An order-level field: the first non-empty cell among the order's rows (normally its first row).</summary>
    public string? Text(string field) => First(field, string.Equals)?.Text;

    public decimal? Money(string field, bool required = false)
    {
        if (First(field, SameNumber) is not { } cell)
        {
            if (required)
                problems.Error(columns.HeaderOf(field), columns.Has(field) ? $"Line {rows[0].Line}: is required." : "Is required: the table has no such column.");
            return null;
        }
        if (TryAmount(cell.Text, out var value, out var outOfRange))
            return value;
        Report(required || outOfRange, field, NotANumber(cell.Row, cell.Text, outOfRange, OrderValidator.MoneyRange));
        return null;
    }

    /// <summary>An order-level date; one that cannot be read rejects the order when <paramref name="strict"/> (the order date).</summary>
    public DateTime? Instant(string field, bool strict = false)
    {
        if (First(field, SameInstant) is not { } cell)
            return null;
        if (Lenient.TryInstant(cell.Text, context.Zone, context.DateOrder, out var utc, out var failure, out var note))
        {
            if (note is not null)
                problems.Warn(columns.HeaderOf(field), $"Line {cell.Row.Line}: {note}");
            if (context.DateOrderShownBy is { } shownBy && !Lenient.TryInstant(cell.Text, context.Zone, null, out _, out var alone) && alone == DateFailure.Ambiguous)
                problems.Warn(columns.HeaderOf(field), $"Line {cell.Row.Line}: '{cell.Text.Trim()}' read {(context.DateOrder == DateOrder.Dmy ? "day" : "month")} first, " +
                    $"as the file writes its dates ({shownBy}); send ?dateOrder=dmy or ?dateOrder=mdy to say so.");
            return utc;
        }
        Report(strict, field, $"Line {cell.Row.Line}: {Lenient.DateProblem(cell.Text, failure)}");
        return null;
    }

    public string? Text(TableRow row, string field) => columns.Cell(row, field);

    /// <summary>A number in one row's cell; null when empty or unreadable (the caller says what that means).</summary>
    public decimal? Number(TableRow row, string field) =>
        columns.Cell(row, field) is { } text && Lenient.TryDecimal(text, out var value) ? value : null;

    /// <summary>A line's price in one row: without it the order's lines cannot be read.</summary>
    public decimal? LineAmount(TableRow row, string field, LineReader lines) => LineNumber(row, field, lines, OrderValidator.MoneyRange, money: true);

    decimal? LineNumber(TableRow row, string field, LineReader lines, string range, bool money = false)
    {
        var text = columns.Cell(row, field);
        if (text is null)
        {
            lines.Unreadable(columns.HeaderOf(field), columns.Has(field) ? $"Line {row.Line}: is empty." : "The table has no such column.");
            return null;
        }
        if (money ? TryAmount(text, out var value, out var outOfRange) : Lenient.TryDecimal(text, out value, out outOfRange))
            return value;
        // Out of range rejects the order, as an amount the validator finds out of bounds does.
        if (outOfRange)
            problems.Error(columns.HeaderOf(field), NotANumber(row, text, outOfRange, range));
        else
            lines.Unreadable(columns.HeaderOf(field), NotANumber(row, text, outOfRange, range));
        return null;
    }

    static string NotANumber(TableRow row, string text, bool outOfRange, string range) =>
        outOfRange ? $"Line {row.Line}: '{text}' must be {range}." : $"Line {row.Line}: '{text}' is not a number." + Lenient.NotANumberHint(text);

    /// <summary>A line's quantity in one row: as <see cref="LineAmount"/>, and a negative one cannot be read either.</summary>
    public decimal? LineQuantity(TableRow row, string field, LineReader lines)
    {
        var quantity = LineNumber(row, field, lines, OrderValidator.QuantityRange);
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
        if (TryAmount(text, out var value, out var outOfRange))
            return value;
        Report(outOfRange, field, NotANumber(row, text, outOfRange, OrderValidator.MoneyRange));
        return null;
    }

    /// <summary>Whether the order is in a currency without minor units (JPY, KRW, …), by its currency cell.</summary>
    bool WholeUnits => _wholeUnits ??= Text("currency")?.Trim().ToUpperInvariant() is { } currency && FormatSupport.MinorUnitScale(currency) == 1m;
    bool? _wholeUnits;

    /// <summary>
    /// An amount: as <see cref="Lenient.TryDecimal(string?, out decimal, out bool)"/>, but in a currency without minor units a
    /// single point before three digits groups thousands (a European-locale export's "12.800" yen is 12,800: 12.8 yen
    /// cannot be).
    /// </summary>
    bool TryAmount(string text, out decimal value, out bool outOfRange) =>
        Lenient.TryDecimal(WholeUnits && GroupedThousands.IsMatch(text) ? text.Replace(".", "") : text, out value, out outOfRange);

    /// <summary>One point, no comma, and three digits after the point: "12.800", "¥12.800", "12.800 JPY".</summary>
    static readonly System.Text.RegularExpressions.Regex GroupedThousands = new(@"^[^.,]*\d\.\d{3}(?!\d)[^.,]*$");

    void Report(bool reject, string field, string message)
    {
        if (reject)
            problems.Error(columns.HeaderOf(field), message);
        else
            problems.Warn(columns.HeaderOf(field), message + " Left out.");
    }

    /// <summary>
    /// The first non-empty cell of an order-level field. Exports write the order's fields on its first row and leave them
    /// empty or repeat them on its other rows; a later row that holds another value (not <paramref name="same"/>: 3 and 3.00
    /// are one amount) is warned about, naming both, and the first is kept.
    /// </summary>
    (TableRow Row, string Text)? First(string field, Func<string, string, bool> same)
    {
        (TableRow Row, string Text)? first = null;
        foreach (var row in rows)
        {
            if (columns.Cell(row, field) is not { } text)
                continue;
            if (first is not { } f)
                first = (row, text);
            else if (!same(f.Text, text))
                problems.WarnOnce(columns.HeaderOf(field),
                    $"Line {row.Line}: '{text}' differs from '{f.Text}' on line {f.Row.Line} of the same order; '{f.Text}' was kept.");
        }
        return first;
    }

    static bool SameNumber(string a, string b) => a == b || (Lenient.TryDecimal(a, out var x) && Lenient.TryDecimal(b, out var y) && x == y);

    bool SameInstant(string a, string b) => a == b
        || (Lenient.TryInstant(a, context.Zone, context.DateOrder, out var x, out _) && Lenient.TryInstant(b, context.Zone, context.DateOrder, out var y, out _) && x == y);
}
