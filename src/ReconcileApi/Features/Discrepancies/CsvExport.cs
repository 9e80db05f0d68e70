using System.Buffers;
using System.Globalization;
using System.Text;

namespace ReconcileApi.Features.Discrepancies;

/// <summary>
/// Discrepancies as CSV for spreadsheet users, streamed row by row from the query. A text cell that a
/// spreadsheet would run as a formula (starting with =, +, -, @, tab, carriage return or NUL — after any spaces —, or with
/// one after a semicolon inside it) is prefixed there with an apostrophe so it shows as text, unless it is a plain negative number (a negative total in storeValue or
/// keapValue); amounts are written as plain numbers, negative ones too.
/// </summary>
/// <remarks>
/// <c>excel</c>: a UTF-8 byte order mark (so Excel reads accents and currency signs right) and times as
/// <c>2026-10-01 17:00:00</c> (UTC), which Excel turns into dates; otherwise ISO 8601 with Z.
/// </remarks>
public sealed class CsvExport(IQueryable<Discrepancy> rows, Guid? runId, bool excel = false) : IResult
{
    public const string Header =
        "id,runId,category,severity,state,orderKey,storeOrderId,keapOrderId,duplicateOrderId,customerEmail,orderDate,field,storeValue,keapValue," +
        "difference,impact,currency,causeCode,causeExplanation,suggestedAction,suggestedSystem,firstSeenRunId,lastSeenRunId,occurrences," +
        "detectedAt,updatedAt,resolutionAction,resolutionNote,resolvedBy,resolvedAt,suggestedValues,lineDifferences";

