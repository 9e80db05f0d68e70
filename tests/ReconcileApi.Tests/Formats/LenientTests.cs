using System.Text.Json;
using ReconcileApi.Features.Orders.Formats;
using ReconcileApi.Engine;

namespace ReconcileApi.Tests.Formats;

public sealed class LenientTests
{
    [Theory]
    [InlineData("12.50", "12.50")]
    [InlineData("598.9400", "598.94")]
    [InlineData("$1,234.56", "1234.56")]
    [InlineData("USD 12.00", "12.00")]
    [InlineData("12.00 EUR", "12.00")]
    [InlineData("US$ 5", "5")]
    [InlineData("€ 1.234,56", "1234.56")]
    [InlineData("1.234,56", "1234.56")]
    [InlineData("1 234,56", "1234.56")]
    [InlineData("1'234.50", "1234.50")]
    [InlineData("12,5", "12.5")]
    [InlineData("1,234", "1234")]
    [InlineData("1,234,567", "1234567")]
    [InlineData("1.234.567", "1234567")]
    [InlineData("(12.00)", "-12.00")]
    [InlineData("($10.00)", "-10.00")]
    [InlineData("-$5.25", "-5.25")]
    [InlineData("$-5.25", "-5.25")]
    [InlineData("12.00-", "-12.00")]
    [InlineData("'19.99", "19.99")]
    [InlineData("  ¥3,300 ", "3300")]
    [InlineData("+7", "7")]
    public void TryDecimal_ReadsMoneyAsPeopleWriteIt(string text, string expected)
    {
        Assert.True(Lenient.TryDecimal(text, out var value));
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("12,00x")]
    [InlineData("1.2.3,4,5")]
    [InlineData("12K")]
    [InlineData("--5")]
    public void TryDecimal_RejectsWhatIsNotAnAmount(string text)
    {
        Assert.False(Lenient.TryDecimal(text, out _, out var outOfRange));
        Assert.False(outOfRange);
    }

    [Theory]
    [InlineData("123456789012345678901234567890", true)]
    [InlineData("-1e400", true)]
    [InlineData("\"$123,456,789,012,345,678,901,234,567,890\"", true)]
    [InlineData("\"(123456789012345678901234567890.5)\"", true)]
    [InlineData("1e-400", false)]
    [InlineData("0.000000000000000000000000000000001", false)]
    [InlineData("\"12K\"", false)]
    public void TryDecimal_SaysOutOfRange_OnlyOfANumberTooLargeForADecimal(string json, bool outOfRange)
    {
        using var document = JsonDocument.Parse(json);
        var read = Lenient.TryDecimal(document.RootElement, out var value, out var beyond);
        Assert.Equal(outOfRange, beyond);
        Assert.Equal(!outOfRange && json[0] != '"', read);
        if (read)
            Assert.Equal(0m, decimal.Round(value, 10));
    }

