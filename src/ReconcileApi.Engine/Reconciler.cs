using System.Runtime.InteropServices;

namespace ReconcileApi.Engine;

/// <summary>
/// The reconciliation engine: pure, no I/O. Normalizes both sides, pairs them on the order key
/// (duplicates aside), pairs the residue by a fuzzy score, compares each pair and reports what
/// differs, with a cause, a severity, the money at stake and a suggested action.
/// </summary>
public static class Reconciler
{
    /// <summary>
    /// Reconciles <paramref name="store"/> against <paramref name="keap"/>. With a window, both lists
    /// should hold the orders within <see cref="ReconcileSettings.DateToleranceHours"/> around it; only
    /// findings whose store date (Keap date for Keap-only records) lies in the window are reported.
    /// Findings come sorted by <see cref="FindingOrder.BySeverityThenImpact"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The settings fail <see cref="ReconcileSettings.Validate"/>.</exception>
    public static ReconciliationResult Reconcile(
        IReadOnlyList<CanonicalOrder> store,
        IReadOnlyList<CanonicalOrder> keap,
        ReconcileSettings settings,
        ReconcileWindow? window = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(keap);
        ArgumentNullException.ThrowIfNull(settings);
        var errors = settings.Validate();
        if (errors.Count > 0)
            throw new ArgumentException("Invalid settings: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")), nameof(settings));
        return new ReconciliationRun(store, keap, settings, window).Execute();
    }
}

/// <summary>One reconciliation: the state shared by its phases.</summary>
internal sealed class ReconciliationRun
{
    /// <summary>Primary record indices of a key, 1-based (0 = none).</summary>
    struct Slot
    {
        public int Store;
        public int Keap;
    }

    readonly IReadOnlyList<CanonicalOrder> _store, _keap;
    readonly ReconcileSettings _settings;
    readonly ReconcileWindow? _window;
    readonly Normalizer _storeNormalizer, _keapNormalizer;
    readonly PairComparer _comparer;
    readonly Actions _actions;
    NormalizedOrder[] _sn = [], _kn = [];

    public ReconciliationRun(IReadOnlyList<CanonicalOrder> store, IReadOnlyList<CanonicalOrder> keap, ReconcileSettings settings, ReconcileWindow? window)
    {
        (_store, _keap, _settings, _window) = (store, keap, settings, window);
        SettingsValidation.TryFindZone(settings.Timezone, out var zone);
        _storeNormalizer = new Normalizer(OrderSource.Store, settings, zone);
        _keapNormalizer = new Normalizer(OrderSource.Keap, settings, zone);
        var lines = new LineComparison(settings);
        _actions = new Actions(settings, lines);
        _comparer = new PairComparer(settings, lines, _actions);
    }

    public ReconciliationResult Execute()
    {
        _sn = _storeNormalizer.NormalizeAll(_store);
        _kn = _keapNormalizer.NormalizeAll(_keap);

        var index = new Dictionary<string, Slot>(_store.Count + _keap.Count, StringComparer.Ordinal);
        var (keapExtras, keapKeyless) = AddSide(index, _keap, _kn, OrderSource.Keap);
        var (storeExtras, storeKeyless) = AddSide(index, _store, _sn, OrderSource.Store);

        var pairStore = new int[Math.Min(_store.Count, _keap.Count)];
        var pairKeap = new int[pairStore.Length];
        var pairs = 0;
        var storeResidue = storeKeyless;
        var keapResidue = keapKeyless;
        foreach (var slot in index.Values)
        {
            if (slot.Store != 0 && slot.Keap != 0)
            {
                pairStore[pairs] = slot.Store - 1;
                pairKeap[pairs++] = slot.Keap - 1;
            }
            else if (slot.Store != 0)
                storeResidue.Add(slot.Store - 1);
            else if (slot.Keap != 0)
                keapResidue.Add(slot.Keap - 1);
        }

        var fuzzy = _settings.FuzzyMatching
            ? FuzzyMatcher.Pair(_store, _sn, storeResidue, _keap, _kn, keapResidue, _settings)
            : [];

        var findings = ComparePairs(pairStore, pairKeap, pairs, out var matched);
        foreach (var p in fuzzy)
        {
            if (!InWindow(_sn[p.Store].Ticks))
                continue;
            matched++;
            var key = _sn[p.Store].Key ?? _kn[p.Keap].Key ?? OrderKeyPattern.FallbackKey(OrderSource.Store, _store[p.Store].OrderId);
            findings.Add(ProbableMatch(key, p));
            _comparer.Compare(key, _store[p.Store], _keap[p.Keap], _sn[p.Store], _kn[p.Keap], findings);
        }
        AddDuplicates(findings, index, storeExtras, OrderSource.Store);
        AddDuplicates(findings, index, keapExtras, OrderSource.Keap);
        var pending = AddMissing(findings, storeResidue, keapResidue, fuzzy);

        var array = findings.ToArray();
        Array.Sort(array, FindingOrder.BySeverityThenImpact);
        return new ReconciliationResult(CountInWindow(_sn), CountInWindow(_kn), matched, pending, array);
    }

