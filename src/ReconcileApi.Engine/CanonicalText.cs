using System.Text;

namespace ReconcileApi.Engine;

/// <summary>
/// Unicode's canonical equivalence without the platform's ICU, which the service runs without (InvariantGlobalization,
/// where <see cref="string.Normalize()"/> returns text as it is): "zoë" typed as one letter (U+00EB) or as e and a combining
/// diaeresis (U+0308) — a Mac keyboard, a form, a CRM's import write either — is one text. Text is compared in its
/// canonical decomposition (NFD: every composed letter taken apart, combining marks in their canonical order), which two
/// texts share exactly when they are canonically equivalent. Compatibility forms (full-width letters, ligatures) stay what
/// they are: they are other characters, as a mail server sees them.
/// </summary>
internal static partial class CanonicalText
{
    static readonly Lazy<(Dictionary<int, string> Decomposed, (int First, int Last, int Class)[] Classes)> Tables = new(Load);

    /// <summary>The canonical decomposition of <paramref name="text"/>; null when it is its own (all ASCII, and most other text).</summary>
    public static string? Decomposed(ReadOnlySpan<char> text)
    {
        if (Ascii.IsValid(text))
            return null;
        var (decomposed, _) = Tables.Value;
        // Text already decomposed and in order (most text that is not ASCII) is its own.
        var (changes, previous) = (false, 0);
        for (var i = 0; i < text.Length && !changes;)
        {
            var c = Next(text, ref i);
            var cls = Class(c);
            changes = c >= 0x80 && (IsHangulSyllable(c) || decomposed.ContainsKey(c) || (cls != 0 && cls < previous));
            previous = cls;
        }
        if (!changes)
            return null;
        var points = new List<int>(text.Length + 4);
        for (var i = 0; i < text.Length;)
        {
            var c = Next(text, ref i);
            if (IsHangulSyllable(c))
            {
                // Hangul syllables decompose by arithmetic (The Unicode Standard, 3.12).
                var s = c - 0xAC00;
                points.Add(0x1100 + s / 588);
                points.Add(0x1161 + s % 588 / 28);
                if (s % 28 != 0)
                    points.Add(0x11A7 + s % 28);
            }
            else if (decomposed.TryGetValue(c, out var parts))
            {
                for (var j = 0; j < parts.Length;)
                    points.Add(Next(parts, ref j));
            }
            else
            {
                points.Add(c);
            }
        }
        // Canonical order: within a run of combining marks, by class, keeping the order of marks of one class.
        for (var i = 1; i < points.Count; i++)
        {
            var cls = Class(points[i]);
            for (var j = i; cls != 0 && j > 0 && Class(points[j - 1]) > cls; j--)
                (points[j - 1], points[j]) = (points[j], points[j - 1]);
        }
        var builder = new StringBuilder(points.Count);
        foreach (var p in points)
        {
            if (p > 0xFFFF)
                builder.Append(char.ConvertFromUtf32(p));
            else
                builder.Append((char)p);
        }
        return builder.ToString();
    }

    /// <summary>The code point at <paramref name="i"/>, which moves past it; a lone surrogate (which ingest refuses) is taken as it is.</summary>
    static int Next(ReadOnlySpan<char> text, ref int i)
    {
        var c = text[i++];
        if (char.IsHighSurrogate(c) && i < text.Length && char.IsLowSurrogate(text[i]))
            return char.ConvertToUtf32(c, text[i++]);
        return c;
    }

    static bool IsHangulSyllable(int c) => c is >= 0xAC00 and <= 0xD7A3;

    static int Class(int c)
    {
        if (c < 0x300)
            return 0;
        var classes = Tables.Value.Classes;
        int lo = 0, hi = classes.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >> 1;
            if (c < classes[mid].First)
                hi = mid - 1;
            else if (c > classes[mid].Last)
                lo = mid + 1;
            else
                return classes[mid].Class;
        }
        return 0;
    }

    static (Dictionary<int, string>, (int, int, int)[]) Load()
    {
        var decomposed = new Dictionary<int, string>(2100);
        for (var i = 0; i < Decompositions.Length;)
        {
            var c = (Decompositions[i] << 16) | Decompositions[i + 1];
            int length = Decompositions[i + 2];
            decomposed[c] = Decompositions.Substring(i + 3, length);
            i += 3 + length;
        }
        var classes = new (int, int, int)[CombiningClasses.Length / 5];
        for (var i = 0; i < classes.Length; i++)
        {
            var at = i * 5;
            classes[i] = ((CombiningClasses[at] << 16) | CombiningClasses[at + 1], (CombiningClasses[at + 2] << 16) | CombiningClasses[at + 3], CombiningClasses[at + 4]);
        }
        return (decomposed, classes);
    }
}
