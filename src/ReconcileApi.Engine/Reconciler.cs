using System.Text.RegularExpressions;

namespace ReconcileApi.Engine;

/// <summary>
/// The reconciliation engine: pure, no I/O. Normalizes both sides, pairs them on the order key and
/// reports what differs.
/// </summary>
public static class Reconciler
{
    public static ReconciliationResult Reconcile(
        IReadOnlyList<CanonicalOrder> store,
        IReadOnlyList<CanonicalOrder> keap,
        ReconcileSettings settings,
        ReconcileWindow? window = null)
    {
        var storeKey = new Regex(settings.StoreKeyPattern, RegexOptions.CultureInvariant);
        var keapKey = new Regex(settings.KeapKeyPattern, RegexOptions.CultureInvariant);
        var keapByKey = new Dictionary<string, CanonicalOrder>(keap.Count, StringComparer.Ordinal);
        foreach (var order in keap)
            keapByKey.TryAdd(Key(keapKey, order), order);

        var findings = new List<Finding>();
        var matchedKeap = new HashSet<string>(StringComparer.Ordinal);
        var matched = 0;
        foreach (var s in store)
        {
            var key = Key(storeKey, s);
            if (!keapByKey.TryGetValue(key, out var k))
            {
                if (window is not { } w || w.Contains(s.OrderDate))
                    findings.Add(Missing(Category.MissingInKeap, key, s, null));
                continue;
            }
            matchedKeap.Add(key);
            matched++;
            if (window is { } win && !win.Contains(s.OrderDate))
                continue;
            if (Math.Abs(s.Total - k.Total) > settings.AmountTolerance)
                findings.Add(Pair(Category.AmountMismatch, key, s, k, "total", s.Total.ToString(), k.Total.ToString(), s.Total - k.Total, Math.Abs(s.Total - k.Total)));
            var (ss, ks) = (Status(s.Status), Status(k.Status));
            if (!string.Equals(ss, ks, StringComparison.Ordinal))
                findings.Add(Pair(Category.StatusMismatch, key, s, k, "status", ss, ks, null, s.Total));
        }
        foreach (var (key, k) in keapByKey)
        {
            if (!matchedKeap.Contains(key) && (window is not { } w || w.Contains(k.OrderDate)))
                findings.Add(Missing(Category.MissingInStore, key, null, k));
        }
        return new ReconciliationResult(store.Count, keap.Count, matched, 0, findings);
    }

    static string Key(Regex pattern, CanonicalOrder order)
    {
        var raw = order.OrderNumber ?? order.OrderId;
        var m = pattern.Match(raw);
        return (m.Success && m.Groups.Count > 1 ? m.Groups[1].Value : raw).Trim().ToLowerInvariant();
    }

    static string? Status(string? raw) => raw?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "paid" or "processing" or "completed" => "paid",
        "pending" or "sent" or "viewed" or "unpaid" or "on-hold" => "unpaid",
        var other => other,
    };

    static Finding Missing(Category category, string key, CanonicalOrder? s, CanonicalOrder? k)
    {
        var order = (s ?? k)!;
        return new Finding
        {
            Category = category,
            Severity = Severity.High,
            OrderKey = key,
            StoreOrderId = s?.OrderId,
            KeapOrderId = k?.OrderId,
            CustomerEmail = order.CustomerEmail,
            OrderDate = order.OrderDate,
            Impact = order.Total,
            Currency = order.Currency,
            Cause = new Cause("unknown", "No order with this reference exists on the other side."),
            SuggestedAction = category == Category.MissingInKeap
                ? new SuggestedAction("create_in_keap", "keap", new Dictionary<string, object?> { ["orderNumber"] = order.OrderNumber })
                : new SuggestedAction("review", "keap", new Dictionary<string, object?>()),
        };
    }

    static Finding Pair(Category category, string key, CanonicalOrder s, CanonicalOrder k, string field, string? storeValue, string? keapValue, decimal? difference, decimal impact) => new()
    {
        Category = category,
        Severity = Severity.Medium,
        OrderKey = key,
        StoreOrderId = s.OrderId,
        KeapOrderId = k.OrderId,
        CustomerEmail = s.CustomerEmail,
        OrderDate = s.OrderDate,
        Field = field,
        StoreValue = storeValue,
        KeapValue = keapValue,
        Difference = difference,
        Impact = impact,
        Currency = s.Currency,
        Cause = new Cause("unknown", "The two systems disagree on this field."),
        SuggestedAction = new SuggestedAction("update_keap", "keap", new Dictionary<string, object?> { ["field"] = field, ["value"] = storeValue }),
    };
}
