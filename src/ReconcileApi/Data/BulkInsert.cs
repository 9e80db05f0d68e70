using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using System.Text;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace ReconcileApi.Data;

/// <summary>
/// INSERT statements built from the EF model — table, columns and each property's type mapping with its
/// value converter — so both providers store exactly what SaveChanges would, at a fraction of its
/// per-entity cost: many rows per statement on SQL Server, one row prepared once and stepped per row on
/// SQLite. Database-generated keys are left to the database; SQLite reports each row's (its rowid), which is
/// set on the entity as SaveChanges would. SQL Server's multi-row insert does not say which row got which
/// key, so there they stay unset.
/// </summary>
public static class BulkInsert
{
    /// <summary>SQL Server allows 2,100 parameters per command; stay under it.</summary>
    const int MaxParameters = 2000;

    public static async Task InsertAsync<T>(this DbContext db, IReadOnlyList<T> rows, CancellationToken ct) where T : class
    {
        if (rows.Count == 0)
            return;
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        // Identity keys are the database's to assign; every other property is written as it is.
        var identity = entity.FindPrimaryKey()?.Properties is [{ ValueGenerated: ValueGenerated.OnAdd } key] && (key.ClrType == typeof(long) || key.ClrType == typeof(int))
            ? key
            : null;
        var properties = entity.GetProperties().Where(p => p != identity).ToList();
        var sql = db.GetService<ISqlGenerationHelper>();
        var columns = string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)));
        var mappings = properties.Select(p => (Property: p, Mapping: (RelationalTypeMapping)p.GetRelationalTypeMapping(), Getter: p.GetGetter())).ToList();

        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
            await db.Database.OpenConnectionAsync(ct);
        if (connection is SqliteConnection sqlite)
        {
            InsertSqlite(sqlite, Statement(sql, table, columns, properties.Count, 1), mappings.ConvertAll(m => (m.Mapping, m.Getter)), identity, rows, ct);
            return;
        }
        // SQL Server is fastest with many rows per round trip.
        var rowsPerCommand = Math.Max(1, MaxParameters / properties.Count);
        await using var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        foreach (var chunk in rows.Chunk(rowsPerCommand))
        {
            var text = Statement(sql, table, columns, properties.Count, chunk.Length);
            if (command.CommandText != text)
            {
                // A new statement shape: parameters made by the type mappings (converter, DbType, size).
                command.CommandText = text;
                command.Parameters.Clear();
                var n = 0;
                foreach (var row in chunk)
                {
                    foreach (var (property, mapping, getter) in mappings)
                        command.Parameters.Add(mapping.CreateParameter(command, sql.GenerateParameterName("p" + n++), getter.GetClrValue(row), property.IsNullable));
                }
            }
            else
            {
                // The same shape again: only the values change.
                var n = 0;
                foreach (var row in chunk)
                {
                    foreach (var (_, mapping, getter) in mappings)
                        command.Parameters[n++].Value = ProviderValue(mapping, getter.GetClrValue(row)) ?? DBNull.Value;
                }
            }
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// SQLite: one single-row statement prepared once and stepped per row, its values bound by position straight
    /// into SQLite. Microsoft.Data.Sqlite binds every parameter by name on every execution (a name lookup and a
    /// UTF-8 copy of the name each time): 40 % of saving a run's findings. The values are written in the forms
    /// Microsoft.Data.Sqlite gives them (<see cref="Bind"/>); a test compares every bulk-inserted table with SaveChanges.
    /// </summary>
    static void InsertSqlite<T>(SqliteConnection connection, string text, List<(RelationalTypeMapping Mapping, IClrPropertyGetter Getter)> columns,
        IProperty? identity, IReadOnlyList<T> rows, CancellationToken ct) where T : class
    {
        var setKey = identity?.PropertyInfo;
        var handle = connection.Handle!;
        Check(handle, raw.sqlite3_prepare_v2(handle, text, out var statement));
        using (statement)
        {
            var utf8 = new byte[256];
            // SQLite keeps a statement's bindings across a reset, so a value equal to the row before's is not bound
            // again: a run's findings share their workspace, run, state and timestamps.
            var previous = new object?[columns.Count];
            var first = true;
            foreach (var row in rows)
            {
                ct.ThrowIfCancellationRequested();
                for (var i = 0; i < columns.Count; i++)
                {
                    var value = columns[i].Getter.GetClrValue(row);
                    if (!first && Identical(value, previous[i]))
                        continue;
                    previous[i] = value;
                    Bind(statement, i + 1, ProviderValue(columns[i].Mapping, value), ref utf8);
                }
                first = false;
                var step = raw.sqlite3_step(statement);
                raw.sqlite3_reset(statement);
                if (step != raw.SQLITE_DONE)
                    Check(handle, step);
                if (setKey is not null)
                {
                    var rowid = raw.sqlite3_last_insert_rowid(handle);
                    setKey.SetValue(row, identity!.ClrType == typeof(int) ? checked((int)rowid) : rowid);
                }
            }
        }
    }

    /// <summary>
    /// Whether two values are the same value in every respect a converter may read: <see cref="object.Equals(object?, object?)"/>
    /// holds a UTC and a local time of equal ticks, 1.0 and 1.00, 0.0 and -0.0 equal.
    /// </summary>
    static bool Identical(object? a, object? b) => a switch
    {
        // Most columns are text: compared first, without the virtual Equals.
        string x => b is string y && string.Equals(x, y),
        DateTime x => b is DateTime y && x.Ticks == y.Ticks && x.Kind == y.Kind,
        DateTimeOffset x => b is DateTimeOffset y && x.EqualsExact(y),
        decimal x => b is decimal y && x == y && x.Scale == y.Scale,
        double x => b is double y && BitConverter.DoubleToInt64Bits(x) == BitConverter.DoubleToInt64Bits(y),
        float x => b is float y && BitConverter.SingleToInt32Bits(x) == BitConverter.SingleToInt32Bits(y),
        _ => Equals(a, b),
    };

    /// <summary>A property's value as the database stores it: through the mapping's value converter, if any.</summary>
    static object? ProviderValue(RelationalTypeMapping mapping, object? value) =>
        value is not null && mapping.Converter is { } converter ? converter.ConvertToProvider(value) : value;

    static void Bind(sqlite3_stmt statement, int index, object? value, ref byte[] utf8)
    {
        var rc = value switch
        {
            null or DBNull => raw.sqlite3_bind_null(statement, index),
            string s => BindText(statement, index, s, ref utf8),
            long l => raw.sqlite3_bind_int64(statement, index, l),
            int i => raw.sqlite3_bind_int64(statement, index, i),
            short i => raw.sqlite3_bind_int64(statement, index, i),
            byte i => raw.sqlite3_bind_int64(statement, index, i),
            bool b => raw.sqlite3_bind_int64(statement, index, b ? 1 : 0),
            double d when !double.IsNaN(d) => raw.sqlite3_bind_double(statement, index, d),
            byte[] bytes => raw.sqlite3_bind_blob(statement, index, bytes),
            // Times, dates and decimals are formatted as Microsoft.Data.Sqlite formats them (the same format strings).
            DateTime d => BindFormatted(statement, index, d, @"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", utf8),
            DateOnly d => BindFormatted(statement, index, d, @"yyyy\-MM\-dd", utf8),
            Guid g => BindText(statement, index, g.ToString().ToUpperInvariant(), ref utf8),
            Enum e => raw.sqlite3_bind_int64(statement, index, Convert.ToInt64(e, CultureInfo.InvariantCulture)),
            decimal m => BindFormatted(statement, index, m, "0.0###########################", utf8),
            _ => throw new NotSupportedException($"Bulk insert into SQLite has no binding for {value.GetType().Name}; add it beside the others."),
        };
        if (rc != raw.SQLITE_OK)
            throw new SqliteException($"SQLite could not bind parameter {index}.", rc);
    }

    /// <summary>A value formatted straight into the UTF-8 buffer (at least 256 bytes: any time, date or decimal fits).</summary>
    static int BindFormatted<T>(sqlite3_stmt statement, int index, T value, string format, byte[] utf8) where T : IUtf8SpanFormattable =>
        value.TryFormat(utf8, out var written, format, CultureInfo.InvariantCulture)
            ? raw.sqlite3_bind_text(statement, index, utf8.AsSpan(0, written))
            : throw new InvalidOperationException($"A {typeof(T).Name} did not fit the binding buffer.");

    static int BindText(sqlite3_stmt statement, int index, string value, ref byte[] utf8)
    {
        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (length > utf8.Length)
            utf8 = new byte[Math.Max(length, utf8.Length * 2)];
        var written = Encoding.UTF8.GetBytes(value, utf8);
        // SQLite copies the text (SQLITE_TRANSIENT), so the buffer is reused for the next value.
        return raw.sqlite3_bind_text(statement, index, utf8.AsSpan(0, written));
    }

    static void Check(sqlite3 handle, int rc)
    {
        if (rc != raw.SQLITE_OK)
            throw new SqliteException(raw.sqlite3_errmsg(handle).utf8_to_string(), rc, raw.sqlite3_extended_errcode(handle));
    }

    static string Statement(ISqlGenerationHelper sql, StoreObjectIdentifier table, string columns, int columnCount, int rowCount)
    {
        var text = new StringBuilder($"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({columns}) VALUES ");
        var n = 0;
        for (var r = 0; r < rowCount; r++)
        {
            text.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < columnCount; c++)
                text.Append(c == 0 ? "" : ", ").Append(sql.GenerateParameterNamePlaceholder("p" + n++));
            text.Append(')');
        }
        return text.ToString();
    }
}