    /// <summary>Indexes one side by key; the oldest record of a key is its primary, the others are extras.</summary>
    (List<int> Extras, List<int> Keyless) AddSide(Dictionary<string, Slot> index, IReadOnlyList<CanonicalOrder> orders, NormalizedOrder[] norm, OrderSource source)
    {
        var extras = new List<int>();
        var keyless = new List<int>();
        for (var i = 0; i < norm.Length; i++)
        {
            if (norm[i].Key is not { } key)
            {
                keyless.Add(i);
                continue;
            }
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(index, key, out _);
            ref var primary = ref source == OrderSource.Store ? ref slot.Store : ref slot.Keap;
            if (primary == 0)
                primary = i + 1;
            else if (IsOlder(orders, norm, i, primary - 1))
            {
                extras.Add(primary - 1);
                primary = i + 1;
            }
            else
                extras.Add(i);
        }
        return (extras, keyless);
    }

    /// <summary>Oldest first (dated before undated), then by order id, so input order never decides.</summary>
    static bool IsOlder(IReadOnlyList<CanonicalOrder> orders, NormalizedOrder[] norm, int a, int b)
    {
        var (ta, tb) = (norm[a].Ticks, norm[b].Ticks);
        if (ta != tb)
            return tb == Normalizer.NoDate || (ta != Normalizer.NoDate && ta < tb);
        return string.CompareOrdinal(orders[a].OrderId, orders[b].OrderId) < 0;
    }

    List<Finding> ComparePairs(int[] pairStore, int[] pairKeap, int pairs, out int matched)
    {
        var all = new List<Finding>();
        var matchedTotal = 0;
        var gate = new object();
        Normalizer.ForRanges(pairs, (from, to) =>
        {
            var local = new List<Finding>();
            var localMatched = 0;
            for (var p = from; p < to; p++)
            {
                var (s, k) = (pairStore[p], pairKeap[p]);
                if (!InWindow(_sn[s].Ticks))
                    continue;
                localMatched++;
                _comparer.Compare(_sn[s].Key!, _store[s], _keap[k], _sn[s], _kn[k], local);
            }
            lock (gate)
            {
                all.AddRange(local);
                matchedTotal += localMatched;
            }
        });
        matched = matchedTotal;
        return all;
    }

    Finding ProbableMatch(string key, FuzzyPair p)
    {
        var (s, k) = (_store[p.Store], _keap[p.Keap]);
        return new Finding
        {
            Category = Category.ProbableMatch,
            Severity = SeverityRules.For(Category.ProbableMatch, 0m, _settings.SeverityThresholds),
            OrderKey = key,
            StoreOrderId = s.OrderId,
            KeapOrderId = k.OrderId,
            CustomerEmail = s.CustomerEmail?.Trim(),
            OrderDate = Date(_sn[p.Store].Ticks),
            Field = "orderNumber",
            StoreValue = s.OrderNumber,
            KeapValue = k.OrderNumber,
            Currency = s.Currency ?? k.Currency,
            MatchScore = p.Score,
            Cause = new Cause(CauseCodes.ReferenceMismatch,
                $"Store order {Actions.StoreReference(s)} and Keap order {k.OrderId} are not paired by reference but look alike (score {p.Score:0.00}): {p.Reasons}."),
            SuggestedAction = Actions.Review(s, k, p.Score),
        };
    }

    void AddDuplicates(List<Finding> findings, Dictionary<string, Slot> index, List<int> extras, OrderSource source)
    {
        var (orders, norm) = source == OrderSource.Store ? (_store, _sn) : (_keap, _kn);
        var system = source == OrderSource.Store ? "The store" : "Keap";
        foreach (var e in extras)
        {
            var (extra, en) = (orders[e], norm[e]);
            if (!InWindow(en.Ticks))
                continue;
            var slot = index[en.Key!];
            var p = (source == OrderSource.Store ? slot.Store : slot.Keap) - 1;
            var primary = orders[p];
            var identical = PairComparer.SameRecord(primary, extra);
            findings.Add(new Finding
            {
                Category = source == OrderSource.Store ? Category.DuplicateInStore : Category.DuplicateInKeap,
                Severity = SeverityRules.For(Category.DuplicateInStore, extra.Total, _settings.SeverityThresholds),
                OrderKey = en.Key!,
                StoreOrderId = source == OrderSource.Store ? primary.OrderId : (slot.Store == 0 ? null : _store[slot.Store - 1].OrderId),
                KeapOrderId = source == OrderSource.Keap ? primary.OrderId : (slot.Keap == 0 ? null : _keap[slot.Keap - 1].OrderId),
                DuplicateOrderId = extra.OrderId,
                CustomerEmail = extra.CustomerEmail?.Trim(),
                OrderDate = Date(en.Ticks),
                Impact = extra.Total,
                Currency = extra.Currency,
                Cause = Causes.Duplicate(primary, extra, norm[p].Ticks, en.Ticks, identical, _settings.DuplicateWindowMinutes, system),
                SuggestedAction = Actions.RemoveDuplicate(source, primary, extra),
            });
        }
    }

