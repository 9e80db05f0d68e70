using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ReconcileApi.Features.Orders;
using ReconcileApi.Features.Orders.Formats;
using ReconcileApi.Tests;

namespace ReconcileApi.Benchmarks.Http;

/// <summary>
/// Ingest through real HTTP into the SQLite default: the Release service runs as a child process with
/// a fresh database file; one client sends canonical JSON (1,000 orders of 3 lines on average per
/// request) for both sources, then the same again (all unchanged), then Shopify's CSV export.
/// Bodies are built before the clock starts; every receipt is checked.
/// </summary>
public static class IngestBenchmark
{
    const int PerRequest = 1000;

    public static async Task<int> RunAsync(int orders, int clients)
    {
        await using var service = await BenchService.StartAsync("ingest-bench", workers: 0);
        measured = service.Process;
        {
            Console.WriteLine($"ingest: {orders:N0} orders per source, {PerRequest:N0} per request, {clients} client(s), SQLite file, Release; load average {BenchService.LoadAverage()}");

            // Warm-up in a workspace of its own, so that the figures below are the sustained rate, not the JIT's first minutes.
            var (warmClient, _) = await service.WorkspaceAsync();
            var warm = Generate(100_000, seed: 9).Chunk(PerRequest).Select(c => JsonSerializer.Serialize(c, JsonSerializerOptions.Web)).ToList();
            // Both sources: the first measured phase otherwise ran while the JIT still tiered up (121 ms of service CPU per
            // 1,000 new orders against 53 for the phase after it, 2026-12-01).
            Report("warm-up (not a figure)", await SendAsync(warmClient, clients, "store", "canonical", warm, "application/json", expect: "inserted"));
            Report("warm-up (not a figure)", await SendAsync(warmClient, clients, "keap", "canonical", warm, "application/json", expect: "inserted"));

            var json = Generate(orders, seed: 1).Chunk(PerRequest).Select(c => JsonSerializer.Serialize(c, JsonSerializerOptions.Web)).ToList();
            var (client, _) = await service.WorkspaceAsync();
            var store = Report("canonical JSON, store (new)", await SendAsync(client, clients, "store", "canonical", json, "application/json", expect: "inserted"));
            await DuckDbYardstick.LoadJsonAsync(json, "store orders");
            Report("canonical JSON, keap (new)", await SendAsync(client, clients, "keap", "canonical", json, "application/json", expect: "inserted"));
            Report("canonical JSON, store resent (unchanged)", await SendAsync(client, clients, "store", "canonical", json, "application/json", expect: "unchanged"));
            json.Clear();

            var csv = Generate(orders, seed: 2).Chunk(PerRequest).Select(ShopifyCsv).ToList();
            var (csvClient, _) = await service.WorkspaceAsync();
            var shopifyCsv = Report("shopify-csv, store (new)", await SendAsync(csvClient, clients, "store", "shopify-csv", csv, "text/csv", expect: "inserted"));
            await LargeBodyAsync(service, csvClient);
            ReadCanonical();
            Console.WriteLine($"shopify-csv takes {store.OrdersPerSecond / shopifyCsv.OrdersPerSecond:0.00}x the time of canonical JSON per order; load average after: {BenchService.LoadAverage()}");
            return 0;
        }
    }

