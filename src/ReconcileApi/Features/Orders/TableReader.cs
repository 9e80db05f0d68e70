using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using CsvHelper.Delegates;
using ExcelDataReader;
using ReconcileApi.Features.Orders.Formats;

namespace ReconcileApi.Features.Orders;

/// <summary>
/// CSV text and spreadsheets (first sheet) as a header plus rows of text cells, within limits that keep a small
/// hostile file from costing gigabytes: at most <see cref="MaxRows"/> rows of at most <see cref="MaxColumns"/> cells, cells of
/// at most <see cref="MaxCellLength"/> characters, and a workbook whose parts expand to at most <see cref="MaxExpandedBytes"/>
/// (checked from the archive's directory before anything is expanded).
/// </summary>
public static class TableReader
{
    /// <summary>Five rows per order at the 50,000-order limit (exports list one row per order line).</summary>
    public const int MaxRows = 250_000;
    /// <summary>Excel's own limit for one cell.</summary>
    public const int MaxCellLength = 32_767;
    /// <summary>
    /// Real exports have fewer than 100 columns (Shopify's order export about 80), so 1,024 leaves room for any of them. Each
    /// column costs a string, a header key, a column-map entry and an entry in the stored raw record — about 30 times its
    /// bytes: a 29 MB CSV with 3,000,000 header columns and one row took 1 GB. A row is measured before its cells are made.
    /// </summary>
    public const int MaxColumns = 1_024;
    public const long MaxExpandedBytes = 256L * 1024 * 1024;

    static MemoryStream ReadOnlyStream(ArraySegment<byte> body) => new(body.Array!, body.Offset, body.Count, writable: false);

    // ExcelDataReader asks for Windows-1252 even for .xlsx; .NET has it only through this provider.
    static TableReader() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static bool TryReadCsv(ArraySegment<byte> body, [NotNullWhen(true)] out Table? table, [NotNullWhen(false)] out MalformedBody? malformed)
    {
        (table, malformed) = (null, null);
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            DetectDelimiterValues = [",", ";", "\t", "|"],
            HasHeaderRecord = false,
            IgnoreBlankLines = true,
            BadDataFound = null,
            MissingFieldFound = null,
        };
        config.Delimiter = DetectDelimiter(body, config);
        using var text = new StreamReader(ReadOnlyStream(body), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        using var parser = new CsvParser(text, config);
        var rows = new Rows("CSV");
        var line = 1;
        var (lastRaw, lastLine) = ("", 1);
        while (parser.Read())
        {
            var startLine = line;
            line = parser.RawRow + 1;
            if (!rows.Fits(startLine, parser.Count, out malformed))
                return false;
            (lastRaw, lastLine) = (parser.RawRecord, startLine);
            if (!rows.Add(startLine, parser.Record ?? [], out malformed))
                return false;
        }
        if (IsUnterminated(lastRaw))
            malformed = new MalformedBody($"Malformed CSV at line {lastLine}: a quoted field is not closed before the end of the file.", lastLine, 1);
        else if (rows.Header is null)
            malformed = new MalformedBody("The CSV has no header row.", 1, 1);
        else
            table = new Table(rows.Header, rows.Data, NotUtf8(body));
        return table is not null;
    }

    /// <summary>Whether the body is not UTF-8 text (after a UTF-8 byte order mark): its reader put U+FFFD for the bytes that were not.</summary>
    static bool NotUtf8(ArraySegment<byte> body)
    {
        var bytes = body.AsSpan();
        return !System.Text.Unicode.Utf8.IsValid(bytes.StartsWith("\uFEFF"u8) ? bytes[3..] : bytes);
    }