    /// <summary>Reports the records nothing paired; those younger than the settle time are pending instead.</summary>
    int AddMissing(List<Finding> findings, List<int> storeResidue, List<int> keapResidue, List<FuzzyPair> fuzzy)
    {
        var pairedStore = fuzzy.Select(p => p.Store).ToHashSet();
        var pairedKeap = fuzzy.Select(p => p.Keap).ToHashSet();
        var settle = _settings.SettleMinutes * TimeSpan.TicksPerMinute;
        var storeCutoff = Newest(_kn) is var nk && nk == Normalizer.NoDate ? long.MaxValue : nk - settle;
        var keapCutoff = Newest(_sn) is var ns && ns == Normalizer.NoDate ? long.MaxValue : ns - settle;
        return Report(storeResidue, pairedStore, OrderSource.Store, storeCutoff) + Report(keapResidue, pairedKeap, OrderSource.Keap, keapCutoff);

        int Report(List<int> residue, HashSet<int> paired, OrderSource side, long cutoff)
        {
            var norm = side == OrderSource.Store ? _sn : _kn;
            var pending = 0;
            foreach (var i in residue)
            {
                if (paired.Contains(i) || !InWindow(norm[i].Ticks))
                    continue;
                if (norm[i].Ticks != Normalizer.NoDate && norm[i].Ticks > cutoff)
                    pending++;
                else
                    findings.Add(Missing(side, i));
            }
            return pending;
        }
    }

    Finding Missing(OrderSource side, int i)
    {
        var fromStore = side == OrderSource.Store;
        var (order, norm) = fromStore ? (_store[i], _sn[i]) : (_keap[i], _kn[i]);
        var key = norm.Key ?? OrderKeyPattern.FallbackKey(side, order.OrderId);
        var category = fromStore ? Category.MissingInKeap : Category.MissingInStore;
        Cause cause = fromStore
            ? new(CauseCodes.NotSynced, $"No Keap order refers to store order {Actions.StoreReference(order)} and none resembles it: the sync failed or skipped it.")
            : norm.Key is null
                ? new(CauseCodes.CreatedInKeap, $"Keap order {order.OrderId} carries no store reference: it was made in Keap (by hand, invoice or checkout form).")
                : new(CauseCodes.Unknown, $"Keap order {order.OrderId} refers to store order '{norm.Key}', which the store data does not have.");
        return new Finding
        {
            Category = category,
            Severity = SeverityRules.For(category, order.Total, _settings.SeverityThresholds),
            OrderKey = key,
            StoreOrderId = fromStore ? order.OrderId : null,
            KeapOrderId = fromStore ? null : order.OrderId,
            CustomerEmail = order.CustomerEmail?.Trim(),
            OrderDate = Date(norm.Ticks),
            Impact = order.Total,
            Currency = order.Currency,
            Cause = cause,
            SuggestedAction = fromStore ? _actions.CreateInKeap(order, norm.Ticks) : _actions.CreateInStore(order, norm.Ticks),
        };
    }

    static long Newest(NormalizedOrder[] norm)
    {
        var newest = Normalizer.NoDate;
        foreach (ref readonly var n in norm.AsSpan())
            if (n.Ticks > newest)
                newest = n.Ticks;
        return newest;
    }

    bool InWindow(long ticks) => _window is not { } w
        || (ticks != Normalizer.NoDate && ticks >= w.From.Ticks && ticks < w.To.Ticks);

    int CountInWindow(NormalizedOrder[] norm)
    {
        if (_window is null)
            return norm.Length;
        var n = 0;
        foreach (ref readonly var o in norm.AsSpan())
            if (InWindow(o.Ticks))
                n++;
        return n;
    }

    internal static DateTime? Date(long ticks) => ticks == Normalizer.NoDate ? null : new DateTime(ticks, DateTimeKind.Utc);
}
