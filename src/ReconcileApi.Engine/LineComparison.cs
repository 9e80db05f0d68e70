using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace ReconcileApi.Engine;

/// <summary>
/// Compares the product lines of a pair, on one basis, only when both sides list lines. Lines are
/// paired by SKU (store SKUs through the SKU map), then — where a side has no SKU — by normalized
/// name, then by quantity and price. Product ids are each system's own and never compared. A line
/// removed by an edit (quantity 0) is not a line. Prices agree when they agree on any basis both sides
/// can state: as listed, after the line's discount, with or without its tax.
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

    /// <summary>A line that takes part in the comparison: a kind not ignored, still on the order.</summary>
    public bool IsCompared(OrderLine line) => IsCompared(line.Kind, line.Quantity);

    bool IsCompared(LineKind kind, decimal quantity) => !_ignored[(int)kind] && quantity != 0;

    public bool HasCompared(IReadOnlyList<OrderLine> lines)
    {
        for (var i = 0; i < lines.Count; i++)
            if (IsCompared(lines[i]))
                return true;
        return false;
    }

    /// <summary>Whether a store SKU has an entry in the SKU map.</summary>
    public bool IsMapped(string? storeSku) => storeSku is not null && _skuLookup.ContainsKey(storeSku.AsSpan().Trim());

    /// <summary>The SKU both systems know a line by: store SKUs go through the SKU map; empty when the line has none.</summary>
    public ReadOnlySpan<char> Sku(OrderLine line, OrderSource source) => Sku(line.Sku, source);

    ReadOnlySpan<char> Sku(ReadOnlySpan<char> text, OrderSource source)
    {
        var sku = text.Trim();
        if (!sku.IsEmpty && source == OrderSource.Store && _skuMap.Count > 0 && _skuLookup.TryGetValue(sku, out var mapped))
            return mapped;
        return sku;
    }

    /// <summary>
    /// An order-insensitive fingerprint of the compared lines (SKU or name, quantity, unit price), 0 when
    /// there are none: equal fingerprints mean the same lines; different ones go to <see cref="Differences"/>.
    /// </summary>
    public ulong Fingerprint(IReadOnlyList<OrderLine> lines, OrderSource source)
    {
        ulong sum = 0;
        for (var i = 0; i < lines.Count; i++)
            sum += Print(LineFacts.Of(lines[i]), source);
        return sum;
    }

    /// <summary>One line's share of <see cref="Fingerprint"/>: 0 for a line not compared, odd otherwise.</summary>
    public ulong Print(in LineFacts line, OrderSource source)
    {
        if (!IsCompared(line.Kind, line.Quantity))
            return 0;
        var sku = Sku(line.Sku, source);
        var key = Engine.Fingerprint.OfFolded(sku.IsEmpty ? line.Name : sku);
        return Engine.Fingerprint.Mix(key.A ^ Engine.Fingerprint.Mix(Bits(line.Quantity) ^ (Bits(line.UnitPrice) * 31)) ^ key.B) | 1;
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

    /// <summary>One side's lines of one product, summed (split lines count as one).</summary>
    internal sealed class Item(string? sku, string name, string display, OrderLine first)
    {
        public string? Sku { get; } = sku;
        /// <summary>Lower-case letters and digits separated by single spaces.</summary>
        public string Name { get; } = name;
        public string Display { get; } = display;
        public OrderLine First { get; } = first;
        public decimal Quantity, Value, Discount, Tax;
        public int Lines, DiscountLines, TaxLines;

        /// <summary>Known for the product only when known for each of its lines.</summary>
        public bool DiscountKnown => DiscountLines == Lines;
        public bool TaxKnown => TaxLines == Lines;

        public decimal UnitPrice => Quantity == 0 ? 0 : Value / Quantity;

        /// <summary>Several products of one name as one (variants one Keap product stands for).</summary>
        public static Item Merge(List<Item> items)
        {
            if (items.Count == 1)
                return items[0];
            var first = items[0];
            var merged = new Item(null, first.Name, first.First.Name?.Trim() ?? first.Name, first.First);
            foreach (var i in items)
            {
                merged.Quantity += i.Quantity;
                merged.Value += i.Value;
                merged.Discount += i.Discount;
                merged.Tax += i.Tax;
                merged.Lines += i.Lines;
                merged.DiscountLines += i.DiscountLines;
                merged.TaxLines += i.TaxLines;
            }
            return merged;
        }

        /// <summary>What one unit costs net of tax and discount, as near as the side tells (for money at stake).</summary>
        public decimal NetUnit(bool? taxesIncluded) =>
            Quantity == 0 ? 0 : (Value - Discount - (taxesIncluded == true && TaxKnown ? Tax : 0)) / Quantity;

        List<decimal>? _prices;

        /// <summary>Unit prices this line can be said to have (made once: an order's side has one <paramref name="taxesIncluded"/>).</summary>
        public List<decimal> Prices(bool? taxesIncluded) => _prices ??= MakePrices(taxesIncluded);

        List<decimal> MakePrices(bool? taxesIncluded)
        {
            var prices = new List<decimal>(5) { UnitPrice };
            // No unit to spread a discount or a tax over (a line of quantity 0, or lines that cancel out).
            if (Quantity == 0)
                return prices;
            if (DiscountKnown && Discount != 0)
                prices.Add((Value - Discount) / Quantity);
            if (TaxKnown && Tax != 0)
            {
                var perUnit = Tax / Quantity * (taxesIncluded == true ? -1 : 1);
                for (var i = prices.Count - 1; i >= 0; i--)
                    prices.Add(prices[i] + perUnit);
                // A tax charged on the discounted price (WooCommerce's total_tax, "after discounts"; Shopify's tax_lines) at the
                // same rate on the price before the discount: the net price with its tax as a shop entering prices with tax
                // lists it (WooCommerce's subtotal + subtotal_tax), which Keap copies as the item's price beside a gross coupon.
                if (DiscountKnown && Discount != 0 && taxesIncluded != true && TaxRateAfterDiscount(Value, Discount, Tax) is { } rate)
                    prices.Add(UnitPrice * (1 + rate));
            }
            return prices;
        }
    }

    /// <summary>
    /// The rate of a discounted line's tax, charged on what its discount left of its value (WooCommerce's total_tax is "after
    /// discounts", as Shopify's tax_lines); null when the line has no tax or nothing left, or the rate is above 100 %: that is
    /// no tax rate (and a price grown by it could overflow).
    /// </summary>
    public static decimal? TaxRateAfterDiscount(decimal value, decimal discount, decimal tax) =>
        value - discount is > 0m and var left && tax > 0 && tax <= left ? tax / left : null;

    /// <summary>
    /// The differences between the lines of both sides in key order, or null when lines are not compared
    /// (a side without lines). Prices are compared only when <paramref name="comparePrices"/> (same currency).
    /// </summary>
    public List<LineDifference>? Differences(CanonicalOrder store, CanonicalOrder keap, bool comparePrices, out decimal storeValue, out decimal keapValue)
    {
        (storeValue, keapValue) = (0, 0);
        var (sv, kv) = (0m, 0m);
        var s = Aggregate(store.Lines, OrderSource.Store);
        var k = Aggregate(keap.Lines, OrderSource.Keap);
        if (s.Count == 0 || k.Count == 0)
            return null;
        // Prices of a tax-inclusive line whose tax is unknown cannot be set against a net price.
        comparePrices &= (store.TaxesIncluded == true) == (keap.TaxesIncluded == true)
            || (store.TaxesIncluded == true ? s.All(i => i.TaxKnown) : k.All(i => i.TaxKnown));

        var pairs = new List<(Item S, Item K)>();
        // 1. The same SKU (a side has one item per SKU).
        PairBySku(s, k, pairs);
        // 2. Where a side has no SKU: the same name — all lines of that name together, since one Keap
        // product often stands for several store variants; 3. then the same quantity and price.
        PairByName(s, k, pairs);
        PairByQuantity(s, k, pairs, (a, b) => !comparePrices || SamePrice(a, b, store, keap));

        var diffs = new List<LineDifference>();
        foreach (var (a, b) in pairs)
        {
            if (a.Quantity != b.Quantity)
                Add(diffs, new(a.Display, Quantity, a.Quantity, b.Quantity, a.UnitPrice, b.UnitPrice), a, b);
            else if (comparePrices && !SamePrice(a, b, store, keap))
                Add(diffs, new(a.Display, UnitPrice, a.Quantity, b.Quantity, a.UnitPrice, b.UnitPrice), a, b);
        }
        // A zero-priced line on one side only is a bundle's component or a free item: no difference of goods or money.
        foreach (var a in s.Where(i => i.Value != 0))
            Add(diffs, new(a.Display, Missing, a.Quantity, null, a.UnitPrice, null), a, null);
        foreach (var b in k.Where(i => i.Value != 0))
            Add(diffs, new(b.Display, Extra, null, b.Quantity, null, b.UnitPrice), null, b);
        diffs.Sort((x, y) => string.CompareOrdinal(x.Line, y.Line) is var c && c != 0 ? c : string.CompareOrdinal(x.Kind, y.Kind));
        (storeValue, keapValue) = (sv, kv);
        return diffs;

        void Add(List<LineDifference> list, LineDifference d, Item? a, Item? b)
        {
            list.Add(d);
            if (a is not null)
                sv += a.Quantity * a.NetUnit(store.TaxesIncluded);
            if (b is not null)
                kv += b.Quantity * b.NetUnit(keap.TaxesIncluded);
        }
    }

    // Each pass looks items up by their key instead of scanning the other side for every item: an order of 10,000 lines a side
    // took 5–11 s of a run this way (the fifth probe), and a workspace could hold a run's worker with such orders.

    static void PairBySku(List<Item> s, List<Item> k, List<(Item, Item)> pairs)
    {
        var bySku = new Dictionary<string, Item>(StringComparer.OrdinalIgnoreCase);
        foreach (var b in k)
        {
            if (b.Sku is not null)
                bySku.TryAdd(b.Sku, b);
        }
        var paired = new HashSet<Item>(ReferenceEqualityComparer.Instance);
        foreach (var a in s)
        {
            if (a.Sku is not null && bySku.Remove(a.Sku, out var b))
            {
                pairs.Add((a, b));
                paired.Add(a);
                paired.Add(b);
            }
        }
        s.RemoveAll(paired.Contains);
        k.RemoveAll(paired.Contains);
    }

    static void PairByName(List<Item> s, List<Item> k, List<(Item, Item)> pairs)
    {
        var (sByName, kByName) = (ByName(s), ByName(k));
        var paired = new HashSet<Item>(ReferenceEqualityComparer.Instance);
        foreach (var (name, sg) in sByName)
        {
            if (name.Length == 0 || !kByName.TryGetValue(name, out var kg) || !(sg.TrueForAll(i => i.Sku is null) || kg.TrueForAll(i => i.Sku is null)))
                continue;
            pairs.Add((Item.Merge(sg), Item.Merge(kg)));
            paired.UnionWith(sg);
            paired.UnionWith(kg);
        }
        s.RemoveAll(paired.Contains);
        k.RemoveAll(paired.Contains);

        // The items of each name in their order, the names in the order they first appear (a Dictionary enumerates so while nothing is removed).
        static Dictionary<string, List<Item>> ByName(List<Item> items)
        {
            var byName = new Dictionary<string, List<Item>>(StringComparer.Ordinal);
            foreach (var i in items)
                (byName.TryGetValue(i.Name, out var list) ? list : byName[i.Name] = []).Add(i);
            return byName;
        }
    }

    /// <summary>
    /// Each store item, in order, with the first Keap item left of the same quantity that <paramref name="match"/> accepts, where
    /// one of the two has no SKU (two SKUs that differ are two products): a store item with a SKU looks only at Keap items without.
    /// </summary>
    static void PairByQuantity(List<Item> s, List<Item> k, List<(Item, Item)> pairs, Func<Item, Item, bool> match)
    {
        // Per quantity, the Keap items without a SKU and those with one, each with its place in k.
        var byQuantity = new Dictionary<decimal, (List<(int At, Item Item)> NoSku, List<(int At, Item Item)> Sku)>();
        for (var at = 0; at < k.Count; at++)
        {
            if (!byQuantity.TryGetValue(k[at].Quantity, out var group))
                byQuantity[k[at].Quantity] = group = ([], []);
            (k[at].Sku is null ? group.NoSku : group.Sku).Add((at, k[at]));
        }
        var paired = new HashSet<Item>(ReferenceEqualityComparer.Instance);
        foreach (var a in s)
        {
            if (!byQuantity.TryGetValue(a.Quantity, out var group))
                continue;
            var i = group.NoSku.FindIndex(b => match(a, b.Item));
            var j = a.Sku is null ? group.Sku.FindIndex(b => match(a, b.Item)) : -1;
            // The first in k's order of the two.
            var list = j >= 0 && (i < 0 || group.Sku[j].At < group.NoSku[i].At) ? group.Sku : group.NoSku;
            var index = list == group.Sku ? j : i;
            if (index < 0)
                continue;
            pairs.Add((a, list[index].Item));
            paired.Add(a);
            paired.Add(list[index].Item);
            list.RemoveAt(index);
        }
        s.RemoveAll(paired.Contains);
        k.RemoveAll(paired.Contains);
    }

    /// <summary>
    /// Whether two items have one price: any unit price each side can be said to have within the amount tolerance, or within
    /// half the currency's smallest unit — a net price worked out of a tax-inclusive one (1,163.67 yen) is written in whole
    /// minor units on the other side (1,164), and in a currency without cents that is more than the tolerance's 0.01.
    /// </summary>
    bool SamePrice(Item a, Item b, CanonicalOrder store, CanonicalOrder keap)
    {
        var tolerance = Math.Max(_priceTolerance, Currencies.MinorUnit(store.Currency ?? keap.Currency) / 2);
        var theirs = b.Prices(keap.TaxesIncluded);
        foreach (var p in a.Prices(store.TaxesIncluded))
            foreach (var q in theirs)
                if (Math.Abs(p - q) <= tolerance)
                    return true;
        return false;
    }

    internal List<Item> Aggregate(IReadOnlyList<OrderLine> lines, OrderSource source)
    {
        var items = new List<Item>();
        // An item by its SKU (case ignored), or, without one, by its name.
        var bySku = new Dictionary<string, Item>(StringComparer.OrdinalIgnoreCase);
        var byName = new Dictionary<string, Item>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            if (!IsCompared(line))
                continue;
            var sku = Sku(line, source);
            var skuText = sku.IsEmpty ? null : new string(sku);
            // Paired by the SKU's canonical decomposition, as its fingerprint has it: an accent typed either way is one SKU.
            var skuKey = skuText is null ? null : CanonicalText.Decomposed(sku) ?? skuText;
            var name = NormalizedName(line.Name);
            var index = skuKey is not null ? bySku : byName;
            if (!index.TryGetValue(skuKey ?? name, out var item))
            {
                items.Add(item = new Item(skuKey, name, skuText ?? line.Name?.Trim() ?? "", line));
                index[skuKey ?? name] = item;
            }
            // Several lines of one product (split lines) count as one: quantities and amounts add up.
            item.Lines++;
            item.Quantity += line.Quantity;
            item.Value += line.Quantity * line.UnitPrice;
            if ((line.Discount ?? (line.LineTotal is { } total ? line.Quantity * line.UnitPrice - total : null)) is { } discount)
            {
                item.Discount += discount;
                item.DiscountLines++;
            }
            if (line.Tax is { } tax)
            {
                item.Tax += tax;
                item.TaxLines++;
            }
        }
        return items;
    }

    /// <summary>
    /// "Tee - Black / M" → "tee black m": letters (with their accents, canonically decomposed: "Café" typed either way is one
    /// name) and digits, lower-cased, one space between words.
    /// </summary>
    internal static string NormalizedName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
            return "";
        var text = CanonicalText.Decomposed(name) ?? name;
        var sb = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c) || char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark)
            {
                if (space && sb.Length > 0)
                    sb.Append(' ');
                sb.Append(char.ToLowerInvariant(c));
                space = false;
            }
            else
                space = true;
        }
        return sb.ToString();
    }
}