    /// <summary>
    /// The delimiter, told from the start of the text (what CsvHelper's own detection reads in its first buffer). Its
    /// <c>DetectDelimiter</c> reads the whole buffer again each time the first record outgrows it: a 29 MB header cost 1.6 GB
    /// of allocations and 20 s before the column count could be checked.
    /// </summary>
    static string DetectDelimiter(ArraySegment<byte> body, CsvConfiguration config)
    {
        using var reader = new StreamReader(ReadOnlyStream(body), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var start = new char[config.BufferSize];
        var read = reader.ReadBlock(start, 0, start.Length);
        return config.GetDelimiter(new GetDelimiterArgs(new string(start, 0, read), config)) ?? config.Delimiter;
    }

    /// <summary>An odd number of quotes in a raw record means a quoted field ran to the end of the file.</summary>
    static bool IsUnterminated(string raw) => raw.Count(c => c == '"') % 2 == 1;

    public static bool TryReadXlsx(ArraySegment<byte> body, [NotNullWhen(true)] out Table? table, [NotNullWhen(false)] out MalformedBody? malformed)
    {
        (table, malformed) = (null, null);
        try
        {
            using (var archive = new ZipArchive(ReadOnlyStream(body), ZipArchiveMode.Read))
            {
                var expanded = archive.Entries.Sum(e => e.Length);
                if (expanded > MaxExpandedBytes)
                {
                    malformed = new MalformedBody($"The workbook expands to {expanded} bytes; the limit is {MaxExpandedBytes}. Send the first sheet as CSV, or fewer rows per request.",
                        1, 1, StatusCodes.Status413PayloadTooLarge);
                    return false;
                }
            }
            using var reader = ExcelReaderFactory.CreateOpenXmlReader(ReadOnlyStream(body));
            var rows = new Rows("workbook");
            var line = 0;
            while (reader.Read())
            {
                line++;
                // A sheet gives every row as many cells as its widest one: a row ends at its last value, as a CSV line does.
                var width = reader.FieldCount;
                while (width > 0 && string.IsNullOrWhiteSpace(Cell(reader.GetValue(width - 1))))
                    width--;
                if (!rows.Fits(line, width, out malformed))
                    return false;
                var cells = new string[width];
                for (var i = 0; i < cells.Length; i++)
                    cells[i] = Cell(reader.GetValue(i));
                if (!rows.Add(line, cells, out malformed))
                    return false;
            }
            if (rows.Header is null)
                malformed = new MalformedBody("The workbook's first sheet has no header row.", 1, 1);
            else
                table = new Table(rows.Header, rows.Data);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // ExcelDataReader and the zip reader report a file that is not a workbook with exceptions of their own.
            malformed = new MalformedBody($"The body is not a readable .xlsx workbook: {e.Message}", 1, 1);
        }
        return table is not null;
    }

    /// <summary>The header (the first row that is not blank), then the data rows, each checked against the limits.</summary>
    sealed class Rows(string what)
    {
        public IReadOnlyList<string>? Header { get; private set; }
        public List<TableRow> Data { get; } = [];

        /// <summary>Whether a row of <paramref name="width"/> cells is within <see cref="MaxColumns"/>: asked before its cells are made.</summary>
        public bool Fits(int line, int width, [NotNullWhen(false)] out MalformedBody? malformed)
        {
            malformed = width <= MaxColumns ? null
                : new MalformedBody($"The {what}'s line {line} has {width:N0} columns; a table holds at most {MaxColumns:N0} (real exports have fewer than 100). Send only the columns the format reads.", line, MaxColumns + 1);
            return malformed is null;
        }

        public bool Add(int line, string[] cells, [NotNullWhen(false)] out MalformedBody? malformed)
        {
            malformed = null;
            if (cells.All(string.IsNullOrWhiteSpace))
                return true;
            for (var i = 0; i < cells.Length; i++)
            {
                if (cells[i].Length > MaxCellLength)
                {
                    malformed = new MalformedBody($"The {what}'s cell at line {line}, column {i + 1} holds {cells[i].Length} characters; a cell holds at most {MaxCellLength}.", line, i + 1);
                    return false;
                }
            }
            if (Header is null)
            {
                Header = cells.Select(h => h.Trim().TrimStart('\uFEFF')).ToList();
                return true;
            }
            if (Data.Count == MaxRows)
            {
                malformed = new MalformedBody($"The {what} holds more than {MaxRows} rows; send at most {MaxRows} rows (50,000 orders) per request.", line, 1,
                    StatusCodes.Status413PayloadTooLarge);
                return false;
            }
            Data.Add(new TableRow(line, cells));
            return true;
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
