using System.Numerics;

namespace ReconcileApi.Engine;

/// <summary>
/// 128-bit fingerprints of normalized text, so a million-order run can pair and compare without
/// allocating strings. Keys are paired on their 128-bit fingerprint (a false pair would need a
/// 2^-128 collision); for fields, an equal fingerprint is the fast "same" path and a different one
/// is always confirmed by an exact comparison, so a difference is never invented.
/// </summary>
internal readonly record struct Fingerprint(ulong A, ulong B)
{
    public static readonly Fingerprint None = default;

    public bool IsNone => A == 0 && B == 0;

    /// <summary>Fingerprint of <paramref name="text"/> trimmed and case-folded; <see cref="None"/> when blank.</summary>
    public static Fingerprint OfFolded(ReadOnlySpan<char> text)
    {
        var t = text.Trim();
        if (t.IsEmpty)
            return None;
        ulong a = 0xcbf29ce484222325, b = 0x9E3779B97F4A7C15 ^ (ulong)t.Length;
        foreach (var ch in t)
        {
            var c = char.IsAsciiLetterUpper(ch) ? (char)(ch | 0x20) : char.IsAscii(ch) ? ch : char.ToLowerInvariant(ch);
            a = (a ^ c) * 0x100000001b3;
            b = BitOperations.RotateLeft(b ^ (c * 0xff51afd7ed558ccdUL), 29) * 0xc4ceb9fe1a85ec53;
        }
        // Never None for real text.
        return new(Mix(a) | 1, Mix(b));
    }

    public static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccd;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53;
        x ^= x >> 33;
        return x;
    }

    public override int GetHashCode() => (int)A ^ (int)(A >> 32);
}
