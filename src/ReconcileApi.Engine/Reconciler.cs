using System.Globalization;
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
    /// <paramref name="asOf"/> is when the run looks (its start): with the window's end, the earlier of the
    /// two is the cut-off, and unpaired orders younger than the settle time at the cut-off are pending.
    /// Without either, the newest order of both sides is the cut-off. <paramref name="newestStore"/> and
    /// <paramref name="newestKeap"/> are each side's newest order date in all its data, when the lists hold
    /// only the window: a side fell silent (cause <c>sync_stopped</c>, <see cref="SyncLag"/>) only if it has
    /// nothing newer anywhere.
    /// Findings come sorted by <see cref="FindingOrder.BySeverityThenImpact"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The settings fail <see cref="ReconcileSettings.Validate"/>.</exception>
    public static ReconciliationResult Reconcile(
        IReadOnlyList<CanonicalOrder> store,
        IReadOnlyList<CanonicalOrder> keap,
        ReconcileSettings settings,
        ReconcileWindow? window = null,
        DateTime? asOf = null,
        DateTime? newestStore = null,
        DateTime? newestKeap = null) => Reconcile(store, keap, settings, window, asOf, newestStore, newestKeap, phaseCompleted: null);

    /// <summary>
    /// <see cref="Reconcile(IReadOnlyList{CanonicalOrder}, IReadOnlyList{CanonicalOrder}, ReconcileSettings, ReconcileWindow?, DateTime?, DateTime?, DateTime?)"/>,
    /// calling <paramref name="phaseCompleted"/> with each phase's name (<c>normalize</c>, <c>index</c>,
    /// <c>fuzzy</c>, <c>compare</c>, <c>report</c>, <c>sort</c>) and the time since the start, for progress and profiling.
    /// </summary>
    public static ReconciliationResult Reconcile(
        IReadOnlyList<CanonicalOrder> store,
        IReadOnlyList<CanonicalOrder> keap,
        ReconcileSettings settings,
        ReconcileWindow? window,
        DateTime? asOf,
        DateTime? newestStore,
        DateTime? newestKeap,
        Action<string, TimeSpan>? phaseCompleted)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(keap);
        ArgumentNullException.ThrowIfNull(settings);
        var errors = settings.Validate();
        if (errors.Count > 0)
            throw new ArgumentException("Invalid settings: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")), nameof(settings));
        return new ReconciliationRun(store, keap, settings, window, asOf, phaseCompleted, Tuning.Default).Execute(newestStore, newestKeap);
    }

    /// <summary>For tests and the benchmark: one run with its own <see cref="Tuning"/> (e.g. every parallel path taken).</summary>
    internal static ReconciliationResult Reconcile(IReadOnlyList<CanonicalOrder> store, IReadOnlyList<CanonicalOrder> keap, ReconcileSettings settings,
        Tuning tuning, Action<string, TimeSpan>? phaseCompleted = null) =>
        new ReconciliationRun(store, keap, settings, null, null, phaseCompleted, tuning).Execute(null, null);
}

/// <summary>One reconciliation: the state shared by its phases.</summary>
internal sealed class ReconciliationRun
{
    readonly IReadOnlyList<CanonicalOrder> _store, _keap;
    readonly ReconcileSettings _settings;
    readonly ReconcileWindow? _window;
    readonly DateTime? _asOf;
    readonly Action<string, TimeSpan>? _phaseCompleted;
    readonly Tuning _tuning;
    readonly System.Diagnostics.Stopwatch _clock = new();
    readonly Normalizer _storeNormalizer, _keapNormalizer;
    readonly PairComparer _comparer;
    readonly Actions _actions;
    NormalizedOrder[] _sn = [], _kn = [];
    long _storeNewest, _keapNewest;
    /// <summary>Per store order: matched in the window (for <see cref="ReconciliationResult.Days"/>; each pair writes its own slot).</summary>
    bool[] _storeMatched = [];
    List<int> _storeMissing = [];

