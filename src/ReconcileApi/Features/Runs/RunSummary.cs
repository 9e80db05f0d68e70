using System.Globalization;

namespace ReconcileApi.Features.Runs;

/// <summary>
/// A run in one sentence: "3 of 120 store orders are missing in Keap; 2 amounts differ; money at stake 412.50."
/// Counts come from the run's own summary; categories are named most frequent first.
/// </summary>
public static class RunSummary
{
    public static string Of(RunResponse run) => run.Status switch
    {
        RunStatus.Queued => "Queued: waits for a worker (a workspace runs one run at a time).",
        RunStatus.Running => run.Progress.Phase switch
        {
            RunPhase.Matching => $"Running: matching {N(run.Progress.Total)} orders.",
            RunPhase.Saving => $"Running: saving {N(run.Progress.Total)} discrepancies.",
            _ => "Running: loading the orders of the window.",
        },
        RunStatus.Cancelled => "Cancelled before it finished; nothing was saved.",
        RunStatus.Failed => run.Error ?? "Failed.",
        _ => Succeeded(run),
    };

    static string Succeeded(RunResponse run)
    {
        if (run.Discrepancies == 0)
            return run.Window.StoreOrders == 0 && run.Window.KeapOrders == 0
                ? "No orders on either side in the window: nothing to compare."
                : $"All {N(run.Window.StoreOrders)} store orders match Keap ({N(run.Window.KeapOrders)} Keap orders); nothing to fix.";
        var parts = run.ByCategory.Where(c => c.Value > 0)
            .OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => Phrase(c.Key, c.Value, run.Window.StoreOrders)).ToList();
        if (run.Pending > 0)
            parts.Add($"{N(run.Pending)} {(run.Pending == 1 ? "order is" : "orders are")} too recent to call missing yet");
        return string.Join("; ", parts) + $"; money at stake {run.Impact.ToString("#,##0.00", CultureInfo.InvariantCulture)}.";
    }

    static string Phrase(string category, int n, int storeOrders) => category switch
    {
        "missing_in_keap" => $"{N(n)} of {N(storeOrders)} store orders {(n == 1 ? "is" : "are")} missing in Keap",
        "missing_in_store" => $"{N(n)} Keap {(n == 1 ? "order is" : "orders are")} missing in the store",
        "duplicate_in_keap" => $"{N(n)} {(n == 1 ? "order was" : "orders were")} recorded twice in Keap",
        "duplicate_in_store" => $"{N(n)} {(n == 1 ? "order was" : "orders were")} recorded twice in the store",
        "amount_mismatch" => $"{N(n)} {(n == 1 ? "amount differs" : "amounts differ")}",
        "currency_mismatch" => $"{N(n)} {(n == 1 ? "currency differs" : "currencies differ")}",
        "status_mismatch" => $"{N(n)} {(n == 1 ? "status differs" : "statuses differ")}",
        "email_mismatch" => $"{N(n)} customer {(n == 1 ? "email differs" : "emails differ")}",
        "date_mismatch" => $"{N(n)} order {(n == 1 ? "date differs" : "dates differ")}",
        "line_items_mismatch" => $"{N(n)} {(n == 1 ? "order's lines differ" : "orders' lines differ")}",
        "probable_match" => $"{N(n)} {(n == 1 ? "pair was" : "pairs were")} matched without a shared reference",
        _ => $"{N(n)} {category.Replace('_', ' ')}",
    };

    static string N(int n) => n.ToString("#,##0", CultureInfo.InvariantCulture);
}
