using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

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
        // The fields are laid out in one buffer and each part hashed in one call: the same bytes as appending them one by
        // one to a streaming hash (signatures earlier builds stored stay equal), at a fraction of its per-append cost.
        var bytes = scratch ??= new ArrayBufferWriter<byte>(4096);
        bytes.ResetWrittenCount();
        Number(bytes, (int)severity);
        Text(bytes, storeValue);
        Text(bytes, keapValue);
        Amount(bytes, difference);
        Amount(bytes, impact);
        Text(bytes, currency);
        var signature = new byte[Length];
        XxHash64.Hash(bytes.WrittenSpan, signature.AsSpan(0, ValuesLength));

        bytes.ResetWrittenCount();
        bytes.Write(signature.AsSpan(0, ValuesLength));
        Text(bytes, customerEmail);
        Number(bytes, orderDate is { } date ? ReconcileDbContext.StoredTime(date).Ticks : -1);
        Text(bytes, storeOrderId);
        Text(bytes, keapOrderId);
        Text(bytes, field);
        Text(bytes, causeCode);
        Text(bytes, causeExplanation);
        Text(bytes, suggestedAction);
        Text(bytes, lineDifferences);
        XxHash128.Hash(bytes.WrittenSpan, signature.AsSpan(ValuesLength));
        return signature;
    }

    [ThreadStatic] static ArrayBufferWriter<byte>? scratch;

    /// <summary>Whether the values a history entry records differ.</summary>
    public static bool ValuesDiffer(byte[] stored, byte[] current) => !stored.AsSpan(0, ValuesLength).SequenceEqual(current.AsSpan(0, ValuesLength));

    /// <summary>
    /// Whether a stored discrepancy's values (those <see cref="ValuesDiffer"/> hashes) say what <paramref name="f"/>'s say,
    /// numbers in the value texts compared as numbers: "560", "560.0" and "560.00" are one amount, however a sender or an
    /// earlier build wrote it (before values were written to the currency's minor unit). An ignored discrepancy reopens
    /// only when its values change in meaning.
    /// </summary>
    public static bool SameValues(Discrepancy d, Finding f) =>
        d.Severity == f.Severity && d.Difference == f.Difference && d.Impact == f.Impact && d.Currency == f.Currency
        && SameText(d.StoreValue, f.StoreValue) && SameText(d.KeapValue, f.KeapValue);

    static bool SameText(string? a, string? b) =>
        a == b || (a is not null && b is not null && Numbers.Replace(a, Plain) == Numbers.Replace(b, Plain));

    static readonly Regex Numbers = new(@"\d+(?:\.\d+)?", RegexOptions.CultureInvariant);

    static string Plain(Match m) =>
        decimal.Parse(m.ValueSpan, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture).ToString("0.############################", CultureInfo.InvariantCulture);

    /// <summary>Whether anything a finding writes differs.</summary>
    public static bool Differs(byte[] stored, byte[] current) => !stored.AsSpan().SequenceEqual(current);

    /// <summary>A text with its length first, so that neighbours cannot run into each other; null as length −1.</summary>
    static void Text(ArrayBufferWriter<byte> bytes, string? text)
    {
        Number(bytes, text?.Length ?? -1);
        if (text is not null)
            bytes.Write(MemoryMarshal.AsBytes(text.AsSpan()));
    }

    /// <summary>An amount as stored, after a number that says whether there is one.</summary>
    static void Amount(ArrayBufferWriter<byte> bytes, decimal? amount)
    {
        Number(bytes, amount is null ? 0 : 1);
        Number(bytes, amount is { } a ? ReconcileDbContext.StoredMoney(a) : 0);
    }

    static void Number(ArrayBufferWriter<byte> bytes, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(bytes.GetSpan(sizeof(long)), value);
        bytes.Advance(sizeof(long));
    }
}
