namespace ReconcileApi.Engine;

/// <summary>What the engine reads from an order once, before matching.</summary>
/// <remarks>Comparing two of these settles most pairs without touching the orders themselves.</remarks>
internal struct NormalizedOrder
{
    /// <summary>The order key's fingerprint, <see cref="Fingerprint.None"/> when the order number gives none.</summary>
    public Fingerprint Key;
    /// <summary>64 bits of the fingerprint (0 = blank): a difference is always confirmed exactly, so only "same" relies on it.</summary>
    public ulong Email;
    public ulong Currency;
    public ulong Lines;
    /// <summary>The order date as UTC ticks, or <see cref="Normalizer.NoDate"/>.</summary>
    public long Ticks;
    public decimal Total;
    public PaymentState? State;
    /// <summary>What is still to collect and what was refunded (<see cref="PaymentPosition"/>), as one fingerprint: equal means the same money.</summary>
    public ulong Payment;

    public readonly bool HasKey => !Key.IsNone;
}

/// <summary>
/// What normalization reads of an order, and nothing more: a list that keeps its orders in another form implements
/// <see cref="IOrderFactsList"/> and gives these without building each order (see <see cref="Normalizer.NormalizeAll"/>).
/// </summary>
public ref struct OrderFacts
{
    public ReadOnlySpan<char> OrderNumber;
    public ReadOnlySpan<char> CustomerEmail;
    public string? Currency;
    public string? Status;
    public DateTime? OrderDate;
    public decimal Total;
    public decimal? AmountPaid;
    public decimal? AmountRefunded;
    public string? SourceType;
    /// <summary>The lines, unless <see cref="LinesPrint"/> gives what the engine reads of them.</summary>
    public IReadOnlyList<OrderLine> Lines;
    /// <summary>
    /// The sum of <see cref="FactsScratch.PrintLine"/> over the lines, when the list read them that way instead of
    /// building them (then <see cref="Lines"/> is empty).
    /// </summary>
    public ulong? LinesPrint;

    public static OrderFacts Of(CanonicalOrder o) => new()
    {
        OrderNumber = o.OrderNumber, CustomerEmail = o.CustomerEmail, Currency = o.Currency, Status = o.Status, OrderDate = o.OrderDate,
        Total = o.Total, AmountPaid = o.AmountPaid, AmountRefunded = o.AmountRefunded, SourceType = o.SourceType, Lines = o.Lines,
    };
}

/// <summary>
/// A list of orders held in another form (the service's binary form) that reads an order's <see cref="OrderFacts"/>
/// without building the order. A run normalizes every order once and builds again only those it compares or reports:
/// read this way, the normalize pass makes no order, no strings and no line array per order.
/// </summary>
public interface IOrderFactsList : IReadOnlyList<CanonicalOrder>
{
    /// <summary>The facts of order <paramref name="index"/>; their text and lines may live in <paramref name="scratch"/> until its next use.</summary>
    OrderFacts Facts(int index, FactsScratch scratch);
}

/// <summary>What the engine reads of a line to fingerprint an order's lines (<see cref="FactsScratch.PrintLine"/>).</summary>
public ref struct LineFacts
{
    public LineKind Kind;
    public ReadOnlySpan<char> Sku;
    public ReadOnlySpan<char> Name;
    public decimal Quantity;
    public decimal UnitPrice;

    public static LineFacts Of(OrderLine l) => new() { Kind = l.Kind, Sku = l.Sku, Name = l.Name, Quantity = l.Quantity, UnitPrice = l.UnitPrice };
}

/// <summary>A line's share of its order's line fingerprint.</summary>
public delegate ulong LinePrinter(in LineFacts line);

/// <summary>Room one thread reuses for the facts of one order after another (<see cref="IOrderFactsList"/>).</summary>
public sealed class FactsScratch
{
    public char[] Text = new char[256];
    /// <summary>Room for a line's text, apart from <see cref="Text"/> (which holds the order's number and email meanwhile).</summary>
    public char[] LineText = new char[256];
    public readonly List<OrderLine> Lines = [];
    /// <summary>
    /// Set by the normalize pass: a list that can read a line's <see cref="LineFacts"/> without building the line gives
    /// the sum of this over the lines as <see cref="OrderFacts.LinesPrint"/>; unset, it gives the lines.
    /// </summary>
    public LinePrinter? PrintLine;

    /// <summary>Room for <paramref name="length"/> characters of text, grown when needed (its content is not kept).</summary>
    public char[] TextOf(int length) => Room(ref Text, length);

    /// <summary>As <see cref="TextOf"/>, for a line's text.</summary>
    public char[] LineTextOf(int length) => Room(ref LineText, length);

    static char[] Room(ref char[] buffer, int length) => buffer.Length >= length ? buffer : buffer = new char[Math.Max(length, buffer.Length * 2)];
}

/// <summary>Normalizes the orders of one source: key, instant, canonical state.</summary>
internal sealed class Normalizer(OrderSource source, ReconcileSettings settings, TimeZoneInfo zone, LineComparison lines, Tuning tuning)
{
    public const long NoDate = long.MinValue;