    public ReconciliationRun(IReadOnlyList<CanonicalOrder> store, IReadOnlyList<CanonicalOrder> keap, ReconcileSettings settings, ReconcileWindow? window, DateTime? asOf,
        Action<string, TimeSpan>? phaseCompleted, Tuning tuning)
    {
        (_store, _keap, _settings, _window, _asOf, _phaseCompleted, _tuning) = (store, keap, settings, window, asOf, phaseCompleted, tuning);
        TimeZones.TryFind(settings.Timezone, out var zone);
        var lines = new LineComparison(settings);
        _storeNormalizer = new Normalizer(OrderSource.Store, settings, zone, lines, tuning);
        _keapNormalizer = new Normalizer(OrderSource.Keap, settings, zone, lines, tuning);
        _actions = new Actions(settings, lines);
        _comparer = new PairComparer(settings, lines, _actions, zone);
    }

    public ReconciliationResult Execute(DateTime? newestStore, DateTime? newestKeap)
    {
        _clock.Start();
        _sn = _storeNormalizer.NormalizeAll(_store);
        _kn = _keapNormalizer.NormalizeAll(_keap);
        if (_window is not null)
            _storeMatched = new bool[_store.Count];

        Phase("normalize");
        // The key index is split by fingerprint into one table per core, each built by its own task.
        var partCount = _store.Count + _keap.Count >= _tuning.ParallelFrom * 12 ? Math.Clamp(Environment.ProcessorCount, 2, 8) : 1;
        var index = new Dictionary<Fingerprint, Slot>[partCount];
        var sides = new (List<int> Extras, List<int> Keyless)[partCount, 2];
        Parallel.For(0, partCount, p =>
        {
            // Most keys are on both sides: the larger side plus a margin is about the number of distinct keys.
            index[p] = new Dictionary<Fingerprint, Slot>((int)(Math.Max(_store.Count, _keap.Count) * 1.1 / partCount) + 16);
            sides[p, 0] = AddSide(index[p], p, partCount, _keap, _kn, OrderSource.Keap);
            sides[p, 1] = AddSide(index[p], p, partCount, _store, _sn, OrderSource.Store);
        });
        List<int> keapExtras = [], keapKeyless = [], storeExtras = [], storeKeyless = [];
        for (var p = 0; p < partCount; p++)
        {
            keapExtras.AddRange(sides[p, 0].Extras);
            keapKeyless.AddRange(sides[p, 0].Keyless);
            storeExtras.AddRange(sides[p, 1].Extras);
            storeKeyless.AddRange(sides[p, 1].Keyless);
        }
        PreferAgreeing(index, keapExtras, OrderSource.Keap);
        PreferAgreeing(index, storeExtras, OrderSource.Store);

        Phase("index");
        var pairStore = new int[Math.Min(_store.Count, _keap.Count)];
        var pairKeap = new int[pairStore.Length];
        var pairs = 0;
        var storeResidue = storeKeyless;
        var keapResidue = keapKeyless;
        foreach (var part in index)
        foreach (var slot in part.Values)
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

        // Orders the other side is not expected to have (never paid, drafts) are nobody's twin.
        var notExpectedInKeap = RemoveOnlyHere(storeResidue, OrderSource.Store);
        var notExpectedInStore = RemoveOnlyHere(keapResidue, OrderSource.Keap);
        var fuzzy = _settings.FuzzyMatching
            ? FuzzyMatcher.Pair(_store, _sn, storeResidue, _keap, _kn, keapResidue, _settings, _storeNormalizer, _keapNormalizer)
            : [];

        Phase("fuzzy");
        var findings = ComparePairs(pairStore, pairKeap, pairs, out var matched);
        Phase("compare");
        matched += CompareProbableMatches(fuzzy, findings);
        AddDuplicates(findings, index, storeExtras, OrderSource.Store);
        AddDuplicates(findings, index, keapExtras, OrderSource.Keap);
        (_storeNewest, _keapNewest) = (Newest(_sn, newestStore), Newest(_kn, newestKeap));
        var cutoff = Cutoff();
        var pendingAfter = cutoff == Normalizer.NoDate ? Normalizer.NoDate : Math.Max(DateTime.MinValue.Ticks, cutoff - _settings.SettleMinutes * TimeSpan.TicksPerMinute);
        var pending = new List<PendingOrder>();
        var missingInKeap = AddMissing(findings, storeResidue, fuzzy, OrderSource.Store, pendingAfter, pending);
        AddMissing(findings, keapResidue, fuzzy, OrderSource.Keap, pendingAfter, pending);
        pending.Sort((a, b) => a.OrderDate.CompareTo(b.OrderDate) is var c && c != 0 ? c
            : a.Source.CompareTo(b.Source) is var d && d != 0 ? d : string.CompareOrdinal(a.OrderId, b.OrderId));

        Phase("report");
        // The money at stake does not depend on the order: counted on the other core while the findings are sorted.
        var impact = 0m;
        Finding[] array = [];
        Parallel.Invoke(() => array = FindingOrder.Sorted(findings), () => impact = TotalImpact(findings));
        Phase("sort");
        var (storeOrders, storeRevenue) = InWindow(_store, _sn);
        var (keapOrders, keapRevenue) = InWindow(_keap, _kn);
        return new ReconciliationResult
        {
            StoreOrders = storeOrders,
            KeapOrders = keapOrders,
            StoreRevenue = storeRevenue,
            KeapRevenue = keapRevenue,
            Matched = matched,
            MatchRate = matched + missingInKeap == 0 ? null : Math.Round((decimal)matched / (matched + missingInKeap), 4),
            Cutoff = Date(cutoff),
            PendingAfter = Date(pendingAfter),
            PendingOrders = pending,
            NotExpectedInKeap = notExpectedInKeap,
            NotExpectedInStore = notExpectedInStore,
            Days = DailyCounts(),
            StoreSyncLag = Lag(_storeNewest, _keapNewest, cutoff),
            KeapSyncLag = Lag(_keapNewest, _storeNewest, cutoff),
            Impact = impact,
            Findings = array,
        };
    }