    [Theory]
    [InlineData("Sat, 03 Mar 2018 02:35:28 +0000", "2018-03-03T02:35:28Z")]
    [InlineData("Tue, 06 Oct 2026 14:05:00 -0500", "2026-10-06T19:05:00Z")]
    [InlineData("03 Mar 2018 02:35:28 GMT", "2018-03-03T02:35:28Z")]
    [InlineData("2025-10-07 09:50:26 +0200", "2025-10-07T07:50:26Z")]
    [InlineData("2017-11-29T19:16:14.000+0000", "2017-11-29T19:16:14Z")]
    [InlineData("2008-01-10T11:00:00-05:00", "2008-01-10T16:00:00Z")]
    [InlineData("2026-10-02T14:03:10.512Z", "2026-10-02T14:03:10.512Z")]
    [InlineData("'2025-10-07 09:50:26 +0200", "2025-10-07T07:50:26Z")]
    public void TryInstant_ReadsOffsetsExactly_WhateverTheZone(string text, string expected)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        Assert.True(Lenient.TryInstant(text, zone, out var utc));
        Assert.Equal(DateTimeKind.Utc, utc.Kind);
        Assert.Equal(DateTime.Parse(expected, null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal), utc);
    }

    [Theory]
    [InlineData("2026-10-01T12:00:00", "2026-10-01T16:00:00Z")]
    [InlineData("2026-10-01 12:00", "2026-10-01T16:00:00Z")]
    [InlineData("10/21/2026 12:00 PM", "2026-10-21T16:00:00Z")]
    [InlineData("21/10/2026 12:00", "2026-10-21T16:00:00Z")]
    [InlineData("13.06.2026", "2026-06-13T04:00:00Z")]
    [InlineData("05/05/2026", "2026-05-05T04:00:00Z")]
    [InlineData("2026-01-15", "2026-01-15T05:00:00Z")]
    [InlineData("2026-03-08T02:30:00", "2026-03-08T07:30:00Z")]
    public void TryInstant_ReadsOffsetlessTimesInTheGivenZone(string text, string expected)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        Assert.True(Lenient.TryInstant(text, zone, out var utc));
        Assert.Equal(DateTime.Parse(expected, null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal), utc);
    }

    [Theory]
    [InlineData("05/06/2026", null, null)]
    [InlineData("05/06/2026 10:00", null, null)]
    [InlineData("5.6.2026", null, null)]
    [InlineData("05/06/2026", DateOrder.Dmy, "2026-06-05T00:00:00Z")]
    [InlineData("05/06/2026 10:00", DateOrder.Mdy, "2026-05-06T10:00:00Z")]
    [InlineData("13/06/2026", DateOrder.Mdy, "2026-06-13T00:00:00Z")]
    [InlineData("2026-05-06", null, "2026-05-06T00:00:00Z")]
    public void TryInstant_RejectsAnAmbiguousNumericDate_UnlessADateOrderIsNamed(string text, DateOrder? order, string? expected)
    {
        var read = Lenient.TryInstant(text, TimeZoneInfo.Utc, order, out var utc, out var failure);
        Assert.Equal(expected is not null, read);
        Assert.Equal(expected is null, failure == DateFailure.Ambiguous);
        if (expected is not null)
            Assert.Equal(DateTime.Parse(expected, null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal), utc);
    }

    [Theory]
    [InlineData("25/11/2026", DateOrder.Dmy)]
    [InlineData("Wed, 25.11.2026 10:00", DateOrder.Dmy)]
    [InlineData("11/25/2026", DateOrder.Mdy)]
    [InlineData("'11-25-2026", DateOrder.Mdy)]
    [InlineData("05/06/2026", null)]
    [InlineData("05/05/2026", null)]
    [InlineData("13/13/2026", null)]
    [InlineData("2026-11-25", null)]
    [InlineData("", null)]
    public void OrderShown_IsTheOrderADatesOwnNumbersProve(string text, DateOrder? expected) =>
        Assert.Equal(expected, Lenient.OrderShown(text));

    [Theory]
    [InlineData("13/13/2026")]
    [InlineData("yesterday")]
    [InlineData("2025-13-45 10:00:00 +0200")]
    [InlineData("Sat, 99 Mar 2018 02:35:28 +0000")]
    public void TryInstant_RejectsWhatIsNotATimestamp(string text) =>
        Assert.False(Lenient.TryInstant(text, TimeZoneInfo.Utc, out _));

    [Theory]
    [InlineData("0001-01-01", "Pacific/Kiritimati")]
    [InlineData("9999-12-31T23:00:00", "America/New_York")]
    [InlineData("0001-01-01T00:00:00+05:00", "UTC")]
    [InlineData("9999-12-31 23:00:00 -0500", "UTC")]
    public void TryInstant_SaysOutOfRange_WhenTheInstantFallsOffTheCalendar(string text, string zone)
    {
        Assert.True(TimeZones.TryFind(zone, out var z));
        Assert.False(Lenient.TryInstant(text, z, null, out _, out var failure));
        Assert.Equal(DateFailure.OutOfRange, failure);
    }
}
