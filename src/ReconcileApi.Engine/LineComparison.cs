using System.Runtime.CompilerServices;
using System.Collections.Frozen;

namespace ReconcileApi.Engine;

/// <summary>
/// Compares the product lines of a pair as a multiset keyed by mapped SKU, else product id, else
/// name (trimmed, case-insensitive). Lines of an ignored kind are left out.
/// </summary>
internal sealed class LineComparison
{
    public const string Missing = "missing";
    public const string Extra = "extra";
    public const string Quantity = "quantity";
    public const string UnitPrice = "unit_price";

    readonly bool[] _ignored = new bool[Enum.GetValues<LineKind>().Length];
    readonly FrozenDictionary<string, string> _skuMap;
    readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _skuLookup;
    readonly decimal _priceTolerance;

    public LineComparison(ReconcileSettings settings)
    {
        foreach (var kind in settings.IgnoreLineKinds)
            _ignored[(int)kind] = true;
        _skuMap = settings.SkuMap
            .Where(p => !string.IsNullOrWhiteSpace(p.Key))
            .ToFrozenDictionary(p => p.Key.Trim(), p => p.Value.Trim(), StringComparer.OrdinalIgnoreCase);
        _skuLookup = _skuMap.GetAlternateLookup<ReadOnlySpan<char>>();
        _priceTolerance = settings.AmountTolerance;
    }

    public bool IsCompared(OrderLine line) => !_ignored[(int)line.Kind];

    /// <summary>Whether a store SKU has an entry in the SKU map.</summary>
    public bool IsMapped(string? storeSku) => storeSku is not null && _skuLookup.ContainsKey(storeSku.AsSpan().Trim());

    /// <summary>The comparison key of a line; store SKUs go through the SKU map.</summary>
    public ReadOnlySpan<char> Key(OrderLine line, OrderSource source)
    {
        var sku = line.Sku.AsSpan().Trim();
        if (!sku.IsEmpty)
        {
            if (source == OrderSource.Store && _skuMap.Count > 0 && _skuLookup.TryGetValue(sku, out var mapped))
                return mapped;
            return sku;
        }
        var productId = line.ProductId.AsSpan().Trim();
        return productId.IsEmpty ? line.Name.AsSpan().Trim() : productId;
    }

    /// <summary>
    /// An order-insensitive fingerprint of the compared lines (key, quantity, unit price): equal
    /// fingerprints mean the same lines; different ones are confirmed by <see cref="SameLines"/>.
    /// </summary>
    public ulong Fingerprint(IReadOnlyList<OrderLine> lines, OrderSource source)
    {
        ulong sum = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (!IsCompared(line))
                continue;
            var key = Engine.Fingerprint.OfFolded(Key(line, source));
            sum += Engine.Fingerprint.Mix(key.A ^ Engine.Fingerprint.Mix(Bits(line.Quantity) ^ (Bits(line.UnitPrice) * 31)) ^ key.B);
        }
        return sum;
    }

    /// <summary>
    /// The decimal's representation, not its value: 2.0 and 2.00 differ here, which only sends such a
    /// pair to the exact comparison (cheaper than normalizing every value).
    /// </summary>
    static ulong Bits(decimal d)
    {
        var u = System.Runtime.CompilerServices.Unsafe.As<decimal, UInt128>(ref d);
        return Engine.Fingerprint.Mix((ulong)u ^ (ulong)(u >> 64) * 0x9E3779B97F4A7C15);
    }

    /// <summary>
    /// Allocation-free check that both sides hold the same lines (same key, quantity and unit price,
    /// one for one). False means "maybe different": <see cref="Differences"/> decides.
    /// </summary>
    public bool SameLines(IReadOnlyList<OrderLine> store, IReadOnlyList<OrderLine> keap)
    {
        if (keap.Count > 64)
            return false;
        ulong used = 0;
        for (var i = 0; i < store.Count; i++)
        {
            var s = store[i];
            if (!IsCompared(s))
                continue;
            var key = Key(s, OrderSource.Store);
            var found = false;
            for (var j = 0; j < keap.Count; j++)
            {
                var k = keap[j];
                if ((used & (1UL << j)) != 0 || !IsCompared(k) || k.Quantity != s.Quantity
                    || Math.Abs(k.UnitPrice - s.UnitPrice) > _priceTolerance
                    || !key.Equals(Key(k, OrderSource.Keap), StringComparison.OrdinalIgnoreCase))
                    continue;
                used |= 1UL << j;
                found = true;
                break;
            }
            if (!found)
                return false;
        }
        for (var j = 0; j < keap.Count; j++)
            if ((used & (1UL << j)) == 0 && IsCompared(keap[j]))
                return false;
        return true;
    }

    /// <summary>The differences between the lines of both sides, aggregated per key, in key order.</summary>
    public List<LineDifference> Differences(IReadOnlyList<OrderLine> store, IReadOnlyList<OrderLine> keap)
    {
        var s = Aggregate(store, OrderSource.Store);
        var k = Aggregate(keap, OrderSource.Keap);
        var diffs = new List<LineDifference>();
        foreach (var (key, sl) in s)
        {
            if (!k.TryGetValue(key, out var kl))
                diffs.Add(new(sl.Display, Missing, sl.Quantity, null, sl.UnitPrice, null));
            else if (sl.Quantity != kl.Quantity)
                diffs.Add(new(sl.Display, Quantity, sl.Quantity, kl.Quantity, sl.UnitPrice, kl.UnitPrice));
            else if (Math.Abs(sl.UnitPrice - kl.UnitPrice) > _priceTolerance)
                diffs.Add(new(sl.Display, UnitPrice, sl.Quantity, kl.Quantity, sl.UnitPrice, kl.UnitPrice));
        }
        foreach (var (key, kl) in k)
            if (!s.ContainsKey(key))
                diffs.Add(new(kl.Display, Extra, null, kl.Quantity, null, kl.UnitPrice));
        diffs.Sort((a, b) => string.CompareOrdinal(a.Line, b.Line) is var c && c != 0 ? c : string.CompareOrdinal(a.Kind, b.Kind));
        return diffs;
    }

    internal sealed record Aggregated(string Display, decimal Quantity, decimal UnitPrice, OrderLine First);

    internal SortedDictionary<string, Aggregated> Aggregate(IReadOnlyList<OrderLine> lines, OrderSource source)
    {
        var result = new SortedDictionary<string, Aggregated>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines)
        {
            if (!IsCompared(line))
                continue;
            var key = new string(Key(line, source));
            // Several lines of one product (split lines) count as one: quantities add up, the price is their average.
            result[key] = result.TryGetValue(key, out var a)
                ? a with
                {
                    Quantity = a.Quantity + line.Quantity,
                    UnitPrice = a.Quantity + line.Quantity == 0 ? a.UnitPrice
                        : (a.Quantity * a.UnitPrice + line.Quantity * line.UnitPrice) / (a.Quantity + line.Quantity),
                }
                : new Aggregated(key, line.Quantity, line.UnitPrice, line);
        }
        return result;
    }
}
