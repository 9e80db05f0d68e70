using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using ExcelDataReader;
using ReconcileApi.Features.Orders.Formats;

namespace ReconcileApi.Features.Orders;

/// <summary>A whole-request fault found while reading a body: answered as a 400 problem with where it is.</summary>
public sealed class MalformedBodyException(string message, int line, int position) : Exception(message)
{
    public int Line { get; } = line;
    public int Position { get; } = position;
}

/// <summary>Reads a request body into memory once, refusing it as soon as it passes the limit.</summary>
public static class RequestBody
{
    public static async Task<byte[]?> ReadAsync(Stream body, long limit, long? contentLength, CancellationToken ct)
    {
        using var buffer = new MemoryStream(contentLength is > 0 and var n && n <= limit ? (int)n : 64 * 1024);
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit)
                return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
    }
}

/// <summary>
/// The orders of a JSON body, located in one validating pass without building a document of the
/// whole body: each order is parsed on its own later, so memory stays near the body's size.
/// Accepts an array, an object whose wrapper property holds the array (or one order), or one order.
/// </summary>
public sealed class JsonOrderList
{
    static readonly JsonReaderOptions Options = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    JsonOrderList(byte[] body, List<Range> elements, string? idempotencyKey)
    {
        Body = body;
        Elements = elements;
        IdempotencyKey = idempotencyKey;
    }

    public byte[] Body { get; }
    public IReadOnlyList<Range> Elements { get; }
    /// <summary>The body's top-level <c>idempotencyKey</c>, for no-code tools that cannot set headers.</summary>
    public string? IdempotencyKey { get; }

    public ReadOnlyMemory<byte> Element(int index) => Body.AsMemory(Elements[index]);

    public static JsonOrderList Locate(byte[] body, IReadOnlyList<string> wrappers)
    {
        var elements = new List<Range>();
        string? key = null;
        var reader = new Utf8JsonReader(body, Options);
        try
        {
            if (!reader.Read())
                throw new MalformedBodyException("The body is empty; send a JSON array of orders.", 1, 1);
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                CollectArray(ref reader, elements);
            }
            else if (reader.TokenType == JsonTokenType.StartObject)
            {
                var rootStart = (int)reader.TokenStartIndex;
                var wrapped = false;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString()!;
                    reader.Read();
                    if (!wrapped && wrappers.Contains(name) && reader.TokenType == JsonTokenType.StartArray)
                    {
                        CollectArray(ref reader, elements);
                        wrapped = true;
                    }
                    else if (!wrapped && wrappers.Contains(name) && reader.TokenType == JsonTokenType.StartObject)
                    {
                        var start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        elements.Add(start..(int)reader.BytesConsumed);
                        wrapped = true;
                    }
                    else if (name == "idempotencyKey" && reader.TokenType == JsonTokenType.String)
                    {
                        key = reader.GetString();
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                if (!wrapped)
                    elements.Add(rootStart..(int)reader.BytesConsumed);
            }
            else
            {
                throw new MalformedBodyException("The body must be a JSON array of orders, an object that wraps them (e.g. {\"orders\": [...]}), or one order object.", 1, 1);
            }
            // Anything after the root value is an error the reader reports here.
            while (reader.Read())
            {
            }
        }
        catch (JsonException e)
        {
            var line = (int)(e.LineNumber ?? 0) + 1;
            var position = (int)(e.BytePositionInLine ?? 0) + 1;
            throw new MalformedBodyException($"Malformed JSON at line {line}, position {position}: {e.Message}", line, position);
        }
        return new JsonOrderList(body, elements, key);
    }

    static void CollectArray(ref Utf8JsonReader reader, List<Range> elements)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            elements.Add(start..(int)reader.BytesConsumed);
        }
    }
}

/// <summary>CSV text and spreadsheets (first sheet) as a header plus rows of text cells.</summary>
public static class TableReader
{
    // ExcelDataReader asks for Windows-1252 even for .xlsx; .NET has it only through this provider.
    static TableReader() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static Table ReadCsv(byte[] body)
    {
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            DetectDelimiter = true,
            DetectDelimiterValues = [",", ";", "\t", "|"],
            HasHeaderRecord = false,
            IgnoreBlankLines = true,
            BadDataFound = null,
            MissingFieldFound = null,
        };
        using var text = new StreamReader(new MemoryStream(body), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        using var parser = new CsvParser(text, config);
        IReadOnlyList<string>? header = null;
        var rows = new List<TableRow>();
        var line = 1;
        var (lastRaw, lastLine) = ("", 1);
        while (parser.Read())
        {
            var record = parser.Record ?? [];
            var startLine = line;
            line = parser.RawRow + 1;
            (lastRaw, lastLine) = (parser.RawRecord, startLine);
            if (record.All(string.IsNullOrWhiteSpace))
                continue;
            if (header is null)
                header = record.Select(h => h.Trim().TrimStart('\uFEFF')).ToList();
            else
                rows.Add(new TableRow(startLine, record));
        }
        if (IsUnterminated(lastRaw))
            throw new MalformedBodyException($"Malformed CSV at line {lastLine}: a quoted field is not closed before the end of the file.", lastLine, 1);
        if (header is null)
            throw new MalformedBodyException("The CSV has no header row.", 1, 1);
        return new Table(header, rows);
    }

    /// <summary>An odd number of quotes in a raw record means a quoted field ran to the end of the file.</summary>
    static bool IsUnterminated(string raw) => raw.Count(c => c == '"') % 2 == 1;

    public static Table ReadXlsx(byte[] body)
    {
        try
        {
            using var reader = ExcelReaderFactory.CreateOpenXmlReader(new MemoryStream(body));
            IReadOnlyList<string>? header = null;
            var rows = new List<TableRow>();
            var line = 0;
            while (reader.Read())
            {
                line++;
                var cells = new string[reader.FieldCount];
                for (var i = 0; i < cells.Length; i++)
                    cells[i] = Cell(reader.GetValue(i));
                if (cells.All(string.IsNullOrWhiteSpace))
                    continue;
                if (header is null)
                    header = cells.Select(c => c.Trim()).ToList();
                else
                    rows.Add(new TableRow(line, cells));
            }
            if (header is null)
                throw new MalformedBodyException("The workbook's first sheet has no header row.", 1, 1);
            return new Table(header, rows);
        }
        catch (Exception e) when (e is not MalformedBodyException)
        {
            throw new MalformedBodyException($"The body is not a readable .xlsx workbook: {e.Message}", 1, 1);
        }
    }

    /// <summary>Spreadsheet cells as the text a CSV export of them would hold; dates without an offset.</summary>
    static string Cell(object? value) => value switch
    {
        null => "",
        DateTime d => d.ToString(d.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
