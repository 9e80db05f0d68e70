using System.Text;
using System.Text.Json;
using ReconcileApi.Features.Orders.Formats;

namespace ReconcileApi.Tests.Formats;

/// <summary>Loads the vendor fixtures and builds tables the way the ingest pipeline hands them to formats.</summary>
static class Fixture
{
    public static FormatContext Utc => FormatContext.Utc;

    public static FormatContext In(string zone) => new(TimeZoneInfo.FindSystemTimeZoneById(zone), new Dictionary<string, string>());

    public static FormatContext WithMap(params (string Field, string Header)[] map) =>
        new(TimeZoneInfo.Utc, map.ToDictionary(m => m.Field, m => m.Header));

    public static string Text(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Formats", "Fixtures", name));

    /// <summary>The orders of a fixture: a bare array, or the array under "orders".</summary>
    public static JsonElement[] JsonOrders(string name)
    {
        var root = JsonDocument.Parse(Text(name)).RootElement;
        var array = root.ValueKind == JsonValueKind.Array ? root : root.GetProperty("orders");
        return array.EnumerateArray().ToArray();
    }

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    /// <summary>A table from literal cells; the first row is the header, data rows start at line 2.</summary>
    public static Table Table(params string[][] rows) =>
        new(rows[0], rows.Skip(1).Select((cells, i) => new TableRow(i + 2, cells)).ToList());

    /// <summary>A minimal RFC 4180 reader (quotes, doubled quotes, commas and newlines in quotes) for fixtures only.</summary>
    public static Table Csv(string text)
    {
        var records = new List<(int Line, List<string> Cells)>();
        var cells = new List<string>();
        var cell = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else { if (c == '\n') line++; cell.Append(c); }
                continue;
            }
            switch (c)
            {
                case '"': quoted = true; break;
                case ',': cells.Add(cell.ToString()); cell.Clear(); break;
                case '\r': break;
                case '\n':
                    cells.Add(cell.ToString()); cell.Clear();
                    records.Add((recordLine, cells)); cells = [];
                    line++; recordLine = line;
                    break;
                default: cell.Append(c); break;
            }
        }
        if (cell.Length > 0 || cells.Count > 0)
        {
            cells.Add(cell.ToString());
            records.Add((recordLine, cells));
        }
        return new Table(records[0].Cells, records.Skip(1).Select(r => new TableRow(r.Line, r.Cells)).ToList());
    }

    public static void NoErrors(ReadOrder read) =>
        Assert.True(read.Problems.Errors.Count == 0, string.Join("; ", read.Problems.Errors.Select(e => $"{e.Field}: {e.Message}")));

    public static DateTime At(int y, int mo, int d, int h, int mi, int s = 0) => new(y, mo, d, h, mi, s, DateTimeKind.Utc);
}