    /// <summary>
    /// The money at stake over all findings, each order's money counted once: the findings about one order (or one
    /// pair, or one extra record) overlap — a pair whose total, payment and lines differ is one sum at stake, not three —
    /// so each order counts with its largest finding. The run's impact therefore never exceeds the money of the orders
    /// it found something about.
    /// </summary>
    static decimal TotalImpact(List<Finding> findings)
    {
        var perOrder = new Dictionary<OrderIdentity, decimal>(findings.Count);
        foreach (var f in findings)
        {
            var order = f.DuplicateOrderId is { } extra ? new OrderIdentity(null, null, extra)
                : f.StoreOrderId is null && f.KeapOrderId is null ? new OrderIdentity(null, null, "key:" + f.OrderKey)
                : new OrderIdentity(f.StoreOrderId, f.KeapOrderId, null);
            ref var impact = ref CollectionsMarshal.GetValueRefOrAddDefault(perOrder, order, out _);
            impact = Math.Max(impact, f.Impact);
        }
        var sum = 0m;
        foreach (var impact in perOrder.Values)
            sum += impact;
        return sum;
    }

    /// <summary>What a finding is about, hashed once (a tuple of strings would hash all three on every probe).</summary>
    readonly struct OrderIdentity : IEquatable<OrderIdentity>
    {
        readonly string? _store, _keap, _extra;
        readonly int _hash;

        public OrderIdentity(string? store, string? keap, string? extra)
        {
            (_store, _keap, _extra) = (store, keap, extra);
            _hash = HashCode.Combine(Hash(store), Hash(keap), Hash(extra));
        }

        static ulong Hash(string? s) => s is null ? 0 : System.IO.Hashing.XxHash3.HashToUInt64(MemoryMarshal.AsBytes(s.AsSpan())) | 1;

        public bool Equals(OrderIdentity other) => _hash == other._hash
            && string.Equals(_store, other._store, StringComparison.Ordinal)
            && string.Equals(_keap, other._keap, StringComparison.Ordinal)
            && string.Equals(_extra, other._extra, StringComparison.Ordinal);

        public override bool Equals(object? obj) => obj is OrderIdentity other && Equals(other);

        public override int GetHashCode() => _hash;
    }

    /// <summary>The earlier of the window's end and the run's start; without either, the newest order of both sides.</summary>
    long Cutoff()
    {
        var cutoff = long.MaxValue;
        if (_window is { } w)
            cutoff = w.To.Ticks;
        if (_asOf is { } asOf)
            cutoff = Math.Min(cutoff, asOf.Ticks);
        return cutoff != long.MaxValue ? cutoff : Math.Max(_storeNewest, _keapNewest);
    }

