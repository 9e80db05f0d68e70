namespace ReconcileApi.Features.Orders.Formats;

/// <summary>
/// The lines of one order as they are read. A line whose quantity or price cannot be read makes the
/// order's lines unreadable: the order is stored without lines (so they are not compared) and a warning
/// names each bad field. No line is invented and no amount is taken as zero.
/// </summary>
public sealed class LineReader(ReadProblems problems)
{
    public const string LeftOut = "The order's lines are left out and not compared.";
    readonly List<OrderLine> _lines = [];
    bool _unreadable;

    public void Add(OrderLine line) => _lines.Add(line);

    /// <summary>Records why a line cannot be read; the order keeps no lines.</summary>
    public void Unreadable(string field, string message)
    {
        problems.Warn(field, $"{message} {LeftOut}");
        _unreadable = true;
    }

    public bool IsUnreadable => _unreadable;

    /// <summary>The lines read, or none when any could not be read.</summary>
    public List<OrderLine> Lines => _unreadable ? [] : _lines;
}
