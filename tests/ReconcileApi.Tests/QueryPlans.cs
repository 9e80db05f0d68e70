using Microsoft.EntityFrameworkCore;
using ReconcileApi.Data;

namespace ReconcileApi.Tests;

internal static class QueryPlans
{
    /// <summary>SQLite's plan for what EF sends, its parameters bound as EF's `.param set` lines give them.</summary>
    public static async Task<string> OfAsync<T>(ReconcileDbContext db, IQueryable<T> query)
    {
        var text = query.ToQueryString();
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        var lines = text.Split('\n');
        foreach (var line in lines.Where(l => l.StartsWith(".param set ", StringComparison.Ordinal)))
        {
            var parts = line[".param set ".Length..].Split(' ', 2);
            var parameter = command.CreateParameter();
            parameter.ParameterName = parts[0];
            parameter.Value = parts[1].StartsWith('\'') ? parts[1].Trim('\'') : parts[1];
            command.Parameters.Add(parameter);
        }
        command.CommandText = "EXPLAIN QUERY PLAN " + string.Join('\n', lines.Where(l => !l.StartsWith(".param", StringComparison.Ordinal)));
        var plan = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            plan.Add(reader.GetString(3));
        return string.Join("\n", plan);
    }
}
