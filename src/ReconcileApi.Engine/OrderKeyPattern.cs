using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ReconcileApi.Engine;

/// <summary>
/// Extracts the cross-system order key from an order number with a settings pattern (one capture group).
/// Keys are compared case-insensitively, so they come out lower-cased (ASCII).
/// </summary>
/// <remarks>
/// Rule for orders without a usable reference: the key comes from <see cref="CanonicalOrder.OrderNumber"/>
/// only, never from <see cref="CanonicalOrder.OrderId"/> (each system's own id means nothing to the
/// other). An order whose number is empty or does not match the pattern has no key: it can only be
/// paired by the fuzzy pass, and if it stays unpaired it is reported under
/// <see cref="FallbackKey"/> (<c>store-id:…</c> / <c>keap-id:…</c>).
/// The two default patterns are run by hand (a regex per order is most of a million-order run); tests
/// hold the hand-written readers to the regexes they stand for.
/// </remarks>
public sealed class OrderKeyPattern
{
    /// <summary>
    /// A workspace's own pattern runs without backtracking (<see cref="RegexOptions.NonBacktracking"/>): its time
    /// is linear in the order number, so a pattern such as <c>^(a+)+$</c> cannot stall a run or the runs of other
    /// workspaces. The timeout is a last guard; an order whose match times out has no key.
    /// </summary>
    internal const RegexOptions UserPatternOptions = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;
    static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);
    /// <summary>What one run may spend in a workspace's own pattern, all orders together (<see cref="Tuning.KeyPatternBudget"/>).</summary>
    readonly TimeSpan _budget;
    readonly long _budgetTicks;
    long _spentTicks;
    readonly Regex? _regex;
    readonly bool _reference;

    public OrderKeyPattern(string pattern, TimeSpan? budget = null)
    {
        _budget = budget ?? Tuning.Default.KeyPatternBudget;
        _budgetTicks = (long)(_budget.TotalSeconds * Stopwatch.Frequency);
        if (pattern == ReconcileSettings.DefaultKeapKeyPattern)
            _reference = true;
        else if (pattern != ReconcileSettings.DefaultStoreKeyPattern)
            _regex = Compiled(pattern);
    }

    // Compiling a regex costs milliseconds; a workspace's patterns change rarely, so runs share them.
    static readonly ConcurrentDictionary<string, Regex> Cache = new(StringComparer.Ordinal);

    static Regex Compiled(string pattern)
    {
        if (Cache.TryGetValue(pattern, out var regex))
            return regex;
        if (Cache.Count >= 64)
            Cache.Clear();
        return Cache.GetOrAdd(pattern, p => new Regex(p, UserPatternOptions, MatchTimeout));
    }

    public string? Extract(string? orderNumber)
    {
        if (string.IsNullOrEmpty(orderNumber))
            return null;
        if (_regex is null)
        {
            var (start, length) = HandRange(orderNumber);
            return length == 0 ? null : Lower(orderNumber, orderNumber.AsSpan(start, length));
        }
        Match m;
        var started = Stopwatch.GetTimestamp();
        try
        {
            m = _regex.Match(orderNumber);
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
        finally
        {
            // The whole run's budget: linear time per order still adds up over millions of them.
            if (Interlocked.Add(ref _spentTicks, Stopwatch.GetTimestamp() - started) > _budgetTicks)
                throw new RunBudgetExceededException(
                    $"The key pattern '{_regex}' took more than {_budget.TotalSeconds:0.###} s over this run's order numbers, so the run stopped. Use a simpler pattern (or the default).");
        }
        if (!m.Success)
            return null;
        var g = m.Groups.Count > 1 ? m.Groups[1] : m.Groups[0];
        var value = g.ValueSpan.Trim();
        return value.IsEmpty ? null : Lower(orderNumber, value);
    }

    /// <summary>The fingerprint of the key <see cref="Extract"/> gives, without allocating on the default patterns.</summary>
    internal Fingerprint Fingerprint(ReadOnlySpan<char> orderNumber)
    {
        if (orderNumber.IsEmpty)
            return Engine.Fingerprint.None;
        if (_regex is not null)
            return Extract(new string(orderNumber)) is { } key ? Engine.Fingerprint.OfFolded(key) : Engine.Fingerprint.None;
        var (start, length) = HandRange(orderNumber);
        return length == 0 ? Engine.Fingerprint.None : Engine.Fingerprint.OfFolded(orderNumber.Slice(start, length));
    }

    (int Start, int Length) HandRange(ReadOnlySpan<char> s) => _reference ? ReferenceRange(s) : TrailingTokenRange(s);

    /// <summary>The key an order without a usable reference is reported under.</summary>
    public static string FallbackKey(OrderSource source, string orderId) =>
        (source == OrderSource.Store ? "store-id:" : "keap-id:") + orderId;

    /// <summary>
    /// Same result as <see cref="ReconcileSettings.DefaultStoreKeyPattern"/>: the last run of
    /// <c>[A-Za-z0-9_-]</c> before trailing white space, without its leading '_' and '-'.
    /// </summary>
    internal static string? TrailingToken(string s)
    {
        var (start, length) = TrailingTokenRange(s);
        return length == 0 ? null : Lower(s, s.AsSpan(start, length));
    }

    /// <summary>Same result as <see cref="ReconcileSettings.DefaultKeapKeyPattern"/>.</summary>
    internal static string? Reference(string s)
    {
        var (start, length) = ReferenceRange(s);
        return length == 0 ? null : Lower(s, s.AsSpan(start, length));
    }

    static (int Start, int Length) TrailingTokenRange(ReadOnlySpan<char> s)
    {
        var end = s.Length;
        while (end > 0 && char.IsWhiteSpace(s[end - 1]))
            end--;
        var start = end;
        while (start > 0 && IsTokenChar(s[start - 1]))
            start--;
        while (start < end && !char.IsAsciiLetterOrDigit(s[start]))
            start++;
        return (start, end - start);
    }

    /// <summary>
    /// A store reference as a connector writes it into a Keap title: "Shopify Order #1001", "Order 1001",
    /// "Order No. 1001", "Order: #1001", "#1001", or a bare number; the reference must hold a digit. Free text ("Annual
    /// Membership", "Order for Bob") gives none.
    /// </summary>
    static (int Start, int Length) ReferenceRange(ReadOnlySpan<char> s)
    {
        var end = s.Length;
        while (end > 0 && char.IsWhiteSpace(s[end - 1]))
            end--;
        var start = end;
        var digit = false;
        while (start > 0 && IsTokenChar(s[start - 1]))
        {
            start--;
            digit |= char.IsAsciiDigit(s[start]);
        }
        if (start == end || !digit || !char.IsAsciiLetterOrDigit(s[start]))
            return default;
        var token = (start, end - start);
        var rest = s[..start].Trim();
        if (rest.IsEmpty)
        {
            foreach (var c in s.Slice(start, end - start))
                if (!char.IsAsciiDigit(c))
                    return default;
            return token;
        }
        if (rest is "#")
            return token;
        // "Order #", "Order:", "Order: #".
        if (rest[^1] == '#')
            rest = rest[..^1].TrimEnd();
        if (!rest.IsEmpty && rest[^1] == ':')
            rest = rest[..^1].TrimEnd();
        foreach (var suffix in (ReadOnlySpan<string>)["no.", "no", "nr.", "nr", "number"])
        {
            if (rest.Length > suffix.Length && rest.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && char.IsWhiteSpace(rest[^(suffix.Length + 1)]))
            {
                rest = rest[..^suffix.Length].TrimEnd();
                break;
            }
        }
        if (!rest.EndsWith("order", StringComparison.OrdinalIgnoreCase))
            return default;
        var words = rest[..^5];
        if (words.IsEmpty)
            return token;
        if (!char.IsWhiteSpace(words[^1]))
            return default;
        // One to three words of letters before "order" ("Shopify", "Big Commerce").
        var count = 0;
        for (var i = 0; i < words.Length;)
        {
            if (char.IsWhiteSpace(words[i]))
            {
                i++;
                continue;
            }
            if (++count > 3)
                return default;
            for (; i < words.Length && !char.IsWhiteSpace(words[i]); i++)
                if (!char.IsAsciiLetter(words[i]))
                    return default;
        }
        return token;
    }

    static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-';

    static string Lower(string whole, ReadOnlySpan<char> token)
    {
        var hasUpper = false;
        foreach (var c in token)
            if (char.IsAsciiLetterUpper(c)) { hasUpper = true; break; }
        if (!hasUpper)
            return token.Length == whole.Length ? whole : new string(token);
        return string.Create(token.Length, token, static (dst, src) =>
        {
            for (var i = 0; i < src.Length; i++)
                dst[i] = char.ToLowerInvariant(src[i]);
        });
    }
}
