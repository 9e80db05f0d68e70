using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace ReconcileApi.Data;

/// <summary>
/// Multi-row INSERT statements built from the EF model — table, columns and each property's type
/// mapping with its value converter — so both providers store exactly what SaveChanges would, at a
/// fraction of its per-entity cost. Database-generated keys are left to the database and not read back.
/// </summary>
public static class BulkInsert
{
    /// <summary>SQL Server allows 2,100 parameters per command; stay under it on every provider.</summary>
    const int MaxParameters = 2000;

    public static async Task InsertAsync<T>(this DbContext db, IReadOnlyList<T> rows, CancellationToken ct) where T : class
    {
        if (rows.Count == 0)
            return;
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        // Identity keys are the database's to assign; every other property is written as it is.
        var properties = entity.GetProperties()
            .Where(p => !(p.IsPrimaryKey() && p.ValueGenerated == ValueGenerated.OnAdd && (p.ClrType == typeof(long) || p.ClrType == typeof(int))))
            .ToList();
        var sql = db.GetService<ISqlGenerationHelper>();
        var columns = string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)));
        var mappings = properties.Select(p => (Property: p, Mapping: (RelationalTypeMapping)p.GetRelationalTypeMapping(), Getter: p.GetGetter())).ToList();
        // SQLite binds parameters by name in linear time, so a single-row statement prepared once and
        // executed per row is its fastest path; SQL Server is fastest with many rows per round trip.
        var rowsPerCommand = db.Database.IsSqlite() ? 1 : Math.Max(1, MaxParameters / properties.Count);

        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
            await db.Database.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        foreach (var chunk in rows.Chunk(rowsPerCommand))
        {
            var text = Statement(sql, table, columns, properties.Count, chunk.Length);
            if (command.CommandText != text || command.Parameters.Count != chunk.Length * mappings.Count)
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
                // The same shape again (every row on SQLite): only the values change.
                var n = 0;
                foreach (var row in chunk)
                {
                    foreach (var (_, mapping, getter) in mappings)
                    {
                        var value = getter.GetClrValue(row);
                        if (value is not null && mapping.Converter is { } converter)
                            value = converter.ConvertToProvider(value);
                        command.Parameters[n++].Value = value ?? DBNull.Value;
                    }
                }
            }
            await command.ExecuteNonQueryAsync(ct);
        }
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
