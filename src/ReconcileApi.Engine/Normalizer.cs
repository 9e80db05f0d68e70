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
        tuning.ForRanges(orders.Count, (from, to) =>
        {
            var memo = new Memo();
            for (var i = from; i < to; i++)
            {
                if (prefetch)
                    Prefetch.Order(orders, i, to);
                result[i] = Normalize(orders[i], ref memo);
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
        return Normalize(order, ref memo);
    }

    NormalizedOrder Normalize(CanonicalOrder order, ref Memo memo)
    {
        if (!string.Equals(order.Status, memo.Status, StringComparison.Ordinal) || memo.Status is null)
            (memo.Status, memo.Label) = (order.Status, _statuses.Label(order.Status));
        if (!string.Equals(order.Currency, memo.Currency, StringComparison.Ordinal) || memo.Currency is null)
            (memo.Currency, memo.CurrencyPrint) = (order.Currency, Fingerprint.OfFolded(order.Currency).A);
        var state = _statuses.Map(order, memo.Label);
        var payment = PaymentPosition.Of(order, state);
        return new NormalizedOrder
        {
            Key = _keys.Fingerprint(order.OrderNumber),
            Email = Fingerprint.OfFolded(order.CustomerEmail).A,
            Currency = memo.CurrencyPrint,
            Lines = lines.Fingerprint(order.Lines, source),
            Ticks = Instant(order.OrderDate),
            Total = order.Total,
            State = state,
            Payment = Fingerprint.Mix(Scaled(payment.Outstanding) ^ Fingerprint.Mix(Scaled(payment.Refunded))),
        };
    }

    /// <summary>An amount as a whole number of ten-thousandths (its value, not its representation); unknown → a value no amount has.</summary>
    static ulong Scaled(decimal? amount) => amount is { } a && Math.Abs(a) < 1e14m ? (ulong)(long)decimal.Round(a * 10_000m) : 0x8000_0000_0000_0001UL;

    /// <summary>The order's key as reported in findings, or null when it has none.</summary>
    public string? Key(CanonicalOrder order) => _keys.Extract(order.OrderNumber);

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
