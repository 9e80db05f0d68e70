namespace ReconcileApi.Features.Orders.Formats;

/// <summary>A problem with one field of one incoming order.</summary>
public sealed record FieldError(string Field, string Message);

/// <summary>
/// What a format needs besides the record: the zone for offset-less times, the caller's column map, the order of numeric
/// dates such as 05/06/2026 (null: such a date is ambiguous and rejected, unless a table's own dates show the order — <see cref="DateOrderShownBy"/>), and the side the records come from (null: not said).
/// </summary>
public sealed record FormatContext(TimeZoneInfo Zone, IReadOnlyDictionary<string, string> ColumnMap, DateOrder? DateOrder = null, OrderSource? Side = null)
{
    /// <summary>
    /// Where <see cref="DateOrder"/> was read off the table itself (a date only one order allows, e.g. "line 7: '25/11/2026'"),
    /// not given by the request or the settings: a date it decides is read with a warning naming this.
    /// </summary>
    public string? DateOrderShownBy { get; init; }

    public static FormatContext Utc { get; } = new(TimeZoneInfo.Utc, new Dictionary<string, string>());
}

/// <summary>
/// One order read from a request: the canonical order (possibly partial when <see cref="ReadProblems.Errors"/>
/// is not empty), or <see cref="SkipReason"/> when the format says the record is not an order to reconcile
/// (a Shopify test order).
/// </summary>
public sealed record ReadOrder(CanonicalOrder Order, ReadProblems Problems, string? SkipReason = null)
{
    public static ReadOrder Skipped(string orderId, string reason) => new(new CanonicalOrder { OrderId = orderId }, new ReadProblems(), reason);

    /// <summary>A record that cannot be read as an order at all, for the reason given on <paramref name="field"/> (its id, when known, names it).</summary>
    public static ReadOrder Rejected(string field, string message, string? orderId = null)
    {
        var problems = new ReadProblems();
        problems.Error(field, message);
        return new ReadOrder(new CanonicalOrder { OrderId = orderId ?? "" }, problems);
    }
}

/// <summary>A JSON format: one element of the body's order array → one order.</summary>
public interface IJsonOrderFormat
{
    /// <summary>The <c>?format=</c> value.</summary>
    string Name { get; }

    /// <summary>
    /// What wraps the array in this format's list responses: a property, e.g. "orders" in <c>{"orders": [...]}</c>, or a path of
    /// them, e.g. "data.orders.edges.node" in a GraphQL response (a step into an array is taken in each of its objects).
    /// </summary>
    IReadOnlyList<string> WrapperProperties { get; }

    /// <summary>
    /// Top-level field names of this shape's orders as its vendor documents them: how a JSON body sent without
    /// <c>?format=</c> is recognised (<see cref="OrderFormats.DetectJson"/>).
    /// </summary>
    IReadOnlyList<string> Signature { get; }

    /// <summary>
    /// Top-level field names only this shape has, one of which names it even beside fields a canonical order has too (a GraphQL
    /// order's <c>createdAt</c>): checked before <see cref="Signature"/>. Most shapes have none.
    /// </summary>
    IReadOnlyList<string> Marks => [];

    /// <summary>The top-level field this shape keeps its order id in: what the reader takes the id from, and where a record sent again is looked up (<see cref="SentRecord"/>).</summary>
    string OrderIdField { get; }

    ReadOrder Read(JsonElement element, FormatContext context);

    /// <summary>
    /// The order read straight from its bytes when it is clean — every field of its usual kind, nothing to warn about —
    /// which is cheaper than a document; null when it is not (or the format has no such reader), and <see cref="Read"/> reads it.
    /// </summary>
    CanonicalOrder? TryReadClean(ReadOnlySpan<byte> json, FormatContext context) => null;
}

/// <summary>
/// A table (CSV or the first sheet of a workbook) as header + rows of text cells. <see cref="NotUtf8"/>: the CSV's bytes were
/// not all UTF-8 (a file saved in Windows-1252 or Latin-1), so a U+FFFD in a cell stands for bytes that were not text.
/// </summary>
public sealed record Table(IReadOnlyList<string> Header, IReadOnlyList<TableRow> Rows, bool NotUtf8 = false);

/// <summary>One data row; <see cref="Line"/> is its 1-based line in the file (the header is line 1).</summary>
public sealed record TableRow(int Line, IReadOnlyList<string> Cells);

/// <summary>One order read from one or more rows of a table; <see cref="Line"/> is its first row's line.</summary>
public sealed record TableOrder(int Line, ReadOrder Read, IReadOnlyDictionary<string, string> Raw);

/// <summary>A table format: rows (several per order in Shopify's export) → orders.</summary>
public interface ITableOrderFormat
{
    string Name { get; }

    IEnumerable<TableOrder> Read(Table table, FormatContext context);
}
