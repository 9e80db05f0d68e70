using System.Diagnostics;
using System.Text.Json;
using DuckDB.NET.Data;
using ReconcileApi.Engine;

namespace ReconcileApi.Benchmarks;

/// <summary>
/// DuckDB (in process, all cores, in memory) timed on the same data as each benchmark that reports a figure of issue #13,
/// printed beside ours in the same run: the yardstick is "faster than an analytical database does the bare job".
/// Each is the median of three and does less than the service does (said in the line it prints): DuckDB compares
/// without lines, fuzzy pairs or causes, loads without looking up or versioning what is stored, and appends without the
/// list's indexes.
/// </summary>
internal static class DuckDbYardstick
{
    /// <summary>
    /// The orders loaded with DuckDB's appender (not timed), then one query that reads each side's reference from the
    /// order number, full-outer-joins the sides on it and counts what is missing on either side and which totals,
    /// statuses and emails differ.
    /// </summary>
    public static async Task CompareAsync(SyntheticDataset data)
    {
        await using var connection = await OpenAsync();
        await ExecuteAsync(connection, """
            CREATE TABLE store (order_id VARCHAR, order_number VARCHAR, email VARCHAR, total DECIMAL(18,4), status VARCHAR, order_date TIMESTAMP);
            CREATE TABLE keap (order_id VARCHAR, order_number VARCHAR, email VARCHAR, total DECIMAL(18,4), status VARCHAR, order_date TIMESTAMP);
            """);
        var loading = Stopwatch.StartNew();
        foreach (var (table, orders) in new[] { ("store", data.Store), ("keap", data.Keap) })
        {
            using var appender = connection.CreateAppender(table);
            foreach (var o in orders)
                appender.CreateRow().AppendValue(o.OrderId).AppendValue(o.OrderNumber).AppendValue(o.CustomerEmail).AppendValue(o.Total)
                    .AppendValue(o.Status).AppendValue(o.OrderDate).EndRow();
        }
        var loaded = loading.Elapsed;
        const string Query = """
            WITH s AS (SELECT regexp_extract(order_number, '#\s*([A-Za-z0-9][A-Za-z0-9_-]*)\s*$', 1) AS k, total, lower(status) AS status, lower(trim(email)) AS email FROM store),
                 c AS (SELECT regexp_extract(order_number, '#\s*([A-Za-z0-9][A-Za-z0-9_-]*)\s*$', 1) AS k, total, lower(status) AS status, lower(trim(email)) AS email FROM keap)
            SELECT count(*) FILTER (WHERE c.k IS NULL) AS missing_in_keap,
                   count(*) FILTER (WHERE s.k IS NULL) AS missing_in_store,
                   count(*) FILTER (WHERE s.k IS NOT NULL AND c.k IS NOT NULL AND s.total <> c.total) AS amount_differs,
                   count(*) FILTER (WHERE s.k IS NOT NULL AND c.k IS NOT NULL AND s.email <> c.email) AS email_differs,
                   count(*) FILTER (WHERE s.k IS NOT NULL AND c.k IS NOT NULL AND (s.status = 'refunded') <> (c.status = 'refunded')) AS status_differs
            FROM (SELECT * FROM s WHERE k <> '') s FULL OUTER JOIN (SELECT * FROM c WHERE k <> '') c ON s.k = c.k
            """;
        var counts = "";
        var median = await MedianAsync(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = Query;
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            counts = string.Join(", ", Enumerable.Range(0, reader.FieldCount).Select(f => $"{reader.GetName(f)} {reader.GetValue(f)}"));
        });
        Console.WriteLine($"  DuckDB: the comparison in SQL over the same {data.Store.Count + data.Keap.Count:N0} orders, median of 3: {median:N0} ms " +
            $"(loaded in {loaded.TotalSeconds:F1} s, not timed); it counts {counts} — a bare join without lines, fuzzy pairs, pending or causes");
    }

    /// <summary>
    /// The same request bodies (JSON arrays of canonical orders), written to files before the clock starts, read by DuckDB's
    /// <c>read_json</c> into a new table with an order-id key.
    /// </summary>
    public static async Task LoadJsonAsync(IReadOnlyList<string> bodies, string what)
    {
        var folder = Directory.CreateTempSubdirectory("reconcile-duckdb-");
        try
        {
            for (var i = 0; i < bodies.Count; i++)
                await File.WriteAllTextAsync(Path.Combine(folder.FullName, $"{i:D6}.json"), bodies[i]);
            await using var connection = await OpenAsync();
            var count = 0L;
            var median = await MedianAsync(async () =>
            {
                await ExecuteAsync(connection, $"""
                    DROP TABLE IF EXISTS orders;
                    CREATE TABLE orders AS SELECT * FROM read_json('{folder.FullName}/*.json', format = 'array');
                    ALTER TABLE orders ADD PRIMARY KEY (orderId);
                    """);
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT count(*) FROM orders";
                count = Convert.ToInt64(await command.ExecuteScalarAsync());
            });
            Console.WriteLine($"  DuckDB: read_json of the same {bodies.Count:N0} bodies ({count:N0} {what}) into a keyed table, median of 3: {median:N0} ms, " +
                $"{count / (median / 1000):N0} orders/s — parsing and storing only: no look-up of stored orders, no version, no receipt, no HTTP");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The findings' stored fields appended by DuckDB's appender into a table keyed by identity, as new discrepancies.</summary>
    public static async Task AppendFindingsAsync(IReadOnlyList<Finding> findings)
    {
        // Made before the clock starts: the service's save makes them too, but this times DuckDB's write.
        var rows = findings.Select(f => (f.IdentityKey, Category: f.Category.ToString(), Severity: f.Severity.ToString(), f.OrderKey, f.StoreOrderId, f.KeapOrderId,
            f.CustomerEmail, f.OrderDate, f.Field, f.StoreValue, f.KeapValue, f.Impact, f.Cause.Code, f.Cause.Explanation,
            Action: JsonSerializer.Serialize(f.SuggestedAction))).ToList();
        await using var connection = await OpenAsync();
        var median = await MedianAsync(async () =>
        {
            await ExecuteAsync(connection, """
                DROP TABLE IF EXISTS discrepancies;
                CREATE TABLE discrepancies (identity_key VARCHAR PRIMARY KEY, category VARCHAR, severity VARCHAR, order_key VARCHAR, store_order_id VARCHAR,
                    keap_order_id VARCHAR, customer_email VARCHAR, order_date TIMESTAMP, field VARCHAR, store_value VARCHAR, keap_value VARCHAR,
                    impact DECIMAL(18,4), cause_code VARCHAR, cause_explanation VARCHAR, suggested_action VARCHAR);
                """);
            using var appender = connection.CreateAppender("discrepancies");
            foreach (var r in rows)
                appender.CreateRow().AppendValue(r.IdentityKey).AppendValue(r.Category).AppendValue(r.Severity).AppendValue(r.OrderKey).AppendValue(r.StoreOrderId)
                    .AppendValue(r.KeapOrderId).AppendValue(r.CustomerEmail).AppendValue(r.OrderDate).AppendValue(r.Field).AppendValue(r.StoreValue)
                    .AppendValue(r.KeapValue).AppendValue(r.Impact).AppendValue(r.Code).AppendValue(r.Explanation).AppendValue(r.Action).EndRow();
        });
        Console.WriteLine($"  DuckDB: the same {rows.Count:N0} findings appended into a table keyed by identity, median of 3: {median:N0} ms, " +
            $"{rows.Count / (median / 1000):N0} rows/s — one row each, no history, no list or metrics indexes");
    }

    static async Task<DuckDBConnection> OpenAsync()
    {
        var connection = new DuckDBConnection("DataSource=:memory:");
        await connection.OpenAsync();
        return connection;
    }

    static async Task ExecuteAsync(DuckDBConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The median of three timings of <paramref name="body"/>, in ms.</summary>
    static async Task<double> MedianAsync(Func<Task> body)
    {
        var times = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            await body();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[1];
    }
}
