using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;

namespace ReconcileApi.Data;

public enum DatabaseProvider { Sqlite, SqlServer }

public static class DataSetup
{
    public static IServiceCollection AddReconcileData(this IServiceCollection services, ServiceOptions options)
    {
        var connectionString = options.ConnectionString;
        if (options.Database.Provider == DatabaseProvider.SqlServer)
        {
            services.AddDbContext<ReconcileDbContext, SqlServerReconcileDbContext>(o =>
                QuietHandledFailures(o).UseSqlServer(connectionString, sql =>
                {
                    if (options.Database.Retries)
                        sql.EnableRetryOnFailure();
                }));
        }
        else
        {
            services.AddDbContext<ReconcileDbContext, SqliteReconcileDbContext>((sp, o) =>
                QuietHandledFailures(o).UseSqlite(connectionString, sqlite => sqlite
                    .CommandTimeout(60)
                    // A list (ids.Contains) as one JSON parameter read with json_each: Microsoft.Data.Sqlite
                    // binds parameters by name in linear time, so a thousand of them cost more than the query.
                    .UseParameterizedCollectionMode(ParameterTranslationMode.Parameter)
                    .ExecutionStrategy(d => options.Database.Retries ? new SqliteRetryingExecutionStrategy(d) : new NonRetryingExecutionStrategy(d)))
                .AddInterceptors(new SqlitePragmas(), new GatedWrites(sp.GetRequiredService<WriteGate>())));
            services.AddHostedService<SqliteCheckpointer>();
        }
        services.AddSingleton<WriteGate>();
        services.AddHealthChecks().AddDbContextCheck<ReconcileDbContext>("database", tags: ["ready"]);
        return services;
    }

    /// <summary>
    /// EF Core logs every failed command and save as an error before the exception reaches the code, and the service catches
    /// some on purpose: a version number or an Idempotency-Key another request took is decided again (<see cref="Races"/>), a
    /// unique index is how a claim is won. Those are not errors an operator should act on, so EF's own two entries are
    /// debug; a failure nothing handles is still logged as an error where it ends — the problem handler for a request
    /// (<c>Problems</c>), the run's job, Hangfire for any other job — with the exception and its SQL error.
    /// </summary>
    static DbContextOptionsBuilder QuietHandledFailures(DbContextOptionsBuilder o) =>
        o.ConfigureWarnings(w => w.Log((CoreEventId.SaveChangesFailed, LogLevel.Debug), (RelationalEventId.CommandError, LogLevel.Debug)));

    /// <summary>Applies migrations (when configured) and, on SQLite, switches the file to WAL so readers do not block the writer.</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app, ServiceOptions options)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReconcileDbContext>();
        if (options.Database.Migrates)
        {
            // A migration that builds an index over stored orders sorts them all (OrderDateIndexByIdBlock: ≈ 500 MB at two
            // million orders). In memory (the connections' temp_store) the sort's pages stayed in the process after it: the
            // first runs after such an upgrade peaked 0.6 GB higher. Its sort goes to a temporary file instead.
            if (db.Database.IsSqlite())
            {
                await db.Database.OpenConnectionAsync();
                await db.Database.ExecuteSqlRawAsync("PRAGMA temp_store=FILE;");
            }
            await db.Database.MigrateAsync();
        }
        if (db.Database.IsSqlite())
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
    }
}

// Design-time factories: `scripts/add-migration.sh` uses them so that the EF tools never start the host.
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteReconcileDbContext>
{
    public SqliteReconcileDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteReconcileDbContext>().UseSqlite("Data Source=design.db").Options);
}

public sealed class SqlServerDesignTimeFactory : IDesignTimeDbContextFactory<SqlServerReconcileDbContext>
{
    public SqlServerReconcileDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlServerReconcileDbContext>().UseSqlServer("Server=.;Database=ReconcileApi;Trusted_Connection=True;TrustServerCertificate=True").Options);
}
