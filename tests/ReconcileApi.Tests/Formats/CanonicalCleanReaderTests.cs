using System.Text;
using ReconcileApi.Engine;
using ReconcileApi.Features.Orders;
using ReconcileApi.Features.Orders.Formats;

namespace ReconcileApi.Tests.Formats;

/// <summary>
/// The one-pass reader of clean canonical orders against the lenient document reader, over generated orders whose every
/// field comes in every kind: whatever the one-pass reader reads, the lenient one reads the same way without a problem;
/// and every order the lenient reader reads without a problem (unless a field comes twice) the one-pass reader reads.
/// </summary>
public sealed class CanonicalCleanReaderTests
{
    static readonly string[] Texts = ["\"A-1\"", "\"  padded  \"", "\"\"", "\"   \"", "null", "1001", "12.50", "true", "{}", "[]", "\"caf\\u00e9\"", "\"\\ud800\""];
    static readonly string[] Amounts = ["12.5", "-3", "0", "1e2", "\"12.50\"", "\"$1,234.56\"", "\"(5.00)\"", "\"n/a\"", "\"\"", "null", "true", "{}", "[1]", "79228162514264337593543950336"];
    static readonly string[] Dates = ["\"2026-10-01T12:00:00Z\"", "\"2026-10-01T12:00:00-05:00\"", "\"2026-10-01\"", "\"2026-10-01 09:50:26 +0200\"",
        "\"Sat, 03 Mar 2018 02:35:28 +0000\"", "\"05/06/2026\"", "\"13/06/2026\"", "\"not a date\"", "\"\"", "null", "20261001", "{}", "false"];
    static readonly string[] Flags = ["true", "false", "\"true\"", "\" False \"", "\"yes\"", "null", "1", "{}"];
    static readonly string[] Kinds = ["\"product\"", "\"Shipping\"", "\" tax \"", "\"discount\"", "\"fee\"", "\"gift\"", "\"2\"", "\"\"", "null", "3", "{}"];
    static readonly string[] Quantities = ["1", "2.5", "0", "-1", "\"3\"", "\"x\"", "null", "{}"];

    static readonly (string Name, string[] Values)[] OrderFields =
    [
        ("orderId", Texts), ("orderNumber", Texts), ("customerEmail", Texts), ("customerName", Texts), ("orderDate", Dates),
        ("currency", ["\"usd\"", "\"EUR\"", "null", "\"\"", "978", "[]"]), ("total", Amounts), ("subtotal", Amounts), ("tax", Amounts),
        ("shipping", Amounts), ("discount", Amounts), ("amountPaid", Amounts), ("amountRefunded", Amounts), ("status", Texts),
        ("paymentReference", Texts), ("updatedAt", Dates), ("createdAt", Dates), ("platform", ["\"Shopify\"", "\"woocommerce\"", "null", "{}"]),
        ("taxesIncluded", Flags), ("presentmentCurrency", ["\"cad\"", "null", "\"\"", "[]"]), ("presentmentTotal", Amounts),
        ("sourceType", ["\"api\"", "\"MANUAL_PAYMENT\"", "null", "7"]),
    ];

