using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using ExcelDataReader;
using ReconcileApi.Features.Orders.Formats;

namespace ReconcileApi.Features.Orders;

/// <summary>CSV text and spreadsheets (first sheet) as a header plus rows of text cells.</summary>
public static class TableReader
{
    // ExcelDataReader asks for Windows-1252 even for .xlsx; .NET has it only through this provider.
    static TableReader() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static bool TryReadCsv(byte[] body, [NotNullWhen(true)] out Table? table, [NotNullWhen(false)] out MalformedBody? malformed)
    {
        (table, malformed) = (null, null);
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
            malformed = new MalformedBody($"Malformed CSV at line {lastLine}: a quoted field is not closed before the end of the file.", lastLine, 1);
        else if (header is null)
            malformed = new MalformedBody("The CSV has no header row.", 1, 1);
        else
            table = new Table(header, rows);
        return table is not null;
    }

    /// <summary>An odd number of quotes in a raw record means a quoted field ran to the end of the file.</summary>
    static bool IsUnterminated(string raw) => raw.Count(c => c == '"') % 2 == 1;

    public static bool TryReadXlsx(byte[] body, [NotNullWhen(true)] out Table? table, [NotNullWhen(false)] out MalformedBody? malformed)
    {
        (table, malformed) = (null, null);
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
                malformed = new MalformedBody("The workbook's first sheet has no header row.", 1, 1);
            else
                table = new Table(header, rows);
        }
        catch (Exception e)
        {
            // ExcelDataReader reports a file that is not a workbook with exceptions of its own (and zip ones).
            malformed = new MalformedBody($"The body is not a readable .xlsx workbook: {e.Message}", 1, 1);
        }
        return table is not null;
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
