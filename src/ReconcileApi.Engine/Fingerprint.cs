using System.Numerics;
using System.Runtime.InteropServices;

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
        // Four UTF-16 units at a time; ASCII words are lower-cased in place, others char by char.
        var words = MemoryMarshal.Cast<char, ulong>(t);
        foreach (var word in words)
        {
            var w = (word & 0xFF80FF80FF80FF80UL) == 0 ? LowerAscii(word) : LowerEach(word);
            a = BitOperations.RotateLeft((a ^ w) * 0x9FB21C651E98DF25UL, 29);
            b = BitOperations.RotateLeft(b ^ (w * 0xff51afd7ed558ccdUL), 31) * 0xc4ceb9fe1a85ec53UL;
        }
        for (var i = words.Length * 4; i < t.Length; i++)
        {
            ulong c = Fold(t[i]);
            a = BitOperations.RotateLeft((a ^ c) * 0x9FB21C651E98DF25UL, 29);
            b = BitOperations.RotateLeft(b ^ (c * 0xff51afd7ed558ccdUL), 31) * 0xc4ceb9fe1a85ec53UL;
        }
        // Never None for real text.
        return new(Mix(a) | 1, Mix(b));
    }

    /// <summary>Lower-cases four ASCII units at once: a lane in 'A'..'Z' gets its 0x20 bit.</summary>
    static ulong LowerAscii(ulong w) =>
        w | (((w + 0x003F003F003F003FUL) & ~(w + 0x0025002500250025UL) & 0x0080008000800080UL) >> 2);

    static ulong LowerEach(ulong w)
    {
        ulong folded = 0;
        for (var lane = 0; lane < 4; lane++)
            folded |= (ulong)Fold((char)(w >> (16 * lane))) << (16 * lane);
        return folded;
    }

    static char Fold(char c) => char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : char.IsAscii(c) ? c : char.ToLowerInvariant(c);

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
