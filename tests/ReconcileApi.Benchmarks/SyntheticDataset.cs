using ReconcileApi.Engine;

namespace ReconcileApi.Benchmarks;

/// <summary>
/// A seeded store/Keap dataset with known discrepancies: ~2 % missing on each side, ~2 % of each
/// field mismatch, some duplicates, some orders without a usable reference (for the fuzzy pass),
/// 3 product lines per order on average. <see cref="Expected"/> holds the identity of every
/// finding the engine must report, and nothing else.
/// </summary>
public sealed class SyntheticDataset
{
    public required List<CanonicalOrder> Store { get; init; }
    public required List<CanonicalOrder> Keap { get; init; }
    public required HashSet<string> Expected { get; init; }

    const int Products = 500;
    static readonly DateTime Start = new(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);
    static readonly TimeSpan Span = TimeSpan.FromDays(30);

    /// <param name="shuffle">
    /// Shuffle both lists (the default): list order then says nothing about where an order lies in
    /// memory, the worst case. Without it each list is in creation order, as when orders are read
    /// from a database or a file one after the other.
    /// </param>
    public static SyntheticDataset Generate(int orders, int seed, bool shuffle = true)
    {
        var rng = new Random(seed);
        var catalog = new OrderLine[Products * 3];
        for (var p = 0; p < Products; p++)
            for (var q = 1; q <= 3; q++)
                catalog[p * 3 + q - 1] = new OrderLine($"SKU-{p:D4}", $"{8000000 + p}", $"Product {p}", q, p % 97 + 1.99m);
        var shippingLine = new OrderLine(null, null, "Shipping", 1, 5.00m, Kind: LineKind.Shipping);
        var customers = Math.Max(1, orders / 5);
        var step = Span.Ticks / Math.Max(1, orders);

        var store = new List<CanonicalOrder>(orders + orders / 50);
        var keap = new List<CanonicalOrder>(orders + orders / 50);
        // Missing orders count only if they are not pending: decided once both sides are known.
        var storeOnly = new List<CanonicalOrder>();
        var keapOnly = new List<CanonicalOrder>();
        var expected = new HashSet<string>(StringComparer.Ordinal);

        for (var i = 0; i < orders; i++)
        {
            var key = (1000000 + i).ToString();
            var date = new DateTime(Start.Ticks + i * step, DateTimeKind.Utc);
            var lineCount = 2 + rng.Next(3);
            var lines = new OrderLine[lineCount + 1];
            var subtotal = 0m;
            var firstProduct = rng.Next(Products - lineCount);
            for (var l = 0; l < lineCount; l++)
            {
                // Distinct products within an order, so a changed quantity is one difference.
                var line = catalog[(firstProduct + l) * 3 + rng.Next(3)];
                lines[l] = line;
                subtotal += line.Quantity * line.UnitPrice;
            }
            lines[lineCount] = shippingLine;
            var tax = Math.Round(subtotal * 0.08m, 2);
            var total = subtotal + tax + shippingLine.UnitPrice;
            var email = $"customer{rng.Next(customers)}@example.com";
            var s = new CanonicalOrder
            {
                OrderId = (450000000L + i).ToString(),
                OrderNumber = "#" + key,
                CustomerEmail = email,
                OrderDate = date,
                Currency = "USD",
                Total = total,
                Subtotal = subtotal,
                Tax = tax,
                Shipping = shippingLine.UnitPrice,
                Discount = 0m,
                AmountPaid = total,
                AmountRefunded = 0m,
                Status = "paid",
                Lines = lines,
            };
            var k = new CanonicalOrder
            {
                OrderId = "K" + i,
                OrderNumber = "Shopify Order #" + key,
                CustomerEmail = rng.Next(20) == 0 ? "  " + email.ToUpperInvariant() + " " : email,
                OrderDate = date.AddMinutes(rng.Next(5)),
                Currency = "USD",
                Total = total,
                AmountPaid = total,
                AmountRefunded = 0m,
                // Keap's label often lags; the amounts say it is paid.
                Status = rng.Next(10) == 0 ? "SENT" : "PAID",
                Lines = lines,
            };

            var fate = rng.NextDouble();
            if (fate < 0.02)
            {
                storeOnly.Add(s with { CustomerEmail = $"lost{i}@example.com" });
                continue;
            }
            if (fate < 0.04)
            {
                keapOnly.Add(k with { CustomerEmail = $"manual{i}@example.com" });
                continue;
            }
            if (fate < 0.05)
            {
                var guest = $"guest{i}@example.com";
                store.Add(s with { OrderNumber = null, CustomerEmail = guest });
                keap.Add(k with { CustomerEmail = guest });
                expected.Add($"{Category.ProbableMatch}|{key}");
                continue;
            }
            if (fate < 0.055)
            {
                var guest = $"guest{i}@example.com";
                store.Add(s with { CustomerEmail = guest });
                keap.Add(k with { OrderNumber = null, CustomerEmail = guest });
                expected.Add($"{Category.ProbableMatch}|{key}");
                continue;
            }

            if (rng.NextDouble() < 0.02)
            {
                k = k with { Total = total - tax - shippingLine.UnitPrice, AmountPaid = total - tax - shippingLine.UnitPrice };
                expected.Add($"{Category.AmountMismatch}|{key}");
            }
            if (rng.NextDouble() < 0.02)
            {
                // Amounts in another currency are never subtracted: the currency finding replaces an amount one.
                k = k with { Currency = "EUR" };
                expected.Add($"{Category.CurrencyMismatch}|{key}");
                expected.Remove($"{Category.AmountMismatch}|{key}");
            }
            if (rng.NextDouble() < 0.02)
            {
                s = s with { Status = "refunded", AmountRefunded = total };
                expected.Add($"{Category.StatusMismatch}|{key}");
            }
            if (rng.NextDouble() < 0.02)
            {
                k = k with { CustomerEmail = $"other{i}@example.com" };
                expected.Add($"{Category.EmailMismatch}|{key}");
            }
            if (rng.NextDouble() < 0.02)
            {
                k = k with { OrderDate = date.AddHours(30) };
                expected.Add($"{Category.DateMismatch}|{key}");
            }
            if (rng.NextDouble() < 0.02)
            {
                var changed = (OrderLine[])lines.Clone();
                changed[0] = changed[0] with { Quantity = changed[0].Quantity + 1 };
                k = k with { Lines = changed };
                expected.Add($"{Category.LineItemsMismatch}|{key}");
            }
            store.Add(s);
            keap.Add(k);
            var dup = rng.NextDouble();
            if (dup < 0.005)
            {
                var copy = s with { OrderId = s.OrderId + "-retry", OrderDate = date.AddMinutes(2) };
                store.Add(copy);
                expected.Add($"{Category.DuplicateInStore}|{key}|{copy.OrderId}");
            }
            else if (dup < 0.01)
            {
                var copy = k with { OrderId = k.OrderId + "-retry", OrderDate = k.OrderDate!.Value.AddMinutes(2) };
                keap.Add(copy);
                expected.Add($"{Category.DuplicateInKeap}|{key}|{copy.OrderId}");
            }
        }

        store.AddRange(storeOnly);
        keap.AddRange(keapOnly);
        // Without a window or a run start, the engine looks from the newest order of both sides; younger than the settle time is pending.
        var pendingAfter = store.Concat(keap).Max(o => o.OrderDate!.Value) - TimeSpan.FromMinutes(ReconcileSettings.Default.SettleMinutes);
        foreach (var o in storeOnly.Where(o => o.OrderDate <= pendingAfter))
            expected.Add($"{Category.MissingInKeap}|{o.OrderNumber![1..]}");
        foreach (var o in keapOnly.Where(o => o.OrderDate <= pendingAfter))
            expected.Add($"{Category.MissingInStore}|{o.OrderNumber!["Shopify Order #".Length..]}");

        if (shuffle)
        {
            Shuffle(store, rng);
            Shuffle(keap, rng);
        }
        return new SyntheticDataset { Store = store, Keap = keap, Expected = expected };
    }

    static void Shuffle<T>(List<T> list, Random rng)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}
