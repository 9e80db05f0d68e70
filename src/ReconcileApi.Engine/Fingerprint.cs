using System.Buffers;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace ReconcileApi.Engine;

/// <summary>
/// 128-bit fingerprints (XxHash128) of normalized text, so a million-order run can pair and compare without
/// allocating strings. Keys are paired on their 128-bit fingerprint (a false pair would need a
/// 2^-128 collision); for fields, an equal fingerprint is the fast "same" path and a different one
/// is always confirmed by an exact comparison, so a difference is never invented.
/// </summary>
internal readonly record struct Fingerprint(ulong A, ulong B)
{
    public static readonly Fingerprint None = default;

    public bool IsNone => A == 0 && B == 0;

    /// <summary>
    /// Fingerprint of <paramref name="text"/> trimmed, canonically decomposed (<see cref="CanonicalText"/>) and lower-cased
    /// (invariant); <see cref="None"/> when blank. "zoë" typed as one letter or as e and a combining diaeresis is one text to
    /// Unicode and to whoever reads it, so it is one key, email or SKU here.
    /// </summary>
    [SkipLocalsInit]
    public static Fingerprint OfFolded(ReadOnlySpan<char> text)
    {
        var t = text.Trim();
        if (t.IsEmpty)
            return None;
        char[]? rented = null;
        var folded = (t.Length <= 256 ? stackalloc char[256] : rented = ArrayPool<char>.Shared.Rent(t.Length))[..t.Length];
        // Vectorized for ASCII (almost every key and email); invariant lower-casing for the rest.
        if (Ascii.ToLower(t, folded, out _) != OperationStatus.Done)
        {
            // Other text than ASCII rarely has a letter to take apart, and pays the copy only then.
            if (CanonicalText.Decomposed(t) is { } decomposed)
            {
                if (rented is not null)
                    ArrayPool<char>.Shared.Return(rented);
                return Of(decomposed.ToLowerInvariant());
            }
            t.ToLowerInvariant(folded);
        }
        var print = Of(folded);
        if (rented is not null)
            ArrayPool<char>.Shared.Return(rented);
        return print;
    }

    static Fingerprint Of(ReadOnlySpan<char> folded)
    {
        var hash = XxHash128.HashToUInt128(MemoryMarshal.AsBytes(folded));
        // Never None for real text.
        return new((ulong)hash | 1, (ulong)(hash >> 64));
    }

    /// <summary>A 64-bit finalizer (MurmurHash3's fmix64) for combining values into one fingerprint.</summary>
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