    readonly OrderKeyPattern _keys = new(source == OrderSource.Store ? settings.StoreKeyPattern : settings.KeapKeyPattern, tuning.KeyPatternBudget);
    readonly StatusMap _statuses = new(source, settings.StatusMap.GetValueOrDefault(source));
    readonly bool _utcZone = zone == TimeZoneInfo.Utc || zone.Id is "UTC" or "Etc/UTC";

    public OrderSource Source => source;

    public NormalizedOrder[] NormalizeAll(IReadOnlyList<CanonicalOrder> orders)
    {
        var result = new NormalizedOrder[orders.Count];
        // Hints help only orders already on the heap: a list that builds each order when read (the service's
        // stored orders, decoded from their binary form) would build it twice.
        var prefetch = tuning.Prefetch && orders is CanonicalOrder[] or List<CanonicalOrder>;
        var facts = orders as IOrderFactsList;
        tuning.ForRanges(orders.Count, (from, to) =>
        {
            var memo = new Memo();
            var scratch = facts is null ? null : new FactsScratch { PrintLine = (in LineFacts line) => lines.Print(line, source) };
            for (var i = from; i < to; i++)
            {
                if (prefetch)
                    Prefetch.Order(orders, i, to);
                result[i] = Normalize(facts is null ? OrderFacts.Of(orders[i]) : facts.Facts(i, scratch!), ref memo);
            }
        });
        return result;
    }

    /// <summary>
    /// The last status and currency seen and what they gave: most orders repeat the previous
    /// order's, and a string compare is cheaper than a case-insensitive lookup or a hash.
    /// </summary>
    struct Memo
    {
        public string? Status;
        public PaymentState? Label;
        public string? Currency;
        public ulong CurrencyPrint;
    }

    public NormalizedOrder Normalize(CanonicalOrder order)
    {
        var memo = new Memo();
        return Normalize(OrderFacts.Of(order), ref memo);
    }

    NormalizedOrder Normalize(in OrderFacts order, ref Memo memo)
    {
        if (!string.Equals(order.Status, memo.Status, StringComparison.Ordinal) || memo.Status is null)
            (memo.Status, memo.Label) = (order.Status, _statuses.Label(order.Status));
        if (!string.Equals(order.Currency, memo.Currency, StringComparison.Ordinal) || memo.Currency is null)
            (memo.Currency, memo.CurrencyPrint) = (order.Currency, Fingerprint.OfFolded(order.Currency).A);
        var state = _statuses.Map(order.Total, order.AmountPaid, order.AmountRefunded, memo.Label);
        var payment = PaymentPosition.Of(order.Total, order.AmountPaid, order.AmountRefunded, state);
        return new NormalizedOrder
        {
            Key = SoldInKeap(order.SourceType) ? Fingerprint.None : _keys.Fingerprint(order.OrderNumber),
            Email = Fingerprint.OfFolded(order.CustomerEmail).A,
            Currency = memo.CurrencyPrint,
            Lines = order.LinesPrint ?? lines.Fingerprint(order.Lines, source),
            Ticks = Instant(order.OrderDate),
            Total = order.Total,
            State = state,
            Payment = Fingerprint.Mix(Scaled(payment.Outstanding) ^ Fingerprint.Mix(Scaled(payment.Refunded))),
        };
    }

    /// <summary>An amount as a whole number of ten-thousandths (its value, not its representation); unknown → a value no amount has.</summary>
    static ulong Scaled(decimal? amount) => amount is { } a && Math.Abs(a) < 1e14m ? (ulong)(long)decimal.Round(a * 10_000m) : 0x8000_0000_0000_0001UL;

    /// <summary>The order's key as reported in findings, or null when it has none.</summary>
    public string? Key(CanonicalOrder order) => SoldInKeap(order.SourceType) ? null : _keys.Extract(order.OrderNumber);

    /// <summary>
    /// A Keap order sold through Keap's own checkout form (<c>source_type</c> CHECKOUT_FORM) has no store reference,
    /// whatever its title: Keap titles such sales itself ("Online Order #1234", OrderV2's example), with Keap's number,
    /// and a connector writes through the API, never through a checkout form. Its title yields no key, so it never pairs
    /// with the store order of that number. Orders typed in by hand or invoiced keep their key: a person re-entering a
    /// store order types its reference.
    /// </summary>
    bool SoldInKeap(string? sourceType) =>
        source == OrderSource.Keap && sourceType is not null && sourceType.AsSpan().Trim().Equals("CHECKOUT_FORM", StringComparison.OrdinalIgnoreCase);

    /// <summary>An order date as an instant: UTC as is, local converted, unspecified read in the settings zone.</summary>
    public long Instant(DateTime? value)
    {
        if (value is not { } d)
            return NoDate;
        return d.Kind switch
        {
            DateTimeKind.Utc => d.Ticks,
            DateTimeKind.Local => d.ToUniversalTime().Ticks,
            _ when _utcZone => d.Ticks,
            _ => TimeZones.ToUtc(d, zone).Ticks,
        };
    }
}
