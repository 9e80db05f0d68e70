using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace ReconcileApi.Features.Discrepancies;

/// <summary>
/// What a finding writes into its discrepancy, hashed, so that a run tells whether a discrepancy it finds again changed by
/// reading 24 stored bytes (<see cref="Discrepancy.Signature"/>) instead of fifteen columns with the action and line texts:
/// bytes 0–7 hash the values a history entry records (severity, store and Keap value, difference, impact, currency),
/// bytes 8–23 those and everything else the lifecycle copies (email, order date, order ids, field, cause, the suggested
/// action and line differences as stored JSON). Amounts and times are hashed as the database stores them (ten-thousandths,
/// UTC), so a value that reads back equal hashes equal; a null is told from an empty text.
/// </summary>
public static class FindingSignature
{
    public const int Length = 24;
    const int ValuesLength = 8;

    /// <summary>The signature of what <paramref name="f"/> writes, with its action and lines serialized as stored.</summary>
    public static byte[] Of(Finding f, string suggestedAction, string lineDifferences) =>
        Of(f.Severity, f.StoreValue, f.KeapValue, f.Difference, f.Impact, f.Currency, f.CustomerEmail, f.OrderDate, f.StoreOrderId,
            f.KeapOrderId, f.Field, f.Cause.Code, f.Cause.Explanation, suggestedAction, lineDifferences);

    /// <summary>The signature of a discrepancy's stored fields (one written before signatures were kept).</summary>
    public static byte[] Of(Discrepancy d) =>
        Of(d.Severity, d.StoreValue, d.KeapValue, d.Difference, d.Impact, d.Currency, d.CustomerEmail, d.OrderDate, d.StoreOrderId,
            d.KeapOrderId, d.Field, d.CauseCode, d.CauseExplanation, d.SuggestedAction, d.LineDifferences);

    static byte[] Of(Severity severity, string? storeValue, string? keapValue, decimal? difference, decimal impact, string? currency,
        string? customerEmail, DateTime? orderDate, string? storeOrderId, string? keapOrderId, string? field, string causeCode,
        string causeExplanation, string suggestedAction, string lineDifferences)
    {
        var values = new XxHash64();
        Number(values, (int)severity);
        Text(values, storeValue);
        Text(values, keapValue);
        Amount(values, difference);
        Amount(values, impact);
        Text(values, currency);
        var signature = new byte[Length];
        values.GetCurrentHash(signature.AsSpan(0, ValuesLength));

        var all = new XxHash128();
        all.Append(signature.AsSpan(0, ValuesLength));
        Text(all, customerEmail);
        Number(all, orderDate is { } date ? ReconcileDbContext.StoredTime(date).Ticks : -1);
        Text(all, storeOrderId);
        Text(all, keapOrderId);
        Text(all, field);
        Text(all, causeCode);
        Text(all, causeExplanation);
        Text(all, suggestedAction);
        Text(all, lineDifferences);
        all.GetCurrentHash(signature.AsSpan(ValuesLength));
        return signature;
    }

    /// <summary>Whether the values a history entry records differ.</summary>
    public static bool ValuesDiffer(byte[] stored, byte[] current) => !stored.AsSpan(0, ValuesLength).SequenceEqual(current.AsSpan(0, ValuesLength));

    /// <summary>Whether anything a finding writes differs.</summary>
    public static bool Differs(byte[] stored, byte[] current) => !stored.AsSpan().SequenceEqual(current);

    /// <summary>A text with its length first, so that neighbours cannot run into each other; null as length −1.</summary>
    static void Text(NonCryptographicHashAlgorithm hash, string? text)
    {
        Number(hash, text?.Length ?? -1);
        if (text is not null)
            hash.Append(MemoryMarshal.AsBytes(text.AsSpan()));
    }

    /// <summary>An amount as stored, after a number that says whether there is one.</summary>
    static void Amount(NonCryptographicHashAlgorithm hash, decimal? amount)
    {
        Number(hash, amount is null ? 0 : 1);
        Number(hash, amount is { } a ? ReconcileDbContext.StoredMoney(a) : 0);
    }

    static void Number(NonCryptographicHashAlgorithm hash, long value)
    {
        Span<byte> bytes = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        hash.Append(bytes);
    }
}