    /// <summary>
    /// Whether the request's Accept prefers CSV (RFC 9110, 12.5.1): <c>text/csv</c> with a quality above 0 and at least that
    /// of the most specific range covering JSON (<c>application/json</c>, else <c>application/*</c>, else <c>*/*</c>). It only
    /// looked for the text "text/csv", so <c>text/csv;q=0</c> — CSV is not acceptable — and <c>text/csv;q=0.1,
    /// application/json;q=0.9</c> were answered CSV. An Accept that does not parse asks for nothing: JSON.
    /// </summary>
    public static bool Preferred(HttpRequest request)
    {
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var ranges))
            return false;
        double Quality(string type) => ranges.Where(r => r.MediaType.Equals(type, StringComparison.OrdinalIgnoreCase))
            .Select(r => r.Quality ?? 1).DefaultIfEmpty(-1).Max();
        var csv = Quality("text/csv");
        var json = Quality("application/json") is >= 0 and var exact ? exact : Quality("application/*") is >= 0 and var any ? any : Quality("*/*");
        return csv > 0 && csv >= json;
    }

    public async Task ExecuteAsync(HttpContext context)
    {
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = "attachment; filename=\"discrepancies.csv\"";
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: excel), 64 * 1024);
        await writer.WriteAsync(Header + "\r\n");
        var line = new StringBuilder(512);
        await foreach (var d in rows.AsNoTracking().AsAsyncEnumerable().WithCancellation(context.RequestAborted))
        {
            line.Clear();
            var action = DiscrepancyResponse.ActionOf(d);
            Append(line, d.Id);
            Text(line, (runId ?? d.LastSeenRunId).ToString());
            Text(line, WireEnum.Name(d.Category));
            Text(line, WireEnum.Name(d.Severity));
            Text(line, WireEnum.Name(d.State));
            Text(line, d.OrderKey);
            Text(line, d.StoreOrderId);
            Text(line, d.KeapOrderId);
            Text(line, d.DuplicateOrderId);
            Text(line, d.CustomerEmail);
            Text(line, Instant(d.OrderDate));
            Text(line, d.Field);
            Text(line, d.StoreValue);
            Text(line, d.KeapValue);
            Append(line, d.Difference);
            Append(line, d.Impact);
            Text(line, d.Currency);
            Text(line, d.CauseCode);
            Text(line, d.CauseExplanation);
            Text(line, action.Code);
            Text(line, action.System);
            Text(line, d.FirstSeenRunId.ToString());
            Text(line, d.LastSeenRunId.ToString());
            Append(line, d.Occurrences);
            Text(line, Instant(d.DetectedAt));
            Text(line, Instant(d.UpdatedAt));
            Text(line, d.ResolutionAction is { } resolution ? WireEnum.Name(resolution) : null);
            Text(line, d.ResolutionNote);
            Text(line, d.ResolvedBy);
            Text(line, Instant(d.ResolvedAt));
            Text(line, action.Values.GetRawText());
            Text(line, Lines(d.LineDifferences));
            line.Length--; // the last separator
            line.Append("\r\n");
            await writer.WriteAsync(line);
        }
    }

    string? Instant(DateTime? value) => value?.ToString(excel ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The line differences as one readable cell: <c>Tee: quantity_differs (store 2 × 280.00; keap 1 × 280.00)</c>.</summary>
    static string? Lines(string json)
    {
        if (json is "[]" or "")
            return null;
        var lines = JsonSerializer.Deserialize<List<LineDifference>>(json, StoredJson.Options)!;
        return string.Join("; ", lines.Select(l =>
            $"{l.Line}: {l.Kind} (store {Side(l.StoreQuantity, l.StoreUnitPrice)}; keap {Side(l.KeapQuantity, l.KeapUnitPrice)})"));

        static string Side(decimal? quantity, decimal? price) => quantity is null && price is null ? "none"
            : $"{quantity?.ToString(CultureInfo.InvariantCulture) ?? "?"} × {price?.ToString(CultureInfo.InvariantCulture) ?? "?"}";
    }

    static void Append(StringBuilder line, decimal? number)
    {
        if (number is { } n)
            line.Append(n.ToString(CultureInfo.InvariantCulture));
        line.Append(',');
    }

    static void Append(StringBuilder line, long number) => line.Append(number.ToString(CultureInfo.InvariantCulture)).Append(',');

    /// <summary>A negative amount in a text cell (a store or Keap total): a spreadsheet reads it as a number, not a formula.</summary>
    static bool IsNegativeNumber(ReadOnlySpan<char> value) =>
        value[0] == '-' && decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _);

    /// <summary>
    /// A text cell: defused if a spreadsheet would evaluate it, quoted when it holds a separator (comma or semicolon), tab,
    /// quote or line break. Where the list separator is <c>;</c> (most of Europe) a spreadsheet splits a row at every
    /// semicolon, quoted or not, so what follows a semicolon in a value starts a cell of its own (OWASP, CSV Injection:
    /// "take care of the field separator"): it is defused as a cell's start is.
    /// </summary>
    public static void Text(StringBuilder line, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            value = Defused(value);
            if (value.AsSpan().IndexOfAny(Quoted) >= 0)
                line.Append('"').Append(value.Replace("\"", "\"\"")).Append('"');
            else
                line.Append(value);
        }
        line.Append(',');
    }

    static readonly SearchValues<char> Quoted = SearchValues.Create(",;\"\t\r\n");

    /// <summary>
    /// Whether a cell starting here would run as a formula: = + - @, tab, carriage return or NUL, but not a plain negative
    /// number — after any spaces before it, as a spreadsheet that trims cells on import (LibreOffice's "Trim spaces") sees it.
    /// </summary>
    static bool RunsAsFormula(ReadOnlySpan<char> cell)
    {
        cell = cell.TrimStart(' ');
        return cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@' or '\t' or '\r' or '\0' && !IsNegativeNumber(cell);
    }

    /// <summary>The value with an apostrophe before each piece — the start, and what follows each semicolon — that would run as a formula.</summary>
    static string Defused(string value)
    {
        if (!RunsAsFormula(value) && !value.Contains(';'))
            return value;
        var text = new StringBuilder(value.Length + 2);
        var start = 0;
        while (true)
        {
            var end = value.IndexOf(';', start);
            var piece = value.AsSpan(start, (end < 0 ? value.Length : end) - start);
            if (RunsAsFormula(piece))
                text.Append('\'');
            text.Append(piece);
            if (end < 0)
                return text.ToString();
            text.Append(';');
            start = end + 1;
        }
    }
}