    static readonly (string Name, string[] Values)[] LineFields =
    [
        ("kind", Kinds), ("quantity", Quantities), ("unitPrice", Amounts), ("sku", Texts), ("productId", Texts), ("name", Texts),
        ("lineTotal", Amounts), ("discount", Amounts), ("tax", Amounts), ("originalQuantity", Amounts),
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ReadsWhatTheLenientReaderReadsCleanly_AndNothingElse(int seed)
    {
        var random = new Random(seed);
        var contexts = new[]
        {
            FormatContext.Utc,
            new FormatContext(TimeZoneInfo.FindSystemTimeZoneById("America/Chicago"), new Dictionary<string, string>(), DateOrder.Dmy),
        };
        int clean = 0, fallen = 0;
        for (var i = 0; i < 4_000; i++)
        {
            // How often a field comes in any kind rather than its usual one: never, now and then, often, always — so that
            // whole orders come out clean often enough to compare, and each odd kind comes among clean fields too.
            var wild = new[] { 0, 0.02, 0.1, 1 }[random.Next(4)];
            var (json, twice) = OrderJson(random, wild);
            var context = contexts[random.Next(contexts.Length)];
            var bytes = Encoding.UTF8.GetBytes(json);
            IJsonOrderFormat format = new CanonicalFormat();
            var fast = format.TryReadClean(bytes, context);
            ReadOrder? slow;
            using (var document = JsonOrderList.Parse(bytes))
            {
                try
                {
                    slow = format.Read(document.RootElement, context);
                }
                catch (InvalidOperationException)
                {
                    slow = null; // not valid text: rejected by the request's reader
                }
            }
            var slowClean = slow is { Problems.Errors.Count: 0, Problems.Warnings.Count: 0 };
            if (fast is not null)
            {
                Assert.True(slowClean, $"read in one pass, but the lenient reader finds problems: {json}");
                Assert.Equal(Features.Orders.OrderJson.Serialize(slow!.Order), Features.Orders.OrderJson.Serialize(fast));
                clean++;
            }
            else
            {
                Assert.False(slowClean && !twice, $"clean for the lenient reader but not read in one pass: {json}");
                fallen++;
            }
        }
        Assert.True(clean > 400 && fallen > 400, $"{clean} read in one pass, {fallen} left to the lenient reader");
    }

    static (string Json, bool Twice) OrderJson(Random random, double wild)
    {
        var parts = new List<string>();
        var twice = false;
        foreach (var (name, values) in OrderFields)
        {
            if (random.Next(6) == 0 && name != "total")
                continue;
            parts.Add($"{Name(random, name)}: {Pick(random, values, wild)}");
            if (random.Next(40) == 0)
            {
                parts.Add($"{Name(random, name)}: {Pick(random, values, wild)}");
                twice = true;
            }
        }
        if (random.Next(8) == 0)
            parts.Add("\"extra\": {\"nested\": [1, {\"orderId\": \"inner\"}], \"s\": \"\\ud800\"}");
        if (random.Next(20) == 0)
            parts.Add("\"\\ud800name\": 1");
        switch (random.Next(10))
        {
            case 0:
                break;
            case 1:
                parts.Add("\"lines\": " + new[] { "null", "{}", "\"x\"", "[]", "[1]" }[random.Next(5)]);
                break;
            default:
                var lines = Enumerable.Range(0, random.Next(1, 4)).Select(_ =>
                {
                    var (line, lineTwice) = LineJson(random, wild);
                    twice |= lineTwice;
                    return line;
                });
                parts.Add($"\"lines\": [{string.Join(", ", lines)}]");
                break;
        }
        Shuffle(random, parts);
        var trailing = random.Next(10) == 0 ? "," : "";
        var comment = random.Next(10) == 0 ? "/* a comment */ " : "";
        return ("{" + comment + string.Join(", ", parts) + trailing + "}", twice);
    }

    static (string Json, bool Twice) LineJson(Random random, double wild)
    {
        var parts = new List<string>();
        var twice = false;
        foreach (var (name, values) in LineFields)
        {
            if (random.Next(name is "quantity" or "unitPrice" ? 12 : 3) == 0)
                continue;
            parts.Add($"{Name(random, name)}: {Pick(random, values, wild)}");
            if (random.Next(60) == 0)
            {
                parts.Add($"{Name(random, name)}: {Pick(random, values, wild)}");
                twice = true;
            }
        }
        Shuffle(random, parts);
        return ("{" + string.Join(", ", parts) + "}", twice);
    }

    /// <summary>The property's name, now and then with an escaped letter (still the same name).</summary>
    static string Name(Random random, string name) =>
        random.Next(15) == 0 ? $"\"\\u{(int)name[0]:x4}{name[1..]}\"" : $"\"{name}\"";

    /// <summary>One of the first two values (the usual kinds), or with probability <paramref name="wild"/> any of them.</summary>
    static string Pick(Random random, string[] values, double wild) => values[random.NextDouble() < wild ? random.Next(values.Length) : random.Next(2)];

    static void Shuffle(Random random, List<string> parts)
    {
        for (var i = parts.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (parts[i], parts[j]) = (parts[j], parts[i]);
        }
    }
}