    /// <summary>
    /// Reading the same 100,000 canonical orders in this process, one thread, best of five: as a document with each field looked
    /// up by name (the lenient reader, what an order with a problem gets) and in one pass (CanonicalCleanReader, what a clean one gets).
    /// </summary>
    static void ReadCanonical()
    {
        var orders = Generate(100_000, seed: 3).Select(o => JsonSerializer.SerializeToUtf8Bytes(o, JsonSerializerOptions.Web)).ToList();
        IJsonOrderFormat format = new CanonicalFormat();
        double document = double.MaxValue, onePass = double.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var clock = Stopwatch.StartNew();
            foreach (var order in orders)
            {
                using var parsed = JsonOrderList.Parse(order);
                if (format.Read(parsed.RootElement, FormatContext.Utc).Problems.Errors.Count > 0)
                    throw new InvalidOperationException("The lenient reader rejected a generated order.");
            }
            document = Math.Min(document, clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            foreach (var order in orders)
            {
                if (format.TryReadClean(order, FormatContext.Utc) is null)
                    throw new InvalidOperationException("A generated order was not read in one pass.");
            }
            onePass = Math.Min(onePass, clock.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"reading 100,000 canonical orders, one thread, best of 5: as a document {document:N0} ms, in one pass {onePass:N0} ms ({document / onePass:0.0}x)");
    }

    /// <summary>One request of about 30 MB (the default limit): the service's peak memory before and after.</summary>
    static async Task LargeBodyAsync(BenchService service, HttpClient client)
    {
        var orders = Generate(50_000, seed: 3).Select(o =>
        {
            o["orderId"] = "big-" + o["orderId"];
            o["customerName"] = new string('x', 60);
            return o;
        }).ToList();
        var body = JsonSerializer.Serialize(orders, JsonSerializerOptions.Web);
        var before = service.Process.PeakMemoryMb;
        var result = await SendAsync(client, 1, "store", "canonical", [body], "application/json", expect: "inserted");
        Console.WriteLine($"one request of {result.Bytes / 1048576.0:F1} MB ({result.Orders:N0} orders) in {result.Elapsed.TotalSeconds:F2} s: " +
            $"service peak memory {before:F0} MB before, {service.Process.PeakMemoryMb:F0} MB after");
    }

    sealed record Result(int Orders, long Bytes, TimeSpan Elapsed)
    {
        public double OrdersPerSecond => Orders / Elapsed.TotalSeconds;
        /// <summary>The service's CPU time for the phase: less sensitive to other load than the wall time.</summary>
        public TimeSpan ServiceCpu { get; init; }
    }

    static Result Report(string what, Result r)
    {
        Console.WriteLine($"{what,-42} {r.Orders,9:N0} orders {r.Bytes / 1048576.0,7:0.0} MB {r.Elapsed.TotalSeconds,7:0.00} s {r.OrdersPerSecond,9:N0} orders/s; service CPU {r.ServiceCpu.TotalMilliseconds / (r.Orders / 1000.0),5:F0} ms per 1,000 orders");
        return r;
    }

    /// <summary>Sends every body, <paramref name="clients"/> requests at a time, and checks each receipt.</summary>
    static ServiceProcess? measured;

    static async Task<Result> SendAsync(HttpClient client, int clients, string source, string format, List<string> bodies, string contentType, string expect)
    {
        long bytes = 0;
        var count = 0;
        var next = -1;
        var cpu = measured?.CpuTime ?? TimeSpan.Zero;
        // Encoded before the clock starts: the client's work is sending, not building bodies.
        var encoded = bodies.ConvertAll(Encoding.UTF8.GetBytes);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < bodies.Count)
            {
                using var content = new ByteArrayContent(encoded[i]);
                content.Headers.ContentType = new(contentType) { CharSet = "utf-8" };
                using var response = await client.PostAsync($"/api/v1/sources/{source}/orders?format={format}", content);
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.Created)
                    throw new InvalidOperationException($"{(int)response.StatusCode}: {text}");
                var receipt = JsonDocument.Parse(text).RootElement;
                var received = receipt.GetProperty("received").GetInt32();
                if (receipt.GetProperty(expect).GetInt32() != received || receipt.GetProperty("rejected").GetInt32() != 0)
                    throw new InvalidOperationException($"Expected every order {expect}: {text[..Math.Min(text.Length, 500)]}");
                Interlocked.Add(ref count, received);
                Interlocked.Add(ref bytes, encoded[i].Length);
            }
        }));
        return new Result(count, bytes, clock.Elapsed) { ServiceCpu = (measured?.CpuTime ?? TimeSpan.Zero) - cpu };
    }

    /// <summary>Canonical orders with 1–5 lines (3 on average), seeded.</summary>
    static IEnumerable<Dictionary<string, object?>> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var start = new DateTime(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < count; i++)
        {
            var lines = Enumerable.Range(0, random.Next(1, 6)).Select(l => new Dictionary<string, object?>
            {
                ["sku"] = $"SKU-{random.Next(1, 5000)}",
                ["productId"] = random.Next(1, 5000).ToString(CultureInfo.InvariantCulture),
                ["name"] = $"Product {l}",
                ["quantity"] = random.Next(1, 4),
                ["unitPrice"] = (random.Next(100, 20000) / 100m).ToString(CultureInfo.InvariantCulture),
            }).ToList();
            var subtotal = lines.Sum(l => (int)l["quantity"]! * decimal.Parse((string)l["unitPrice"]!, CultureInfo.InvariantCulture));
            var tax = Math.Round(subtotal * 0.07m, 2);
            yield return new Dictionary<string, object?>
            {
                ["orderId"] = (4_500_000_000L + i).ToString(CultureInfo.InvariantCulture),
                ["orderNumber"] = $"#{1001 + i}",
                ["customerEmail"] = $"customer{random.Next(1, count / 3 + 2)}@example.com",
                ["orderDate"] = start.AddSeconds(i * 13).ToString("O"),
                ["currency"] = "USD",
                ["total"] = (subtotal + tax + 5m).ToString(CultureInfo.InvariantCulture),
                ["subtotal"] = subtotal.ToString(CultureInfo.InvariantCulture),
                ["tax"] = tax.ToString(CultureInfo.InvariantCulture),
                ["shipping"] = "5.00",
                ["status"] = "paid",
                ["lines"] = lines,
            };
        }
    }

    /// <summary>The same orders as Shopify's export: one row per line item, order fields on the first row only.</summary>
    static string ShopifyCsv(Dictionary<string, object?>[] orders)
    {
        var csv = new StringBuilder("Name,Email,Financial Status,Currency,Subtotal,Shipping,Taxes,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Id\n");
        foreach (var o in orders)
        {
            var first = true;
            foreach (var line in (List<Dictionary<string, object?>>)o["lines"]!)
            {
                var date = DateTime.Parse((string)o["orderDate"]!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
                csv.Append(o["orderNumber"]).Append(',');
                csv.Append(first ? $"{o["customerEmail"]},paid,USD,{o["subtotal"]},{o["shipping"]},{o["tax"]},{o["total"]},{date:yyyy-MM-dd HH:mm:ss} +0000" : ",,,,,,,");
                csv.Append(',').Append(line["quantity"]).Append(",\"").Append(line["name"]).Append("\",").Append(line["unitPrice"]).Append(',').Append(line["sku"]);
                csv.Append(',').Append(first ? o["orderId"] : "").Append('\n');
                first = false;
            }
        }
        return csv.ToString();
    }
}