    static SyncLag Lag(long newest, long otherNewest, long cutoff)
    {
        if (newest == Normalizer.NoDate)
            return new SyncLag(null, null, null);
        static double Hours(long ticks) => Math.Round(Math.Max(0, ticks) / (double)TimeSpan.TicksPerHour, 2);
        return new SyncLag(Date(newest), otherNewest == Normalizer.NoDate ? 0 : Hours(otherNewest - newest), cutoff == Normalizer.NoDate ? null : Hours(cutoff - newest));
    }

    /// <summary>Takes the unpaired orders the other side is not expected to have out of the residue; returns how many lie in the window.</summary>
    int RemoveOnlyHere(List<int> residue, OrderSource side)
    {
        var (orders, norm) = side == OrderSource.Store ? (_store, _sn) : (_keap, _kn);
        var inWindow = 0;
        residue.RemoveAll(i =>
        {
            if (!StatusMap.OnlyHere(side, orders[i], norm[i].State))
                return false;
            if (InWindow(norm[i].Ticks))
                inWindow++;
            return true;
        });
        return inWindow;
    }

    /// <summary>Indexes one side by key; the oldest record of a key is its primary, the others are extras.</summary>
    /// <remarks>Takes the keys of part <paramref name="part"/> of <paramref name="partCount"/>; keyless orders go with part 0.</remarks>
    static (List<int> Extras, List<int> Keyless) AddSide(Dictionary<Fingerprint, Slot> index, int part, int partCount, IReadOnlyList<CanonicalOrder> orders, NormalizedOrder[] norm, OrderSource source)
    {
        var extras = new List<int>();
        var keyless = new List<int>();
        for (var i = 0; i < norm.Length; i++)
        {
            if (!norm[i].HasKey)
            {
                if (part == 0)
                    keyless.Add(i);
                continue;
            }
            if (PartOf(norm[i].Key, partCount) != part)
                continue;
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(index, norm[i].Key, out _);
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

    /// <summary>
    /// Where a side has several records of one key, its twin is the one that agrees with the other side's record (an
    /// order edited after its sync and synced again leaves a stale first copy: that copy is the duplicate, not the one
    /// that matches); among records that agree, or when none does, the oldest.
    /// </summary>
    void PreferAgreeing(Dictionary<Fingerprint, Slot>[] index, List<int> extras, OrderSource side)
    {
        var (orders, norm, otherNorm) = side == OrderSource.Store ? (_store, _sn, _kn) : (_keap, _kn, _sn);
        for (var e = 0; e < extras.Count; e++)
        {
            var i = extras[e];
            ref var slot = ref CollectionsMarshal.GetValueRefOrNullRef(index[PartOf(norm[i].Key, index.Length)], norm[i].Key);
            var other = side == OrderSource.Store ? slot.Keap : slot.Store;
            if (other == 0)
                continue;
            ref var primary = ref side == OrderSource.Store ? ref slot.Store : ref slot.Keap;
            if (Agrees(norm[i], otherNorm[other - 1]) && (!Agrees(norm[primary - 1], otherNorm[other - 1]) || IsOlder(orders, norm, i, primary - 1)))
                (extras[e], primary) = (primary - 1, i + 1);
        }
    }

    /// <summary>The same total (lines are not compared here: each system names them its own way, see <see cref="LineComparison"/>).</summary>
    bool Agrees(in NormalizedOrder a, in NormalizedOrder b) => Math.Abs(a.Total - b.Total) <= _settings.AmountTolerance;

    void Phase(string name) => _phaseCompleted?.Invoke(name, _clock.Elapsed);

    static int PartOf(Fingerprint key, int partCount) => (int)(key.B % (uint)partCount);

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
        var findings = new List<Finding>();
        matched = CollectInParallel(pairs, findings, (p, local) =>
        {
            if (_tuning.Prefetch && p + 8 < pairs)
            {
                Prefetch.Element(_sn, pairStore[p + 8]);
                Prefetch.Element(_kn, pairKeap[p + 8]);
            }
            var (s, k) = (pairStore[p], pairKeap[p]);
            if (!InWindow(_sn[s].Ticks))
                return false;
            if (_storeMatched.Length > 0)
                _storeMatched[s] = true;
            if (!_comparer.QuickSame(_sn[s], _kn[k]))
            {
                var so = _store[s];
                _comparer.Compare(_storeNormalizer.Key(so)!, so, _keap[k], _sn[s], _kn[k], local);
            }
            return true;
        });
        return findings;
    }

    /// <summary>Reports each fuzzy pair in the window as a probable match and compares it like any pair.</summary>
    int CompareProbableMatches(List<FuzzyPair> fuzzy, List<Finding> findings) =>
        CollectInParallel(fuzzy.Count, findings, (i, local) =>
        {
            var p = fuzzy[i];
            if (!InWindow(_sn[p.Store].Ticks))
                return false;
            if (_storeMatched.Length > 0)
                _storeMatched[p.Store] = true;
            var (so, ko) = (_store[p.Store], _keap[p.Keap]);
            var key = _storeNormalizer.Key(so) ?? _keapNormalizer.Key(ko) ?? OrderKeyPattern.FallbackKey(OrderSource.Store, so.OrderId);
            local.Add(ProbableMatch(key, p));
            _comparer.Compare(key, so, ko, _sn[p.Store], _kn[p.Keap], local);
            return true;
        });

    /// <summary>
    /// Runs <paramref name="visit"/> for [0, count) on all cores; each call adds its findings to the
    /// list it is given and says whether it matched a pair. Returns how many did.
    /// </summary>
    int CollectInParallel(int count, List<Finding> findings, Func<int, List<Finding>, bool> visit)
    {
        var matched = 0;
        var gate = new object();
        _tuning.ForRanges(count, (from, to) =>
        {
            var local = new List<Finding>();
            var localMatched = 0;
            for (var i = from; i < to; i++)
                if (visit(i, local))
                    localMatched++;
            lock (gate)
            {
                findings.AddRange(local);
                matched += localMatched;
            }
        });
        return matched;
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
                string.Create(CultureInfo.InvariantCulture, $"Store order {Actions.StoreReference(s)} and Keap order {k.OrderId} are not paired by reference but look alike (score {p.Score:0.00}): {p.Reasons}.")),
            SuggestedAction = Actions.Review(s, k, p.Score),
        };
    }

    void AddDuplicates(List<Finding> findings, Dictionary<Fingerprint, Slot>[] index, List<int> extras, OrderSource source)
    {
        var (orders, norm) = source == OrderSource.Store ? (_store, _sn) : (_keap, _kn);
        var system = source == OrderSource.Store ? "The store" : "Keap";
        foreach (var e in extras)
        {
            var (extra, en) = (orders[e], norm[e]);
            if (!InWindow(en.Ticks))
                continue;
            var slot = index[PartOf(en.Key, index.Length)][en.Key];
            var p = (source == OrderSource.Store ? slot.Store : slot.Keap) - 1;
            var primary = orders[p];
            var identical = PairComparer.SameRecord(primary, extra);
            var other = source == OrderSource.Store ? slot.Keap : slot.Store;
            // A Keap copy made before the store order's last edit, beside one that matches it: the edit was synced as a new order.
            var stale = source == OrderSource.Keap && other != 0 && Agrees(norm[p], _sn[other - 1]) && !Agrees(en, _sn[other - 1])
                ? Causes.StaleCopy(_store[other - 1], primary, extra)
                : null;
            findings.Add(new Finding
            {
                Category = source == OrderSource.Store ? Category.DuplicateInStore : Category.DuplicateInKeap,
                Severity = SeverityRules.For(Category.DuplicateInStore, extra.Total, _settings.SeverityThresholds),
                OrderKey = (source == OrderSource.Store ? _storeNormalizer : _keapNormalizer).Key(extra)!,
                StoreOrderId = source == OrderSource.Store ? primary.OrderId : (slot.Store == 0 ? null : _store[slot.Store - 1].OrderId),
                KeapOrderId = source == OrderSource.Keap ? primary.OrderId : (slot.Keap == 0 ? null : _keap[slot.Keap - 1].OrderId),
                DuplicateOrderId = extra.OrderId,
                CustomerEmail = extra.CustomerEmail?.Trim(),
                OrderDate = Date(en.Ticks),
                Impact = extra.Total,
                Currency = extra.Currency,
                Cause = stale ?? Causes.Duplicate(primary, extra, norm[p].Ticks, en.Ticks, identical, _settings.DuplicateWindowMinutes, system),
                SuggestedAction = Actions.RemoveDuplicate(source, primary, extra),
            });
        }
    }

    /// <summary>
    /// Reports one side's records that nothing paired; those dated after <paramref name="pendingAfter"/>
    /// are pending instead. Returns how many were reported missing.
    /// </summary>
    int AddMissing(List<Finding> findings, List<int> residue, List<FuzzyPair> fuzzy, OrderSource side, long pendingAfter, List<PendingOrder> pending)
    {
        var (orders, norm, normalizer) = side == OrderSource.Store ? (_store, _sn, _storeNormalizer) : (_keap, _kn, _keapNormalizer);
        var paired = fuzzy.Select(p => side == OrderSource.Store ? p.Store : p.Keap).ToHashSet();
        var missing = new List<int>();
        foreach (var i in residue)
        {
            if (paired.Contains(i) || !InWindow(norm[i].Ticks))
                continue;
            if (norm[i].Ticks != Normalizer.NoDate && norm[i].Ticks > pendingAfter)
            {
                var order = orders[i];
                pending.Add(new PendingOrder(side, order.OrderId, normalizer.Key(order), Date(norm[i].Ticks)!.Value));
            }
            else
                missing.Add(i);
        }
        var built = new Finding[missing.Count];
        _tuning.ForRanges(missing.Count, (from, to) =>
        {
            for (var m = from; m < to; m++)
                built[m] = Missing(side, missing[m]);
        });
        findings.AddRange(built);
        if (side == OrderSource.Store)
            _storeMissing = missing;
        return built.Length;
    }

    Finding Missing(OrderSource side, int i)
    {
        var fromStore = side == OrderSource.Store;
        var (order, norm) = fromStore ? (_store[i], _sn[i]) : (_keap[i], _kn[i]);
        var key = (fromStore ? _storeNormalizer : _keapNormalizer).Key(order) ?? OrderKeyPattern.FallbackKey(side, order.OrderId);
        var category = fromStore ? Category.MissingInKeap : Category.MissingInStore;
        var (cause, impact, action) = fromStore ? MissingInKeap(order, norm)
            : !norm.HasKey ? Causes.NoReference(order, _actions)
            : MissingInStore(order, norm, key);
        return new Finding
        {
            Category = category,
            Severity = SeverityRules.For(category, impact, _settings.SeverityThresholds),
            OrderKey = key,
            StoreOrderId = fromStore ? order.OrderId : null,
            KeapOrderId = fromStore ? null : order.OrderId,
            CustomerEmail = order.CustomerEmail?.Trim(),
            OrderDate = Date(norm.Ticks),
            Impact = impact,
            Currency = order.Currency,
            Cause = cause,
            SuggestedAction = action,
        };
    }

    (Cause, decimal, SuggestedAction) MissingInKeap(CanonicalOrder order, in NormalizedOrder norm)
    {
        var reference = Actions.StoreReference(order);
        var cause = Newer(norm.Ticks, _keapNewest)
            ? new Cause(CauseCodes.SyncStopped, $"{Newest("Keap", _keapNewest)}, and store order {reference} is newer: the sync to Keap stopped or lost this order.")
            : new Cause(CauseCodes.NotSynced, $"No Keap order refers to store order {reference} and none resembles it: the sync failed or skipped it.");
        // Money refunded in full puts nothing at stake.
        return (cause, Math.Max(0m, order.Total - (order.AmountRefunded ?? 0m)), _actions.CreateInKeap(order, norm.Ticks));
    }

    (Cause, decimal, SuggestedAction) MissingInStore(CanonicalOrder order, in NormalizedOrder norm, string key)
    {
        // The store's data stopped: its orders most likely exist and were not sent here; nothing to create.
        if (Newer(norm.Ticks, _storeNewest))
            return (new Cause(CauseCodes.SyncStopped, $"{Newest("The store data", _storeNewest)}, and Keap order {order.OrderId} refers to store order '{key}', which is newer: the store's orders stopped reaching ReconcileApi — send them again."),
                order.Total, _actions.ReviewKeapOnly(order, Actions.Store));
        return (new Cause(CauseCodes.Unknown, $"Keap order {order.OrderId} refers to store order '{key}', which the store data does not have."),
            order.Total, _actions.CreateInStore(order, key, norm.Ticks));
    }

    /// <summary>Whether an order is newer than anything the other side has: that side fell silent before it.</summary>
    static bool Newer(long ticks, long otherNewest) => ticks != Normalizer.NoDate && ticks > otherNewest;

    static string Newest(string side, long newest) =>
        newest == Normalizer.NoDate ? $"{side} has no order at all in the period read" : $"{side} has no order dated after {Actions.Iso(newest)}";

    /// <summary>The newest date in the list, or the one the caller knows from all the side's data if later.</summary>
    static long Newest(NormalizedOrder[] norm, DateTime? known)
    {
        var newest = known is { } k ? k.ToUniversalTime().Ticks : Normalizer.NoDate;
        foreach (ref readonly var n in norm.AsSpan())
            if (n.Ticks > newest)
                newest = n.Ticks;
        return newest;
    }

    /// <summary>The window cut into local days: each order counted on the day its date falls (a binary search over the days' starts).</summary>
    IReadOnlyList<DayCounts> DailyCounts()
    {
        if (_window is not { } w || w.To <= w.From)
            return [];
        var zone = w.Zone ?? TimeZoneInfo.Utc;
        var first = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(w.From, zone));
        var last = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(w.To.AddTicks(-1), zone));
        var n = last.DayNumber - first.DayNumber + 1;
        var starts = new long[n + 1];
        for (var d = 0; d <= n; d++)
            starts[d] = TimeZones.ToUtc(first.AddDays(d).ToDateTime(TimeOnly.MinValue), zone).Ticks;
        int DayOf(long ticks)
        {
            var i = Array.BinarySearch(starts, 0, n, ticks);
            return i >= 0 ? i : Math.Max(0, ~i - 1);
        }
        var (store, keap, matched, missing) = (new int[n], new int[n], new int[n], new int[n]);
        var (storeRevenue, keapRevenue) = (new decimal[n], new decimal[n]);
        for (var i = 0; i < _sn.Length; i++)
        {
            if (!InWindow(_sn[i].Ticks))
                continue;
            var d = DayOf(_sn[i].Ticks);
            store[d]++;
            storeRevenue[d] += _sn[i].Total;
            if (_storeMatched[i])
                matched[d]++;
        }
        for (var i = 0; i < _kn.Length; i++)
        {
            if (!InWindow(_kn[i].Ticks))
                continue;
            var d = DayOf(_kn[i].Ticks);
            keap[d]++;
            keapRevenue[d] += _kn[i].Total;
        }
        foreach (var i in _storeMissing)
            missing[DayOf(_sn[i].Ticks)]++;
        // A long window lists the days it found orders on; a usual one lists every day, quiet ones too.
        var days = new List<DayCounts>(Math.Min(n, MaxQuietDays));
        for (var d = 0; d < n; d++)
            if (n <= MaxQuietDays || store[d] + keap[d] > 0)
                days.Add(new DayCounts(first.AddDays(d), starts[d] >= w.From.Ticks && starts[d + 1] <= w.To.Ticks,
                    store[d], keap[d], storeRevenue[d], keapRevenue[d], matched[d], missing[d]));
        return days;
    }

    const int MaxQuietDays = 1000;

    bool InWindow(long ticks) => _window is not { } w
        || (ticks != Normalizer.NoDate && ticks >= w.From.Ticks && ticks < w.To.Ticks);

    /// <summary>How many of a side's records lie in the window, and their total.</summary>
    (int Count, decimal Revenue) InWindow(IReadOnlyList<CanonicalOrder> orders, NormalizedOrder[] norm)
    {
        var (count, revenue) = (0, 0m);
        for (var i = 0; i < norm.Length; i++)
            if (InWindow(norm[i].Ticks))
                (count, revenue) = (count + 1, revenue + norm[i].Total);
        return (count, revenue);
    }

    internal static DateTime? Date(long ticks) => ticks == Normalizer.NoDate ? null : new DateTime(ticks, DateTimeKind.Utc);
}

/// <summary>The primary record of a key on each side, 1-based (0 = none).</summary>
internal struct Slot
{
    public int Store;
    public int Keap;
}
