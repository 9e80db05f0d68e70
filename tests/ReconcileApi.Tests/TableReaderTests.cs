using System.Text;
using ReconcileApi.Features.Orders;

namespace ReconcileApi.Tests;

public sealed class TableReaderTests
{
    static byte[] Utf8(string text, bool bom = false) =>
        (bom ? Encoding.UTF8.GetPreamble() : []).Concat(Encoding.UTF8.GetBytes(text)).ToArray();

    [Fact]
    public void ReadCsv_KeepsQuotedCommasAndEmbeddedNewlines_AndNumbersRowsByTheirFirstLine()
    {
        Assert.True(TableReader.TryReadCsv(Utf8("Name,Lineitem name,Total\n#1001,\"Tee, black\",10.00\n#1002,\"Mug\nwith lid\",5.00\n#1003,Cap,3.00\n"), out var table, out _));

        Assert.Equal(["Name", "Lineitem name", "Total"], table.Header);
        Assert.Equal(3, table.Rows.Count);
        Assert.Equal("Tee, black", table.Rows[0].Cells[1]);
        Assert.Equal("Mug\nwith lid", table.Rows[1].Cells[1]);
        Assert.Equal([2, 3, 5], table.Rows.Select(r => r.Line));
    }

    [Fact]
    public void ReadCsv_StripsTheBom_DetectsSemicolons_AndIgnoresBlankTrailingLines()
    {
        Assert.True(TableReader.TryReadCsv(Utf8("Order Id;Total\r\n1;1.234,50\r\n2;7\r\n\r\n\r\n", bom: true), out var table, out _));

        Assert.Equal(["Order Id", "Total"], table.Header);
        Assert.Equal(2, table.Rows.Count);
        Assert.Equal("1.234,50", table.Rows[0].Cells[1]);
    }

    [Fact]
    public void ReadCsv_ReportsTheLine_WhenAQuotedFieldIsNeverClosed()
    {
        Assert.False(TableReader.TryReadCsv(Utf8("Id,Name\n1,ok\n2,\"broken\n3,x\n"), out _, out var malformed));
        Assert.Equal(3, malformed.Line);
        Assert.Contains("line 3", malformed.Message);
    }

    [Fact]
    public void ReadCsv_SaysSo_WhenThereIsNoHeader()
    {
        Assert.False(TableReader.TryReadCsv(Utf8("\n\n"), out _, out var malformed));
        Assert.Contains("no header", malformed.Message);
    }

    static string Wide(int columns) => string.Join(",", ["orderId", "total", .. Enumerable.Range(0, columns - 2).Select(i => $"c{i}")]);

    [Fact]
    public void ReadCsv_RefusesAHeaderWiderThanTheLimit_NamingTheCountAndTheLimit()
    {
        Assert.True(TableReader.TryReadCsv(Utf8(Wide(TableReader.MaxColumns) + "\n1,2\n"), out var table, out _));
        Assert.Equal(TableReader.MaxColumns, table.Header.Count);

        Assert.False(TableReader.TryReadCsv(Utf8(Wide(TableReader.MaxColumns + 1) + "\n1,2\n"), out _, out var malformed));

        Assert.Equal(400, malformed.Status);
        Assert.Equal(1, malformed.Line);
        Assert.Contains("1,025 columns", malformed.Message);
        Assert.Contains("at most 1,024", malformed.Message);
    }

    [Fact]
    public void ReadCsv_RefusesAVeryWideHeader_ReadingItOnce()
    {
        // CsvHelper's own delimiter detection read the text again each time the first record outgrew its buffer: 92 times the
        // body's size allocated for this header (1.6 GB and 20 s for 3,000,000 columns); read once it is about 15 times.
        var body = Utf8(Wide(300_000) + "\nW1,10.00\n");

        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.False(TableReader.TryReadCsv(body, out _, out var malformed));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("300,000 columns", malformed.Message);
        Assert.True(allocated < 40L * body.Length, $"{allocated:N0} bytes allocated for a {body.Length:N0}-byte body");
    }

    [Fact]
    public void ReadCsv_RefusesADataRowWiderThanTheLimit_NamingItsLine()
    {
        var csv = "orderId,total\n1,2\n" + string.Join(",", Enumerable.Repeat("x", TableReader.MaxColumns + 1)) + "\n";

        Assert.False(TableReader.TryReadCsv(Utf8(csv), out _, out var malformed));

        Assert.Equal(3, malformed.Line);
        Assert.Contains("line 3 has 1,025 columns", malformed.Message);
    }

    [Fact]
    public void ReadXlsx_RefusesAHeaderWiderThanTheLimit()
    {
        var row = Wide(TableReader.MaxColumns + 1).Split(',').ToDictionary(h => h, object (_) => "1");

        Assert.False(TableReader.TryReadXlsx(Workbooks.Xlsx(row), out _, out var malformed));

        Assert.Contains("workbook's line 1 has 1,025 columns", malformed.Message);
    }

    [Fact]
    public void ReadXlsx_ReadsTheFirstSheet_WithDatesAsTextWithoutOffset()
    {
        var workbook = Workbooks.Xlsx(
            new Dictionary<string, object> { ["Order Id"] = "1", ["Total"] = 12.5, ["Date"] = new DateTime(2026, 10, 1, 9, 30, 0) },
            new Dictionary<string, object> { ["Order Id"] = "2", ["Total"] = 3, ["Date"] = new DateTime(2026, 10, 2) });

        Assert.True(TableReader.TryReadXlsx(workbook, out var table, out _));

        Assert.Equal(["Order Id", "Total", "Date"], table.Header);
        Assert.Equal(["1", "12.5", "2026-10-01T09:30:00"], table.Rows[0].Cells);
        Assert.Equal("2026-10-02", table.Rows[1].Cells[2]);
    }

    [Fact]
    public void ReadXlsx_SaysSo_WhenTheBodyIsNotAWorkbook()
    {
        Assert.False(TableReader.TryReadXlsx(Utf8("not a zip"), out _, out var malformed));
        Assert.Contains("not a readable .xlsx", malformed.Message);
    }
}

public static class Workbooks
{
    /// <summary>An .xlsx with one sheet: the keys of the first row are the header.</summary>
    public static byte[] Xlsx(params Dictionary<string, object>[] rows)
    {
        using var stream = new MemoryStream();
        MiniExcelLibs.MiniExcel.SaveAs(stream, rows);
        return stream.ToArray();
    }
}
